"""The overview (``/``) as the Dinas reads it: sites, then every pond of every site in one
table ranked by trouble; a pond's status is its worst open alert (``api.status``)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kolam.alerts.model import Severity
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, raise_alert


def _pond_rows(body: str) -> list[tuple[str, str]]:
    table = body[body.index('id="pond-table"'):]
    return re.findall(r'data-pond="([^"]+)" data-status="([a-z]+)"', table)


def test_three_warnings_and_one_critical_make_one_pond_critical(client: TestClient,
                                                                 site: DemoSite) -> None:
    """Three of four alerts are warnings: three ponds Waspada, one Bahaya (not all four)."""
    raise_alert(site, "kolam-1", "temp_high", Severity.WARNING, 32.6, "temp_c", "°C", 32.0)
    raise_alert(site, "kolam-2", "ph_high", Severity.WARNING, 9.2, "ph", "pH", 9.0)
    raise_alert(site, "kolam-3", "temp_high", Severity.WARNING, 32.8, "temp_c", "°C", 32.0)
    raise_alert(site, "kolam-2", "do_low", Severity.CRITICAL, 1.8, "do_mgl", "mg/L", 2.0)
    body = log_in(client, "dinas").get("/").text
    rows = _pond_rows(body)
    status = dict(rows)
    assert status[f"{SITE}/kolam-2"] == "critical"
    assert status[f"{SITE}/kolam-1"] == status[f"{SITE}/kolam-3"] == "warning"
    # Ranked by trouble: the critical pond first, the calm ones last.
    ranks = {"critical": 0, "warning": 1, "offline": 2, "ok": 3}
    assert [ranks[s] for _, s in rows] == sorted(ranks[s] for _, s in rows)
    assert rows[0] == (f"{SITE}/kolam-2", "critical")
    # Its worst alert is named in the row, with how many are open.
    row = body[body.index(f'data-pond="{SITE}/kolam-2"'):]
    row = row[:row.index("</tr>")]
    assert "Oksigen terlarut rendah" in row and "2 peringatan" in row
    # The site row counts by severity; names, not slugs.
    site_row = body[body.index(f'id="site-{SITE}"'):]
    assert "1 bahaya · 3 waspada" in site_row[:site_row.index("</tr>")]
    assert "Rutan Kelas IIB Serang" in body and ">kolam-2<" not in body


def test_admin_sees_every_site_in_one_pond_table(client: TestClient, site: DemoSite) -> None:
    body = log_in(client, "admin").get("/").text
    ponds = {p for p, _ in _pond_rows(body)}
    assert f"{SITE}/kolam-1" in ponds and "pandeglang/kolam-1" in ponds
    assert body.index("Rutan Kelas IIB Serang") < body.index('id="pond-table"')


def test_a_country_of_ponds_lists_the_most_troubled_first_page(
        client: TestClient, site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``PONDS_SHOWN`` ponds the table keeps the most troubled and counts the rest
    (a Dinas login of every site would otherwise get 5,000 rows)."""
    import api.pages.overview as overview

    raise_alert(site, "kolam-3", "do_low", Severity.CRITICAL, 1.6, "do_mgl", "mg/L", 2.0)
    monkeypatch.setattr(overview, "PONDS_SHOWN", 2)
    body = log_in(client, "dinas").get("/").text
    rows = _pond_rows(body)
    assert len(rows) == 2 and rows[0][1] == "critical"
    assert "Menampilkan 2 kolam paling bermasalah dari 4." in body
    uptimes = re.findall(re.escape('data-label="Sensor aktif (24 jam)">') + "([^<]*)<", body)
    assert len(uptimes) == 2, uptimes
