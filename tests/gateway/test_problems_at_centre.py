"""The gateway's "aerator not working" problems at the centre (issues #14, #18): a paddle
that turns but moves no air — DO still falling 20 minutes after the loop switched the
aerator on — is an ``aerator_failed`` alert centrally, exactly once, though the problem
is raised while the uplink is cut and the gateway restarts before the link is back.

Two real Mosquitto brokers, a real gateway (on a test clock, so that 20 minutes pass in
seconds) and ingest worker, a simulated relay board whose motor runs and a probe whose DO
keeps falling."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from firmware_sim.relay import RelayNode
from gateway.main import Gateway
from kolam.config import KolamConfig
from kolam.control import decode_problem, problem_topic
from kolam.protocol import DeviceRef, PondRef, Sample
from kolam.registry.alert_models import AlertRow
from kolam.registry.repo import Registry
from kolam.science.sun import last_sunset_ms, next_sunrise_ms
from kolam.timeutil import now_ms
from tests.gateway.test_centre_commands import RELAY, config_for, relay_on
from tests.utils.gateway import SITE, Node, open_outbox
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

SENSOR = DeviceRef(SITE, "kolam-1", "node-1")
KEY = "aerator_failed/relay-1/aerator-1"
MIN = 60_000
LOOP = {"pond": "kolam-1", "output": "relay-1/aerator-1", "min_on_s": 0, "min_off_s": 0,
        "stale_after_s": 86_400, "forecast": False}


@dataclass
class Clock:
    """The gateway's and the relay's time: 20 minutes of pond in a few seconds."""

    t: int = field(default_factory=lambda: now_ms() - 30 * MIN)
    board: RelayNode | None = None

    def __call__(self) -> int:
        return self.t

    def advance(self, ms: int) -> None:
        self.t += ms
        if self.board is not None:
            self.board.now_ms = self.t


def alerts(registry: Registry) -> list[AlertRow]:
    with Session(registry.engine) as s:
        return list(s.scalars(select(AlertRow).where(AlertRow.rule_key == KEY)))


def night(t: int) -> bool:
    return next_sunrise_ms(t) - last_sunset_ms(t) < 16 * 3_600_000


def test_do_still_falling_reaches_the_centre_once_through_a_cut_and_a_restart(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [LOOP])
    clock = Clock()
    board = clock.board = RelayNode(RELAY, ["aerator-1"], clock.t - 3_600_000, on=False)
    clock.advance(0)  # the board switches on the clock's time
    probe = Node(local.mqtt, "probe")
    gw = Gateway(config, clock)
    gw.start()
    try:
        with running_ingest(config) as (worker, _store, registry), relay_on(local, board):
            wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
            do = 2.8
            probe.send(SENSOR, [Sample(clock.t, {"do_mgl": do})])  # below do_on_mgl 3.0
            wait_for(lambda: board.is_on("aerator-1"), 10, what="the loop's switch-on")
            loop = gw.controller.loops[0]
            wait_for(lambda: loop.switched_on is not None and loop.switched_on[1] == do, 10,
                     what="the switch-on confirmed with its DO")
            central.stop()  # the link is cut while the paddle moves no air
            wait_for(lambda: not gw.uplink.connected, 10, what="the uplink down")
            for _ in range(20):  # the 20th minute's reading raises it
                clock.advance(MIN)
                do = round(do - 0.03, 2)
                probe.send(SENSOR, [Sample(clock.t, {"do_mgl": do})])
                wait_for(lambda do=do: loop.do_mgl == do, 10,  # type: ignore[misc]
                         what="the reading at the loop")
            wait_for(lambda: gw.controller.problems(), 10, what="the problem at the gateway")
            assert gw.controller.problems() == {"relay-1/aerator-1": {"do_still_falling"}}
            outbox = open_outbox(config)
            # Kept by the control thread just after it raised it.
            wait_for(lambda: outbox.unsent_problems() == 1, 10, what="the problem kept")
            raised = outbox.problems()[0]
            assert (raised.problem, raised.raised, raised.do_mgl, raised.switched_on_do_mgl) \
                == ("do_still_falling", True, do, 2.8)

            # The gateway restarts before the link is back: the problem waits in its outbox,
            # and the restarted loop holds it raised (no second raise, no clear).
            gw.stop()
            gw.close()
            gw = Gateway(config, clock)
            gw.start()
            assert gw.controller.problems() == {"relay-1/aerator-1": {"do_still_falling"}}
            assert [a.problem for a in gw._aerators(PondRef(SITE, "kolam-1"))] == [
                "do_still_falling"], "the siren's alarm still lists it"
            central.start()
            # Both clients back off up to 30 s between reconnects.
            wait_for(lambda: len(alerts(registry)) == 1, 75, interval_s=0.2,
                     what="aerator_failed at the centre")
            wait_for(lambda: outbox.unsent_problems() == 0, 10, what="the problem acked")
            alert = alerts(registry)[0]
            assert alert.state == "open" and alert.device == "relay-1/aerator-1"
            assert alert.severity == ("critical" if night(raised.t) else "warning")
            assert alert.detail.startswith("do_still_falling: 2.80 -> ")
            assert alert.since_t == raised.t
            pond = worker.alerts.engine.ponds[(SITE, "kolam-1")] if worker.alerts else None
            assert pond is not None and pond.forecast._failed, "the forecast is told"

            # The same event again (a resend after a lost PUBACK): still one alert.
            resend = Node(central.mqtt, "resender")
            resend.raw(problem_topic(SITE, "gw-1"), bytes(
                outbox._query("SELECT payload FROM problems")[0][0]))
            wait_for(lambda: worker.problems.received >= 2, 10, what="the resend received")
            time.sleep(0.5)  # ...and committed (it changes nothing to wait for)
            assert [(a.id, a.state, a.reopen_count) for a in alerts(registry)] == [
                (alert.id, "open", 0)]

            # DO rises past its switch-on value: cleared at the gateway, resolved centrally.
            for _ in range(3):
                clock.advance(MIN)
                do = round(do + 0.2, 2)
                probe.send(SENSOR, [Sample(clock.t, {"do_mgl": do})])
            wait_for(lambda: alerts(registry)[0].state == "resolved", 20, interval_s=0.2,
                     what="the alert resolved")
            assert len(alerts(registry)) == 1 and not gw.controller.problems()
            kept = outbox.problems()
            assert [(p.problem, p.raised) for p in kept] == [("do_still_falling", True),
                                                            ("do_still_falling", False)]
            assert decode_problem(bytes(outbox._query(
                "SELECT payload FROM problems ORDER BY id DESC LIMIT 1")[0][0])).raised is False
            assert not pond.forecast._failed, "the forecast is told it runs again"
            # The raise once more, after its clear (a gateway that lost that PUBACK): the
            # centre applies nothing older than what it has.
            received = worker.problems.received
            resend.raw(problem_topic(SITE, "gw-1"), bytes(outbox._query(
                "SELECT payload FROM problems ORDER BY id LIMIT 1")[0][0]))
            wait_for(lambda: worker.problems.received > received, 10, what="the old raise")
            time.sleep(0.5)
            assert [(a.id, a.state, a.reopen_count) for a in alerts(registry)] == [
                (alert.id, "resolved", 0)]
            assert [d for d in registry.dead_letters() if "problem" in d.topic] == []
            resend.close()
            outbox.close()
    finally:
        probe.close()
        gw.stop()
        gw.close()
