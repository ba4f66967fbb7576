"""Alerts in each site's own zone (issue #19): a WIT site and a WIB site side by side, through
the real outbox over a registry whose site records name their zones."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo

import pytest

from ingest.alerts.engine import AlertEngine
from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from ingest.alerts.zones import SiteZones, timezone_in
from kolam.alerts.messages import AlertView, render, short_text
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import AlertsConfig, KolamConfig
from kolam.errors import RegistryError
from kolam.places import SitePlace
from kolam.registry.places import Places
from kolam.registry.repo import Registry
from kolam.store.base import Row, SeriesKey
from kolam.timeutil import WIB, to_ms, zone_name

AT = to_ms(datetime(2025, 11, 27, 21, 10, tzinfo=UTC))
"""04:10 WIB, 05:10 WITA, 06:10 WIT on 28/11/2025: the hour DO is lowest."""
SITES = {"rutan-serang": None, "lapas-makassar": "Asia/Makassar",
         "lapas-jayapura": "Asia/Jayapura"}


@pytest.fixture
def registry(make_config: Callable[..., KolamConfig]) -> Iterator[Registry]:
    registry = Registry(make_config().registry_url)
    places = Places(registry.engine)
    for slug, zone in SITES.items():
        places.add_site(slug, SitePlace(name=slug, timezone=zone))
    yield registry
    registry.close()


def outbox_for(make_config: Callable[..., KolamConfig], registry: Registry,
               **alerts: object) -> AlertOutbox:
    config = make_config(alert_emails="a@x.id", smtp_url="smtp://127.0.0.1:9",
                         alerts={"mqtt": False, **alerts})
    return AlertOutbox(registry.engine, config, Router(config))


def low_do(site: str, severity: Severity = Severity.CRITICAL, t: int = AT) -> Transition:
    return Transition(Change.RAISED, AlertKey(site, "kolam-1", "do_low"), "do_low", severity,
                      t, t, 1.4, "mg/L", 2.0, "do_mgl")


def messages(outbox: AlertOutbox, site: str, until: int) -> list[dict[str, object]]:
    return [json.loads(p.payload) for p in outbox.due(until)
            if json.loads(p.payload).get("site") == site]


def test_the_same_instant_reads_in_each_sites_own_zone(
        make_config: Callable[..., KolamConfig], registry: Registry) -> None:
    outbox = outbox_for(make_config, registry)
    outbox.apply([low_do(site) for site in SITES], AT)
    said = {site: messages(outbox, site, AT) for site in SITES}
    assert "sejak 04:10 WIB 28/11/2025." in str(said["rutan-serang"][0]["message"])
    assert "sejak 05:10 WITA 28/11/2025." in str(said["lapas-makassar"][0]["message"])
    wit = said["lapas-jayapura"][0]
    assert "sejak 06:10 WIT 28/11/2025." in str(wit["message"])
    assert "since 06:10 WIT 28/11/2025." in wit["text"]["en"]  # type: ignore[index]
    assert "WIB" not in json.dumps(wit)
    # Resolved: "back to normal" at the site's hour too.
    outbox.apply([Transition(Change.RESOLVED, AlertKey("lapas-jayapura", "kolam-1", "do_low"),
                             "do_low", Severity.CRITICAL, AT + 3_600_000, AT, 4.0, "mg/L", 2.0,
                             "do_mgl")], AT + 3_600_000)
    resolved = [m for m in messages(outbox, "lapas-jayapura", AT + 3_600_000)
                if m["event"] == "resolved"]
    assert resolved and all("Normal kembali pada 07:10 WIT 28/11/2025." in str(m["message"])
                            for m in resolved)


def test_late_alerts_are_summarised_in_the_sites_zone(
        make_config: Callable[..., KolamConfig], registry: Registry) -> None:
    outbox = outbox_for(make_config, registry, max_age_s=600)
    now = AT + 2 * 3_600_000
    outbox.apply([low_do("lapas-jayapura"), low_do("rutan-serang")], now)
    summaries = {str(p["site"]): str(p["message"]) for p in
                 (json.loads(x.payload) for x in outbox.due(now)) if p["event"] == "summary"}
    assert "— 06:10 WIT 28/11/2025" in summaries["lapas-jayapura"]
    assert "— 04:10 WIB 28/11/2025" in summaries["rutan-serang"]


def test_the_warning_digest_is_at_the_hour_of_each_sites_own_day(
        make_config: Callable[..., KolamConfig], registry: Registry) -> None:
    outbox = outbox_for(make_config, registry, warning_digest_hour=7)
    outbox.apply([low_do("lapas-jayapura", Severity.WARNING),
                  low_do("rutan-serang", Severity.WARNING)], AT)
    wit_7 = to_ms(datetime(2025, 11, 27, 22, 0, tzinfo=UTC))  # 07:00 WIT, 05:00 WIB
    wib_7 = to_ms(datetime(2025, 11, 28, 0, 0, tzinfo=UTC))  # 07:00 WIB
    assert not outbox.due(wit_7 - 1)
    (wit,) = outbox.due(wit_7)
    assert (json.loads(wit.payload)["site"], wit.channel) == ("lapas-jayapura", "email")
    assert len(outbox.due(wib_7 - 1)) == 1
    assert {json.loads(p.payload)["site"] for p in outbox.due(wib_7)} == set(SITES) - {
        "lapas-makassar"}
    # Just past 07:00 at the site, the next digest is tomorrow's 07:00 there.
    tz = outbox.zones("lapas-jayapura")
    assert outbox._digest_at(wit_7 + 1, tz) == wit_7 + 86_400_000
    assert outbox._digest_at(wit_7 - 1, tz) == wit_7


def _dusk_to_dawn(site: str) -> list[Row]:
    """2025-11-24 18:30 WIB (11:30Z) onwards, DO halving every 3 h from 6 mg/L."""
    key = SeriesKey(site, "kolam-1", "node-1", "do_mgl")
    start = 1_763_983_800_000
    return [(key, start + i * 60_000, 6.0 * 0.5 ** (i / 180)) for i in range(6 * 60)]


def test_the_forecasts_dawn_time_is_in_the_sites_zone(registry: Registry) -> None:
    e = AlertEngine(AlertsConfig(), zone=SiteZones(timezone_in(registry.engine)))
    dawn: dict[str, tuple[int, int]] = {}
    for site, name in (("rutan-serang", "WIB"), ("lapas-jayapura", "WIT")):
        rows = _dusk_to_dawn(site)
        out = e.evaluate(rows, [], [], rows[-1][1])
        (raised,) = [t for t in out if t.rule == "do_forecast" and t.change is Change.RAISED]
        found = re.fullmatch(rf"dawn (\d\d):(\d\d) {name}", raised.detail)
        assert found, raised.detail
        dawn[site] = (int(found[1]), int(found[2]))
    # No coordinates recorded: the same sunrise (Serang's), two hours later on the WIT clock.
    (h, m), (h_wit, m_wit) = dawn["rutan-serang"], dawn["lapas-jayapura"]
    assert 4 <= h <= 6 and (h_wit, m_wit) == (h + 2, m)


def name(tz: tzinfo) -> str:
    return zone_name(tz, AT)


def test_a_site_zone_is_read_once_then_refreshed() -> None:
    reads: list[str] = []
    clock = [0.0]
    answer: list[str | None] = ["Asia/Jayapura"]

    def lookup(site: str) -> str | None:
        reads.append(site)
        if answer[0] == "fail":
            raise RegistryError("the registry is down")
        return answer[0]

    zones = SiteZones(lookup, refresh_s=600, clock=lambda: clock[0])
    assert [name(zones("lapas-jayapura")) for _ in range(50)] == ["WIT"] * 50
    assert reads == ["lapas-jayapura"]
    answer[0], clock[0] = "fail", 601.0
    assert name(zones("lapas-jayapura")) == "WIT"  # the last known zone
    assert zones("elsewhere") is WIB
    answer[0], clock[0] = "Asia/Makassar", 1300.0
    assert name(zones("lapas-jayapura")) == "WITA"
    assert reads == ["lapas-jayapura", "lapas-jayapura", "elsewhere", "lapas-jayapura"]


def test_an_unknown_site_is_wib(registry: Registry) -> None:
    assert SiteZones(timezone_in(registry.engine))("nowhere") is WIB


def test_a_wita_message_still_fits_one_sms() -> None:
    from zoneinfo import ZoneInfo

    view = AlertView(7, "lapas-makassar", "k" * 32, "do_forecast", "do_forecast", "critical",
                     "open", "do_mgl", None, 1.876, "mg/L", 2.0, AT, AT,
                     "dawn 05:40 WITA", False, ZoneInfo("Asia/Makassar"))
    for lang in ("id", "en"):
        subject, body = render(view, "opened", lang)
        assert "05:10 WITA 28/11/2025" in body and "[dawn 05:40 WITA]" in body
        payload = {"rule": "do_forecast", "event": "opened", "severity": "critical",
                   "pond": "k" * 32, "metric": "do_mgl", "value": 1.876, "unit": "mg/L",
                   "detail": "dawn 05:40 WITA", "subject": subject, "message": body}
        assert len(short_text(payload, lang, f"https://{'k' * 52}/a/{'x' * 22}")) <= 160


def test_ingest_shares_one_zone_cache(make_config: Callable[..., KolamConfig],
                                      registry: Registry) -> None:
    from ingest.alerts.pipeline import AlertPipeline

    pipeline = AlertPipeline(make_config(alerts={"mqtt": False}), registry)
    assert pipeline.engine._zone is pipeline.outbox.zones
    assert name(pipeline.outbox.zones("lapas-jayapura")) == "WIT"
