"""A pond's status (``api.status``): the open alerts' judgement plus freshness, never one
reading; checked directly and through the real alert engine, outbox and registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

from fastapi.testclient import TestClient

from api.app import create_app
from api.status import PondStatus, Status, pond_status, rank
from ingest.alerts.engine import AlertEngine
from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.catalogue import METRICS
from kolam.config import KolamConfig
from kolam.protocol import DeviceRef
from kolam.protocol import Status as DeviceStatus
from kolam.registry.alerts import AlertInfo, Alerts
from kolam.registry.repo import DeviceInfo, Registry
from kolam.store import SeriesKey, SqliteStore
from kolam.store.base import Latest
from kolam.timeutil import now_ms
from tests.utils.auth import admin_client

MIN = 60_000
NOW = 1_764_291_600_000
KEY = SeriesKey("serang", "kolam-1", "node-1", "ph")


def _alert(severity: str, rule: str = "ph_high", state: str = "open",
           metric: str | None = "ph") -> AlertInfo:
    return AlertInfo(id=1, site="serang", pond="kolam-1", rule=rule, key=rule, device=None,
                     metric=metric, severity=severity, state=state, value=None, unit="",
                     threshold=None, detail="", since_t=NOW - 600_000, last_t=NOW,
                     resolved_t=None, late=False, silenced=False, reopen_count=0,
                     escalation_level=0, acked_at=None, acked_by=None, resolved_by=None)


def _device(online: bool | None = True, interval_s: float | None = 60.0) -> DeviceInfo:
    return DeviceInfo(site="serang", pond="kolam-1", slug="node-1", enabled=True, online=online,
                      status_at=NOW - 60 * MIN, fw="sim-1.0", boot=1, battery_v=3.9, rssi_dbm=-60,
                      interval_s=interval_s)


def _status(value: float, t: int = NOW, alerts: tuple[AlertInfo, ...] = (),
            devices: tuple[DeviceInfo, ...] = ()) -> PondStatus:
    return pond_status([Latest(KEY, t, value)], list(alerts), list(devices or (_device(),)),
                       NOW, 3.0)


def test_one_ranking_from_calm_to_trouble() -> None:
    assert [s.value for s in sorted(Status, key=lambda s: s.rank)] == [
        "ok", "info", "offline", "warning", "critical"]
    assert rank("critical") > rank("warning") > rank("info") > rank("ok")
    assert rank("something-new") == rank("info")


def test_a_reading_over_the_band_is_not_the_status() -> None:
    assert METRICS["ph"].level(9.3).value == "critical"
    status = _status(9.3)
    assert status.value is Status.OK and status.word_key == "st_ok"


def test_the_worst_open_alert_is_the_status() -> None:
    assert _status(7.0, alerts=(_alert("warning"),)).value is Status.WARNING
    assert _status(7.0, alerts=(_alert("warning"), _alert("critical", "do_low", metric="do_mgl"))
                   ).value is Status.CRITICAL
    assert _status(7.0, alerts=(_alert("critical", state="acknowledged"),)
                   ).value is Status.CRITICAL  # someone is on it; the water is still bad
    assert _status(7.0, alerts=(_alert("critical", state="resolved"),)).value is Status.OK
    # An info alert is shown with the alert, not as a pond status (the API's four values).
    assert _status(7.0, alerts=(_alert("info"),)).value is Status.OK


def test_stale_or_silent_data_is_no_data_whatever_the_alerts() -> None:
    fresh = _status(7.0, t=NOW - 2 * MIN)
    assert fresh.fresh and fresh.value is Status.OK
    stale = _status(7.0, t=NOW - 4 * MIN, alerts=(_alert("critical"),))
    assert not stale.fresh and stale.value is Status.OFFLINE
    assert stale.word_key == "st_stale" and stale.last_t == NOW - 4 * MIN  # old readings shown
    # A device reporting every 5 min is fresh for 15 min.
    assert _status(7.0, t=NOW - 14 * MIN, devices=(_device(interval_s=300),)).fresh
    # Every device gone (Last Will): no data, even with a reading a minute old.
    assert _status(7.0, t=NOW - MIN, devices=(_device(online=False),)).value is Status.OFFLINE
    never = pond_status([], [], [], NOW, 3.0)
    assert never.value is Status.OFFLINE and never.word_key == "st_offline"


def test_ph_hovering_around_9_does_not_flicker(make_config: Callable[..., KolamConfig]) -> None:
    """Five hours of pH crossing 9.0 at every reading, through the alert engine, its outbox
    and the registry, as ingest stores them: the raw reading's level flips at every
    reading, the status changes once (ok, then the held ph_high warning) and is never red."""
    config = make_config()
    registry = Registry(config.registry_url)
    store = SqliteStore(config.samples_path)
    ref = DeviceRef("serang", "kolam-1", "node-1")
    registry.check_device(ref, auto_provision=True)
    start = now_ms() - 5 * 60 * MIN
    registry.record_status(ref, DeviceStatus(True, "sim-1.0", 1, 4.0, -60, 60), start)
    engine = AlertEngine(config.alerts, config.offline_after_intervals)
    outbox = AlertOutbox(registry.engine, config, Router(config))
    alerts = Alerts(registry.engine)
    levels, statuses = [], []
    for i in range(5 * 60):
        t = start + i * MIN
        row = (KEY, t, 9.1 if i % 2 else 8.9)
        store.write([row])
        outbox.apply(engine.evaluate([row], [], [], t), t)
        s = pond_status(store.latest("serang", "kolam-1"), alerts.active("serang", "kolam-1"),
                        registry.devices("serang", "kolam-1"), t, config.offline_after_intervals)
        levels.append(METRICS["ph"].level(row[2]).value)
        statuses.append(s.value.value)
    flips = sum(a != b for a, b in pairwise(statuses))
    assert sum(a != b for a, b in pairwise(levels)) == len(levels) - 1
    assert "critical" not in statuses and flips == 1, statuses
    assert statuses[0] == "ok" and statuses[-1] == "warning"
    held = statuses.index("warning")
    assert held >= 4 * 60 - 1  # ph_high holds 4 h before it opens (ingest/alerts/rules.py)
    active = alerts.active("serang", "kolam-1")
    assert [(a.rule, a.severity) for a in active] == [("ph_high", "warning")]

    # The API and the kiosk tile say the same.
    with TestClient(create_app(config, store, registry)) as client:
        admin_client(client, registry)
        pond = client.get("/api/v1/sites/serang/ponds/kolam-1").json()
        assert pond["status"] == "warning" and pond["latest"]["ph"]["level"] == "critical"
    store.close()
    registry.close()


def test_history_still_arriving_is_loading_not_stopped() -> None:
    """A device that came online after the pond's newest reading, minutes ago, is catching
    up (its gateway's outbox, the demo's backfill): "loading history", not "data stopped";
    long after it came online with nothing fresh, its data did stop."""
    old = NOW - 3 * 86_400_000
    just_back = replace(_device(), status_at=NOW - MIN)
    back = _status(7.2, t=old, devices=(just_back,))
    assert back.value is Status.OFFLINE and back.loading and back.word_key == "st_loading"
    nothing_yet = pond_status([], [], [just_back], NOW, 3.0)
    assert nothing_yet.loading and nothing_yet.word_key == "st_loading"
    long_ago = replace(_device(), status_at=NOW - 20 * MIN)
    stopped = _status(7.2, t=old, devices=(long_ago,))
    assert not stopped.loading and stopped.word_key == "st_stale"
    before = replace(_device(), status_at=old - MIN)  # online, then its readings stopped
    assert _status(7.2, t=old, devices=(before,)).word_key == "st_stale"
    gone = replace(_device(online=False), status_at=NOW - MIN)
    assert _status(7.2, t=old, devices=(gone,)).word_key == "st_stale"
    assert not _status(7.2).loading  # fresh
