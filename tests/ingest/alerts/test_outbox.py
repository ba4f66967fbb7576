"""Alert state and the notification outbox in a real SQLite registry."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.registry.alerts import Alerts
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms

MIN = 60_000
KEY = AlertKey("serang", "kolam-1", "do_low")


def tr(change: Change, severity: Severity, t: int, since: int | None = None,
       key: AlertKey = KEY, value: float = 1.5) -> Transition:
    return Transition(change, key, key.key.split("/")[0], severity, t, since or t, value, "mg/L",
                      2.0, "do_mgl")


@pytest.fixture
def setup(make_config: Callable[..., KolamConfig]) -> tuple[AlertOutbox, Alerts, Registry]:
    config = make_config(webhook_url="http://127.0.0.1:9/hook", alert_emails="a@x.id",
                         smtp_url="smtp://127.0.0.1:9", alerts={
                             "escalation_after_s": 60, "reminder_interval_s": 600,
                             "max_age_s": 3600, "contacts": [
                                 {"name": "kepala", "webhook": "http://127.0.0.1:9/boss",
                                  "level": 1, "severities": ["critical"]}]})
    registry = Registry(config.registry_url)
    return AlertOutbox(registry.engine, config, Router(config)), Alerts(registry.engine), registry


def pending(outbox: AlertOutbox, now: int) -> list[tuple[str, str, str]]:
    return [(p.channel, p.recipient, p.event) for p in outbox.due(now)]


def test_open_upgrade_resolve_notifies_the_right_people(setup: tuple) -> None:
    outbox, alerts, _ = setup
    now = now_ms()
    assert outbox.apply([tr(Change.RAISED, Severity.WARNING, now - 5 * MIN)], now) == 3
    assert sorted(pending(outbox, now)) == [
        ("email", "a@x.id", "opened"), ("mqtt", "kolam/v1/serang/kolam-1/alerts", "opened"),
        ("webhook", "http://127.0.0.1:9/hook", "opened")]
    outbox.delivered([p.id for p in outbox.due(now)], now)
    outbox.apply([tr(Change.UPGRADED, Severity.CRITICAL, now - MIN)], now)
    assert len(pending(outbox, now)) == 3
    payload = json.loads(outbox.due(now)[0].payload)
    assert payload["severity"] == "critical" and "Nyalakan aerator" in payload["message"]
    (info,) = alerts.active("serang", "kolam-1")
    assert info.state == "open" and info.severity == "critical" and info.since_t == now - 5 * MIN


def test_one_active_alert_per_key_and_reopen_within_the_window(setup: tuple) -> None:
    outbox, alerts, _ = setup
    now = now_ms()
    outbox.apply([tr(Change.RAISED, Severity.WARNING, now - 60 * MIN)], now)
    outbox.apply([tr(Change.RAISED, Severity.WARNING, now - 59 * MIN)], now)  # replay
    outbox.apply([tr(Change.RESOLVED, Severity.WARNING, now - 50 * MIN)], now)
    outbox.apply([tr(Change.RAISED, Severity.WARNING, now - 40 * MIN)], now)  # 10 min later
    found = alerts.find(["serang"])
    assert len(found) == 1 and found[0].reopen_count == 1 and found[0].state == "open"
    outbox.apply([tr(Change.RESOLVED, Severity.WARNING, now - 39 * MIN)], now)
    outbox.apply([tr(Change.RAISED, Severity.WARNING, now - 2 * MIN)], now)  # 37 min later
    assert len(alerts.find(["serang"])) == 2


def test_late_alerts_are_recorded_and_summarised(setup: tuple) -> None:
    outbox, alerts, _ = setup
    now = now_ms()
    old = [tr(Change.RAISED, Severity.CRITICAL, now - 5 * 3600_000 + i * MIN,
              key=AlertKey("serang", f"kolam-{i}", "do_low")) for i in range(5)]
    outbox.apply(old, now)
    assert len(alerts.find(["serang"])) == 5 and all(a.late for a in alerts.find(["serang"]))
    events = pending(outbox, now)
    assert sorted(events) == [("email", "a@x.id", "summary"),
                              ("webhook", "http://127.0.0.1:9/hook", "summary")]
    assert "5 peringatan" in json.loads(outbox.due(now)[0].payload)["message"]


def test_silenced_alerts_are_recorded_not_sent(setup: tuple) -> None:
    outbox, alerts, _ = setup
    now = now_ms()
    alerts.add_silence("serang", pond="kolam-1", device=None, rule=None, starts_at=now - 3600_000,
                       ends_at=now + 3600_000, reason="kuras kolam", by="petugas", now=now)
    outbox.apply([tr(Change.RAISED, Severity.CRITICAL, now)], now)
    assert [c for c, _, _ in pending(outbox, now)] == ["mqtt"]
    assert alerts.find(["serang"])[0].silenced


def test_escalation_stops_when_acknowledged_and_reminders_repeat(setup: tuple) -> None:
    outbox, alerts, _ = setup
    now = now_ms()
    outbox.apply([tr(Change.RAISED, Severity.CRITICAL, now)], now)
    outbox.delivered([p.id for p in outbox.due(now)], now)
    assert outbox.followups(now + 30_000) == 0
    assert outbox.followups(now + 61_000) == 1  # the boss, level 1
    assert pending(outbox, now + 61_000) == [("webhook", "http://127.0.0.1:9/boss", "escalated")]
    outbox.delivered([p.id for p in outbox.due(now + 61_000)], now)
    assert outbox.followups(now + 601_000) == 3  # reminders to levels 0 and 1
    outbox.delivered([p.id for p in outbox.due(now + 601_000)], now)
    alerts.acknowledge(alerts.find(["serang"])[0].id, "petugas", now + 602_000)
    assert outbox.followups(now + 3 * 3600_000) == 0
