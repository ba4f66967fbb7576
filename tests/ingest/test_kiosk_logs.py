"""Ingest's side of the gateway's kiosk logs: each applied once by its client id, on the
pond's active cycle; what cannot be applied is a dead letter with its reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ingest.kiosk_logs import REJECTED, KioskLogIngest
from kolam.config import KolamConfig
from kolam.kiosk import KioskLog, encode_log, log_topic
from kolam.mqtt import Message
from kolam.registry.cycles import Cycles
from kolam.registry.records import LogKind, NewCycle, NewTeam, Programme
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.timeutil import now_ms

DAY_MS = 86_400_000
TOPIC = log_topic("serang", "gw-1")


@pytest.fixture
def registry(make_config: Callable[..., KolamConfig]) -> Iterator[Registry]:
    reg = Registry(make_config().registry_url)
    reg.ensure_pond("serang", "kolam-1")
    reg.ensure_pond("serang", "kolam-2")
    yield reg
    reg.close()


def stocked(registry: Registry) -> int:
    start = now_ms() - 5 * DAY_MS
    team = Teams(registry.engine).add_team("serang", NewTeam("Lele", Programme.LELE_GROWOUT,
                                                             start, ()))
    return Cycles(registry.engine).start("serang", "kolam-1",
                                         NewCycle(team.id, start, 1000, 2.0)).id


def msg(log: KioskLog, topic: str = TOPIC) -> Message:
    return Message(topic, encode_log(log), 1, False, 1)


def test_a_log_sent_three_times_is_stored_once(registry: Registry) -> None:
    cycle = stocked(registry)
    feeding = KioskLog("a1b2c3d4e5f6a7b8", "kolam-1", "feeding", now_ms(), feed_kg=2.5)
    handler = KioskLogIngest(registry)
    for _ in range(2):
        handler.prepare([msg(feeding), msg(feeding)], now_ms())
        handler.commit()
    logs = Cycles(registry.engine).records("serang", cycle).logs
    assert [(x.kind, x.feed_kg, x.client_id, x.recorded_by) for x in logs] == [
        (LogKind.FEEDING, 2.5, "a1b2c3d4e5f6a7b8", "kiosk")]
    assert registry.dead_letters() == []


def test_what_cannot_be_applied_is_a_dead_letter(registry: Registry) -> None:
    stocked(registry)
    handler = KioskLogIngest(registry)
    t = now_ms()
    handler.prepare([
        msg(KioskLog("nocycle-00000001", "kolam-2", "feeding", t, feed_kg=1.0)),
        msg(KioskLog("toomany-00000001", "kolam-1", "mortality", t, dead_count=5000)),
        Message(TOPIC, b'{"v":1,"id":"x","pond":"kolam-1"}', 1, False, 2),
        msg(KioskLog("elsewhere-000001", "kolam-1", "feeding", t, feed_kg=1.0),
            "kolam/v1/serang/kolam-1/node-1/telemetry"),  # not a kiosk log topic: not ours
    ], t)
    handler.commit()
    reasons = sorted(d.reason for d in registry.dead_letters())
    assert reasons == sorted([REJECTED, REJECTED, "missing_field"])
    assert handler.applied == 0
