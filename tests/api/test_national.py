"""The national view and report (issue #19 item 3): by province and site, each site's month
in its own zone, survival and FCR summed over cycles (not averaged over sites), roles.

Three sites, hand-computed for November 2026:

- ``rutan-serang`` (Banten, WIB): 1,000 fish of 2 g stocked 1 Oct (2 kg), fed 10 × 10 kg,
  final harvest 20 Nov of 90 kg, 900 fish at Rp 20,000/kg. Survival 900/1,000 = 90 %;
  FCR 100 / (90 − 2) = 1.1364; revenue Rp 1,800,000; seed Rp 300,000 was paid in October.
- ``lapas-pandeglang`` (Banten, WIB): 200 fish of 5 g (1 kg) stocked 1 Nov for Rp 60,000,
  fed 2 × 5 kg, final harvest 25 Nov of 21 kg, 100 fish at Rp 25,000/kg. Survival 50 %;
  FCR 10 / 20 = 0.5; revenue Rp 525,000, costs Rp 60,000.
- ``lapas-jayapura`` (Papua, WIT = UTC+9): a partial harvest of 10 kg at 30 Nov 23:30 WIT
  (November there, 21:30 WIB) and one of 7 kg at 1 Dec 00:30 WIT (December there, although
  it is still 30 Nov 22:30 in Serang). Nothing ended.

Banten: 2 sites, 111 kg, survival (900 + 100) / (1,000 + 200) = 83.33 % (the sites' mean
would be 70 %), FCR (100 + 10) / (88 + 20) = 1.0185. Papua: 10 kg. Total 121 kg.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import load_config
from kolam.farming.monthly import monthly_report
from kolam.farming.national import national_report
from kolam.places import SiteKind, SitePlace, site_zone
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.places import Places
from kolam.registry.records import LogKind, NewCycle, NewHarvest, NewLog, NewTeam, Programme
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.registry.totals import MonthSums
from kolam.security.auth import Role
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import to_ms
from tests.utils.auth import add_user, login, page_login

WIB = timezone(timedelta(hours=7))
WIT = timezone(timedelta(hours=9))
NOW = to_ms(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
SITES = {
    "rutan-serang": ("Rutan Kelas IIB Serang", SiteKind.RUTAN, "Banten", "Asia/Jakarta"),
    "lapas-pandeglang": ("Lapas Pandeglang", SiteKind.LAPAS, "Banten", "Asia/Jakarta"),
    "lapas-jayapura": ("Lapas Abepura", SiteKind.LAPAS, "Papua", "Asia/Jayapura"),
}


def _ms(y: int, m: int, d: int, h: int = 8, mi: int = 0, tz: timezone = WIB) -> int:
    return to_ms(datetime(y, m, d, h, mi, tzinfo=tz))


def _cycle(registry: Registry, site: str, stocked: int, count: int, abw: float,
           cost: float = 0.0) -> int:
    team = Teams(registry.engine).add_team(site, NewTeam("Tim", Programme.LELE_GROWOUT,
                                                         stocked, ("Instruktur",)))
    return Cycles(registry.engine).start(site, "kolam-1", NewCycle(
        team.id, stocked, count, abw, seed_cost_rp=cost)).id


def seed(registry: Registry) -> None:
    places, entries = Places(registry.engine), Entries(registry.engine)
    for slug, (name, kind, province, tz) in SITES.items():
        places.add_site(slug, SitePlace(name=name, kind=kind, province=province,
                                        timezone=tz))
        registry.ensure_pond(slug, "kolam-1")
    c = _cycle(registry, "rutan-serang", _ms(2026, 10, 1), 1000, 2.0, 300_000)
    for day in range(10):
        entries.add_log("rutan-serang", c, NewLog(LogKind.FEEDING, _ms(2026, 11, 1 + day),
                                                  feed_kg=10.0), "t", confirmed=True)
    wrong = entries.add_log("rutan-serang", c, NewLog(LogKind.FEEDING, _ms(2026, 11, 12),
                                                      feed_kg=500.0), "t", confirmed=True)
    Corrections(registry.engine).void_log("rutan-serang", wrong.id, "t", "typo: 5,00 kg")
    entries.add_harvest("rutan-serang", c, NewHarvest(_ms(2026, 11, 20), 90.0, final=True,
                                                      count=900, price_per_kg_rp=20_000),
                        "t", confirmed=True)
    c = _cycle(registry, "lapas-pandeglang", _ms(2026, 11, 1), 200, 5.0, 60_000)
    for day in (2, 3):
        entries.add_log("lapas-pandeglang", c, NewLog(LogKind.FEEDING, _ms(2026, 11, day),
                                                      feed_kg=5.0), "t", confirmed=True)
    entries.add_harvest("lapas-pandeglang", c, NewHarvest(_ms(2026, 11, 25), 21.0, final=True,
                                                          count=100, price_per_kg_rp=25_000),
                        "t", confirmed=True)
    c = _cycle(registry, "lapas-jayapura", _ms(2026, 10, 1, tz=WIT), 5000, 10.0)
    for at, kg in ((_ms(2026, 11, 30, 23, 30, WIT), 10.0), (_ms(2026, 12, 1, 0, 30, WIT), 7.0)):
        entries.add_harvest("lapas-jayapura", c, NewHarvest(at, kg, count=100,
                                                            price_per_kg_rp=20_000),
                            "t", confirmed=True)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    path = tmp_path_factory.mktemp("national") / "registry.db"
    reg = Registry(f"sqlite:///{path}")
    seed(reg)
    try:
        yield reg
    finally:
        reg.close()


def test_the_national_month_by_province_and_site(registry: Registry) -> None:
    r = national_report(MonthSums(registry.engine), registry.sites(), "2026-11")
    by_site = {s.site: s for s in r.sites}
    serang, pandeglang, jayapura = (by_site[s] for s in SITES)
    assert (serang.production_kg, serang.feed_kg, serang.revenue_rp, serang.costs_rp) == (
        90.0, 100.0, 1_800_000, 0.0)
    assert serang.survival_pct == pytest.approx(90.0)
    assert serang.fcr == pytest.approx(100 / 88)
    assert (pandeglang.production_kg, pandeglang.revenue_rp, pandeglang.costs_rp,
            pandeglang.margin_rp) == (21.0, 525_000, 60_000, 465_000)
    assert pandeglang.survival_pct == pytest.approx(50.0)
    assert pandeglang.fcr == pytest.approx(0.5)
    # Jayapura's 00:30 WIT harvest belongs to its December, though Serang is still in November.
    assert (jayapura.production_kg, jayapura.completed_cycles, jayapura.active_cycles) == (
        10.0, 0, 1)
    assert jayapura.survival_pct is None and jayapura.fcr is None

    banten, papua = r.provinces
    assert (banten.province, banten.site_count, banten.production_kg) == ("Banten", 2, 111.0)
    assert banten.survival_pct == pytest.approx(100 * 1000 / 1200)  # not the sites' mean, 70
    assert banten.fcr == pytest.approx(110 / 108)
    assert (papua.province, papua.production_kg) == ("Papua", 10.0)
    assert (r.total.site_count, r.total.production_kg, r.total.revenue_rp) == (
        3, 121.0, 1_800_000 + 525_000 + 200_000)
    assert [s.site for s in r.sites] == ["rutan-serang", "lapas-pandeglang", "lapas-jayapura"]

    december = national_report(MonthSums(registry.engine), registry.sites(), "2026-12")
    assert {s.site: s.production_kg for s in december.sites}["lapas-jayapura"] == 7.0


@pytest.mark.parametrize("month", ["2026-10", "2026-11", "2026-12"])
def test_each_site_agrees_with_its_own_monthly_report(registry: Registry, month: str,
                                                       tmp_path: Path) -> None:
    """The national report's SQL sums (``kolam.registry.totals``) are the site report's."""
    cycles = Cycles(registry.engine)
    store = SqliteStore(tmp_path / "samples.sqlite")
    try:
        national = national_report(MonthSums(registry.engine), registry.sites(), month)
        for row in national.sites:
            info = registry.site(row.site)
            mine = monthly_report(cycles, store, row.site, month, [], NOW,
                                  tz=site_zone(info.timezone))
            assert (row.production_kg, row.feed_kg, row.dead_count, row.completed_cycles) == (
                mine.production_kg, mine.feed_kg, mine.dead_count, mine.completed_cycles)
            assert row.revenue_rp == pytest.approx(mine.revenue_rp)
            assert row.costs_rp == pytest.approx(mine.costs_rp)
            assert row.survival_pct == pytest.approx(mine.survival_pct)
            assert row.fcr == pytest.approx(mine.fcr)
    finally:
        store.close()


def test_one_province_only(registry: Registry) -> None:
    r = national_report(MonthSums(registry.engine), registry.sites(), "2026-11", "Papua")
    assert [s.site for s in r.sites] == ["lapas-jayapura"]
    assert r.total.production_kg == 10.0


@pytest.fixture(scope="module")
def client(registry: Registry, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as mp:
        import os
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)
        config = load_config(None, data_dir=tmp_path_factory.mktemp("national-app"))
    store = SqliteStore(config.samples_path)
    add_user(registry, "dinas-all", Role.DINAS)
    add_user(registry, "dinas-banten", Role.DINAS, ("rutan-serang", "lapas-pandeglang"))
    add_user(registry, "kiosk-serang", Role.KIOSK, ("rutan-serang",))
    try:
        with TestClient(create_app(config, store, registry), follow_redirects=False) as c:
            yield c
    finally:
        store.close()


def test_the_api_gives_json_csv_and_a_printable_page(client: TestClient) -> None:
    h = login(client, "dinas-all")
    body = client.get("/api/v1/reports/national?month=2026-11", headers=h).json()
    assert [p["province"] for p in body["provinces"]] == ["Banten", "Papua"]
    assert body["total"]["production_kg"] == 121.0
    rows = list(csv.reader(io.StringIO(
        client.get("/api/v1/reports/national.csv?month=2026-11", headers=h).text)))
    assert rows[0][:3] == ["province", "regency", "site"]
    assert [r[2] for r in rows[1:4]] == list(SITES)
    assert rows[-1][0] == "total" and float(rows[-1][7]) == 121.0
    html = client.get("/api/v1/reports/national.html?month=2026-11&province=Banten",
                      headers=h).text
    assert "Lapas Pandeglang" in html and "Lapas Abepura" not in html
    assert "111,0 kg" in html  # Indonesian number format
    assert client.get("/api/v1/reports/national?month=2026-13", headers=h).status_code == 422


def test_a_scoped_dinas_sees_its_own_sites_and_a_kiosk_none(client: TestClient) -> None:
    body = client.get("/api/v1/reports/national?month=2026-11",
                      headers=login(client, "dinas-banten")).json()
    assert [s["site"] for s in body["sites"]] == ["rutan-serang", "lapas-pandeglang"]
    r = client.get("/api/v1/reports/national?month=2026-11",
                   headers=login(client, "kiosk-serang"))
    assert r.status_code == 403


def test_the_national_page_filters_and_links_to_the_site(client: TestClient) -> None:
    assert page_login(client, "dinas-all").status_code == 303
    html = client.get("/national").text
    for name, *_ in SITES.values():
        assert name in html
    assert 'href="/?site=lapas-jayapura"' in html
    assert 'href="/national"' in html  # the nav link
    only = client.get("/national?province=Papua&kind=lapas").text
    assert "Lapas Abepura" in only and "Rutan Kelas IIB Serang" not in only
    assert "Lapas Abepura" not in client.get("/national?kind=rutan").text
    overview = client.get("/?site=lapas-jayapura").text
    assert "Lapas Abepura" in overview and "Lapas Pandeglang" not in overview
