"""The duty roster in the outbox (issue #21), on a real SQLite registry: a critical alert
reaches the officer on shift in the site's time zone on their chosen channels, then the
next level while unacknowledged, then the Dinas; a warning only the officer's warning
channels; the people off shift hear nothing; acknowledging stops the escalation; the
one-time link goes to those who may acknowledge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.places import SitePlace
from kolam.registry.ack_links import AckLinks
from kolam.registry.alerts import Alerts
from kolam.registry.people import ContactInfo, People
from kolam.registry.places import Places
from kolam.registry.repo import Registry
from kolam.security.auth import Role
from kolam.timeutil import from_ms, now_ms
from tests.utils.auth import add_user

MIN = 60_000
WITA = ZoneInfo("Asia/Makassar")


def hhmm(t_ms: int, minutes: int) -> str:
    return (from_ms(t_ms).astimezone(WITA) + timedelta(minutes=minutes)).strftime("%H:%M")


def tr(severity: Severity, t: int, pond: str = "kolam-1") -> Transition:
    key = AlertKey("serang", pond, "do_low")
    return Transition(Change.RAISED, key, "do_low", severity, t, t, 1.2, "mg/L", 2.0, "do_mgl")


def build(make_config: Callable[..., KolamConfig], **alerts: object
          ) -> tuple[AlertOutbox, Registry, int]:
    config = make_config(
        telegram_bot_token="123:abc", whatsapp_token="wa", whatsapp_phone_id="1",
        whatsapp_template="kolam_alert", sms_url="http://127.0.0.1:9/send",
        alerts={"escalation_after_s": 60, "reminder_interval_s": 86400, "mqtt": False,
                "public_url": "https://kolam.example.id", **alerts})
    registry = Registry(config.registry_url)
    Places(registry.engine).add_site("serang", SitePlace(timezone="Asia/Makassar"))
    people, now = People(registry.engine), now_ms()
    for name, role, phone, chat, critical, warning in (
            ("malam", Role.OFFICER, "6281200000001", "5550001", ("telegram", "sms"),
             ("telegram",)),
            ("siang", Role.OFFICER, "6281200000002", "5550002", ("telegram",), ("telegram",)),
            ("cadangan", Role.OFFICER, None, "5550003", ("telegram",), ()),
            ("dinas", Role.DINAS, "6281200000009", None, ("whatsapp",), ())):
        add_user(registry, name, role, ["serang"])
        people.set_contact(ContactInfo(name, phone, chat, None, "id", critical, warning))
    on, off = (hhmm(now, -60), hhmm(now, 60)), (hhmm(now, 120), hhmm(now, 240))
    for name, level, (starts, ends) in (("malam", 0, on), ("siang", 0, off),
                                        ("cadangan", 1, on), ("dinas", 2, ("00:00", "00:00"))):
        people.add_shift("serang", name, level=level, weekdays=range(7), starts=starts,
                         ends=ends, by="test")
    return AlertOutbox(registry.engine, config, Router(config)), registry, now


def due(outbox: AlertOutbox, now: int) -> list[tuple[str, str, str | None, str]]:
    out = [(p.channel, p.recipient, p.username, p.event) for p in outbox.due(now)]
    outbox.delivered([p.id for p in outbox.due(now)], now)
    return out


def test_critical_climbs_the_roster_until_acknowledged(
        make_config: Callable[..., KolamConfig]) -> None:
    outbox, registry, now = build(make_config)
    try:
        outbox.apply([tr(Severity.CRITICAL, now)], now)
        assert due(outbox, now) == [("telegram", "5550001", "malam", "opened"),
                                    ("sms", "6281200000001", "malam", "opened")]
        outbox.followups(now + 30_000)
        assert due(outbox, now + 30_000) == []  # not before escalation_after_s
        outbox.followups(now + 61_000)
        assert due(outbox, now + 61_000) == [("telegram", "5550003", "cadangan", "escalated")]
        outbox.followups(now + 121_000)
        assert due(outbox, now + 121_000) == [
            ("whatsapp", "6281200000009", "dinas", "escalated")]
        outbox.followups(now + 181_000)
        assert due(outbox, now + 181_000) == []  # nobody above the Dinas
    finally:
        registry.close()


def test_acknowledging_stops_the_escalation(make_config: Callable[..., KolamConfig]) -> None:
    outbox, registry, now = build(make_config)
    try:
        outbox.apply([tr(Severity.CRITICAL, now)], now)
        first = outbox.due(now)
        token = outbox.ack_link(first[0], now)
        assert token is not None and len(token) == 22
        due(outbox, now)
        AckLinks(registry.engine).use(token, now + 10_000)
        (alert,) = Alerts(registry.engine).find(["serang"])
        assert (alert.state, alert.acked_by) == ("acknowledged", "malam")
        for dt in (61_000, 121_000, 181_000):
            outbox.followups(now + dt)
            assert due(outbox, now + dt) == []
    finally:
        registry.close()


@pytest.mark.parametrize("dinas_may", [False, True], ids=["dinas-watches", "dinas-acks"])
def test_links_only_for_those_who_may_acknowledge(
        make_config: Callable[..., KolamConfig], dinas_may: bool) -> None:
    outbox, registry, now = build(make_config, dinas_may_acknowledge=dinas_may)
    try:
        outbox.apply([tr(Severity.CRITICAL, now)], now)
        due(outbox, now)
        outbox.followups(now + 61_000)
        due(outbox, now + 61_000)
        outbox.followups(now + 121_000)
        (to_dinas,) = outbox.due(now + 121_000)
        assert to_dinas.username == "dinas"
        assert (outbox.ack_link(to_dinas, now) is not None) is dinas_may
    finally:
        registry.close()


def test_a_warning_reaches_the_officer_on_shift_only(
        make_config: Callable[..., KolamConfig]) -> None:
    outbox, registry, now = build(make_config)
    try:
        outbox.apply([tr(Severity.WARNING, now)], now)
        assert due(outbox, now) == [("telegram", "5550001", "malam", "opened")]
        for dt in (61_000, 121_000):
            outbox.followups(now + dt)
            assert due(outbox, now + dt) == []  # warnings do not escalate
    finally:
        registry.close()
