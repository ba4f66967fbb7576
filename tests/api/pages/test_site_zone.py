"""Pages write times in the site record's zone (issue #19 item 1): a site in Jayapura (WIT,
UTC+9) sees its pond page, charts, kiosk clock, alerts and overview at UTC+9, named WIT,
and its typed dates are read at UTC+9; a WIB site beside it keeps WIB."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from api import fmt
from kolam.alerts.model import Severity
from kolam.places import SitePlace
from kolam.registry.cycles import Cycles
from kolam.registry.places import Places
from kolam.timeutil import WIB, now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, raise_alert

WIT = timezone(timedelta(hours=9))


def _in_wit(site: DemoSite) -> None:
    Places(site.registry.engine).update_site(SITE, SitePlace(timezone="Asia/Jayapura"))


def _hhmm(t_ms: int, tz: timezone) -> str:
    return datetime.fromtimestamp(t_ms / 1000, tz).strftime("%H:%M")


def test_the_format_module_writes_each_zone() -> None:
    t = 1_764_291_600_000  # 2025-11-28 01:00 UTC
    assert fmt.datetime(t, "id") == "28/11/2025 08:00 WIB"
    assert fmt.datetime(t, "id", fmt.zone("Asia/Makassar")) == "28/11/2025 09:00 WITA"
    assert fmt.datetime(t, "en", fmt.zone("Asia/Jayapura")) == "28 Nov 2025 10:00 WIT"
    assert fmt.zone_iana(fmt.zone("Asia/Jayapura")) == "Asia/Jayapura"
    assert fmt.zone_iana(fmt.zone(None)) == "Asia/Jakarta" and fmt.zone("Mars/Base") is not WIB


def test_a_wit_sites_pages_and_charts_use_wit(client: TestClient, site: DemoSite) -> None:
    _in_wit(site)
    raise_alert(site, "kolam-3", "temp_high", Severity.WARNING, 32.6, "temp_c", "°C", 32.0)
    log_in(client, "officer")
    pond = client.get(f"/sites/{SITE}/ponds/kolam-1").text
    assert 'data-tz="Asia/Jayapura" data-tz-name="WIT"' in pond  # the charts' axes
    logs = re.findall(r"<tr><td>(\d\d/\d\d/\d{4} \d\d:\d\d (\w+))</td>", pond)
    assert logs and {zone for _, zone in logs} == {"WIT"}
    newest = Cycles(site.registry.engine).active_cycle(SITE, "kolam-1")
    assert newest is not None
    last = Cycles(site.registry.engine).records(SITE, newest.id).logs[-1]
    assert logs[0][0] == datetime.fromtimestamp(last.at / 1000, WIT).strftime(
        "%d/%m/%Y %H:%M WIT")
    # The alert raised 10 minutes ago (raise_alert), on the alerts page and the overview.
    since = _hhmm(now_ms() - 600_000, WIT)
    alerts = client.get("/alerts").text
    assert re.search(rf"\d\d/\d\d {since[:2]}:\d\d WIT", alerts), alerts[-3000:]
    assert " WIB" not in re.sub(r"<script.*?</script>", "", alerts, flags=re.S)
    overview = client.get("/").text
    assert re.search(rf"\d\d/\d\d {since[:2]}:\d\d WIT", overview)


def test_the_kiosk_clock_and_a_typed_time_at_a_wit_site(client: TestClient,
                                                        site: DemoSite) -> None:
    _in_wit(site)
    log_in(client, "kiosk")
    kiosk = client.get(f"/kiosk/{SITE}").text
    clock = re.search(r'<time class="kiosk-clock" id="kiosk-clock" data-tz="([^"]+)" '
                      r'data-tz-name="(\w+)">(\d\d:\d\d) (\w+)</time>', kiosk)
    assert clock is not None, kiosk[:3000]
    assert clock.group(1, 2, 4) == ("Asia/Jayapura", "WIT", "WIT")
    assert clock.group(3) in {_hhmm(now_ms() - d, WIT) for d in (0, 60_000)}
    assert 'data-tz="Asia/Jayapura" data-tz-name="WIT"' in kiosk  # the live banner
    # An officer's cost typed for 07:00 is 07:00 in Jayapura: 22:00 UTC the day before.
    log_in(client, "officer")
    page = client.get(f"/teams/{SITE}/1").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf is not None
    cycle = next(c for c in Cycles(site.registry.engine).cycles(SITE, team_id=1) if c.active)
    day = datetime.fromtimestamp(now_ms() / 1000, WIT).date() - timedelta(days=1)
    r = client.post(f"/teams/{SITE}/1/costs", data={
        "csrf": csrf.group(1), "cycle": str(cycle.id), "category": "other",
        "amount": "50.000", "at": f"{day.isoformat()}T07:00"})
    assert r.status_code == 303
    cost = Cycles(site.registry.engine).records(SITE, cycle.id).costs[-1]
    assert cost.at == int(datetime(day.year, day.month, day.day, 7, tzinfo=WIT)
                          .timestamp() * 1000)
    echo = client.get(r.headers["location"]).text
    assert f"{day.strftime('%d/%m/%Y')} 07:00" in echo


def test_a_wib_site_beside_it_keeps_wib(client: TestClient, site: DemoSite) -> None:
    _in_wit(site)
    log_in(client, "admin")
    page = client.get("/sites/pandeglang/ponds/kolam-1").text
    assert 'data-tz="Asia/Jakarta" data-tz-name="WIB"' in page
