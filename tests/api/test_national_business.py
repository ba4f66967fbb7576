"""The teams' business in the reports (issue #20 item 6): the national report's and the
monthly report's cash-book sums (``kolam.registry.business_totals``, in SQL) are what each
team's month summary gives, summed over the site's teams, on SQLite and PostgreSQL.

Computed by hand. ``serang`` (WIB), team "Usaha Lele Uji (fiktif)" (the farm's own team
"Lele Jaya" has nothing before 22 October):

- August: in Rp 1.000.000 (capital, typed); out the cycle's seed Rp 150.000 (stocked 5 Aug)
  + a cycle cost Rp 40.000 (a voided one of Rp 99.000 is not in the book) + transport
  Rp 35.000 typed wrong and reversed the next day (taken off "out") + Rp 25.000 right:
  out Rp 215.000, profit Rp 785.000, closing Rp 785.000.
- September: a harvest of 20 kg x Rp 22.000 = Rp 440.000 (fish sales; a 5 kg harvest kept
  for processing, price 0, is not); a batch of abon lele from that fish, 20 packs, its inputs
  Rp 60.000 paid; 8 packs sold for Rp 200.000 and 2 for Rp 50.000 (reversed on 3 October);
  electricity Rp 100.000. In 440.000 + 200.000 + 50.000 = Rp 690.000 (the month is closed
  when the reversal comes), out Rp 160.000, profit Rp 530.000; packs made 20, sold 8 (the
  stock card gives the 2 reversed packs back); closing Rp 1.315.000.
- October: the reversal of September's sale counts as out, Rp 50.000; a feed cost of the
  cycle Rp 200.000; its final harvest of 30 kg x Rp 21.000 = Rp 630.000. In Rp 630.000, out
  Rp 250.000, profit Rp 380.000, product sales Rp 0; closing Rp 1.695.000.

``lapas-jayapura`` (Papua, WIT = UTC+9), team "Usaha Abepura (fiktif)": equipment Rp 80.000
out on 30 Sep; at 00:30-01:00 WIT on 1 October (still 30 September in Serang) fish sold for
Rp 100.000, a batch of 10 packs of kerupuk kulit and 3 of them sold for Rp 45.000. Its
September: out Rp 80.000; its October: in Rp 145.000, packs 10 made and 3 sold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from api.i18n import rupiah
from kolam.config import KolamConfig, load_config
from kolam.farming.monthly import month_span
from kolam.places import SiteKind, SitePlace, site_zone
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.places import Places
from kolam.registry.records import (
    CostCategory,
    NewCost,
    NewCycle,
    NewHarvest,
    NewMember,
    NewTeam,
    Programme,
)
from kolam.registry.teams import Teams
from kolam.timeutil import iso, local_month, now_ms, to_ms
from tests.utils.auth import page_login
from tests.utils.farm import SECRETS, SITE_A, SITE_B, Farm, farm_app

WIB = timezone(timedelta(hours=7))
WIT = timezone(timedelta(hours=9))
WIT_SITE = "lapas-jayapura"
SECRET_NAME = "Citra Rahasia Fiktif"
MONTHS = ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]


def at(month: int, day: int, hour: int = 9, minute: int = 0, tz: timezone = WIB) -> int:
    return to_ms(datetime(2026, month, day, hour, minute, tzinfo=tz))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def farm(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Farm]:
    data = tmp_path_factory.mktemp("biz") / "data"
    database: dict[str, str] = {}
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        database["database_url"] = server.create()
    with pytest.MonkeyPatch.context() as mp:
        import os
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)

        def make(**overrides: object) -> KolamConfig:
            return load_config(None, **({"data_dir": data} | database | overrides))

        try:
            with farm_app(make) as f:
                seed(f)
                yield f
        finally:
            if database:
                server.drop(database["database_url"])


def seed(farm: Farm) -> None:
    reg, c = farm.registry, farm.client
    teams, cycles, entries = Teams(reg.engine), Cycles(reg.engine), Entries(reg.engine)
    Places(reg.engine).add_site(WIT_SITE, SitePlace(name="Lapas Abepura", kind=SiteKind.LAPAS,
                                                    province="Papua",
                                                    timezone="Asia/Jayapura"))
    reg.ensure_pond(WIT_SITE, "kolam-1")
    for i in range(20):  # more sites than the overview once read books for
        reg.ensure_pond(f"upt-{i:02}", "kolam-1")

    def post(site: str, team: int, path: str, body: dict[str, Any],
             who: str = "trainer") -> dict[str, Any]:
        r = c.post(f"/api/v1/sites/{site}/teams/{team}{path}", json=body,
                   headers=farm.as_(who))
        assert r.status_code == 201, r.text
        got: dict[str, Any] = r.json()
        return got

    team = teams.add_team(SITE_A, NewTeam("Usaha Lele Uji (fiktif)",
                                          Programme.ENTREPRENEURSHIP, at(7, 1, 8))).id
    m = teams.add_member(SITE_A, team, NewMember("REG-U-7", "Anggota U7", at(7, 1, 8),
                                                 SECRET_NAME)).id
    book = "/cashbook"
    post(SITE_A, team, book, {"at": iso(at(8, 1)), "direction": "in", "category": "other",
                              "amount_rp": 1_000_000, "counterparty": "koperasi",
                              "member_ids": [m]})
    cycle = cycles.start(SITE_A, "kolam-2", NewCycle(team, at(8, 5), 1000, 2.0,
                                                      seed_cost_rp=150_000)).id
    entries.add_cost(SITE_A, cycle, NewCost(at(8, 10), CostCategory.OTHER, 40_000,
                                            "probiotik"), "officer")
    wrong = entries.add_cost(SITE_A, cycle, NewCost(at(8, 12), CostCategory.FEED, 99_000),
                             "officer")
    Corrections(reg.engine).void_cost(SITE_A, wrong.id, "officer", "dobel")
    typo = post(SITE_A, team, book, {"at": iso(at(8, 20)), "direction": "out",
                                     "category": "transport", "amount_rp": 35_000,
                                     "member_ids": [m]})
    post(SITE_A, team, book, {"at": iso(at(8, 21)), "reverses": typo["id"],
                              "reason": "salah tulis"})
    post(SITE_A, team, book, {"at": iso(at(8, 21)), "direction": "out",
                              "category": "transport", "amount_rp": 25_000})
    entries.add_harvest(SITE_A, cycle, NewHarvest(at(9, 10), 20.0, count=200, buyer="petugas",
                                                  price_per_kg_rp=22_000, member_ids=(m,)),
                        "officer", confirmed=True)
    kept = entries.add_harvest(SITE_A, cycle, NewHarvest(at(9, 11), 5.0, count=50),
                               "officer", confirmed=True)
    post(SITE_A, team, "/products/batches", {
        "at": iso(at(9, 12)), "product": "abon lele", "harvest_id": kept.id, "fish_kg": 5,
        "inputs_rp": 60_000, "inputs_paid": True, "packs": 20, "member_ids": [m]})
    sale = {"direction": "in", "category": "product_sales", "unit": "pak",
            "product": "abon lele", "member_ids": [m]}
    post(SITE_A, team, book, sale | {"at": iso(at(9, 15)), "amount_rp": 200_000,
                                     "quantity": 8})
    undone = post(SITE_A, team, book, sale | {"at": iso(at(9, 20)), "amount_rp": 50_000,
                                              "quantity": 2})
    post(SITE_A, team, book, {"at": iso(at(9, 25)), "direction": "out",
                              "category": "electricity", "amount_rp": 100_000})
    post(SITE_A, team, book, {"at": iso(at(10, 3)), "reverses": undone["id"],
                              "reason": "pembeli batal"})
    entries.add_cost(SITE_A, cycle, NewCost(at(10, 4), CostCategory.FEED, 200_000), "officer")
    entries.add_harvest(SITE_A, cycle, NewHarvest(at(10, 5), 30.0, final=True, count=300,
                                                  price_per_kg_rp=21_000), "officer",
                        confirmed=True)

    far = teams.add_team(WIT_SITE, NewTeam("Usaha Abepura (fiktif)",
                                           Programme.ENTREPRENEURSHIP, at(7, 1, tz=WIT))).id
    post(WIT_SITE, far, book, {"at": iso(at(9, 30, 10, tz=WIT)), "direction": "out",
                               "category": "equipment", "amount_rp": 80_000}, "admin")
    post(WIT_SITE, far, book, {"at": iso(at(10, 1, 0, 30, WIT)), "direction": "in",
                               "category": "fish_sales", "amount_rp": 100_000,
                               "quantity": 5, "unit": "kg"}, "admin")
    post(WIT_SITE, far, "/products/batches", {
        "at": iso(at(10, 1, 0, 45, WIT)), "product": "kerupuk kulit", "fish_kg": 4,
        "inputs_rp": 30_000, "packs": 10}, "admin")
    post(WIT_SITE, far, book, {"at": iso(at(10, 1, 1, 0, WIT)), "direction": "in",
                               "category": "product_sales", "amount_rp": 45_000,
                               "quantity": 3, "unit": "pak", "product": "kerupuk kulit"},
         "admin")
    post(SITE_B, farm.ids[SITE_B]["team"], book, {
        "at": iso(now_ms() - 60_000), "direction": "in", "category": "other",
        "amount_rp": 123_000, "note": "modal bulan ini"}, "admin")


def national(farm: Farm, month: str, fmt: str = "") -> Any:
    r = farm.client.get(f"/api/v1/reports/national{fmt}", params={"month": month},
                        headers=farm.as_("admin"))
    assert r.status_code == 200, r.text
    return r.json() if not fmt else r.text


BUSINESS = ("business_teams", "business_in_rp", "business_out_rp", "business_profit_rp",
            "fish_sales_rp", "product_sales_rp", "packs_made", "packs_sold")


@pytest.mark.parametrize(("month", "serang", "jayapura"), [
    ("2026-08", (1, 1_000_000, 215_000, 785_000, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0)),
    ("2026-09", (1, 690_000, 160_000, 530_000, 440_000, 250_000, 20, 8),
     (1, 0, 80_000, -80_000, 0, 0, 0, 0)),
])
def test_the_hand_computed_months_by_site(farm: Farm, month: str, serang: tuple[float, ...],
                                          jayapura: tuple[float, ...]) -> None:
    body = national(farm, month)
    rows = {s["site"]: s for s in body["sites"]}
    assert tuple(rows[SITE_A][k] for k in BUSINESS) == serang
    assert tuple(rows[WIT_SITE][k] for k in BUSINESS) == jayapura


def test_october_each_site_in_its_own_zone(farm: Farm) -> None:
    """Jayapura's sales at 00:30 WIT on 1 October are its October (30 September in WIB)."""
    rows = {s["site"]: s for s in national(farm, "2026-10")["sites"]}
    far = rows[WIT_SITE]
    assert tuple(far[k] for k in BUSINESS) == (1, 145_000, 0, 145_000, 100_000, 45_000,
                                               10, 3)
    papua = next(p for p in national(farm, "2026-10")["provinces"] if p["province"] == "Papua")
    assert tuple(papua[k] for k in BUSINESS) == tuple(far[k] for k in BUSINESS)


def test_the_monthly_report_lists_each_team(farm: Farm) -> None:
    c, h = farm.client, farm.as_("officer")
    base = f"/api/v1/sites/{SITE_A}/reports/monthly"
    (team,) = c.get(base, params={"month": "2026-09"}, headers=h).json()["business"]
    assert (team["team_name"], team["in_rp"], team["out_rp"], team["profit_rp"],
            team["closing_rp"], team["fish_sales_rp"], team["product_sales_rp"],
            team["packs_made"], team["packs_sold"]) == (
        "Usaha Lele Uji (fiktif)", 690_000, 160_000, 530_000, 1_315_000, 440_000, 250_000,
        20, 8)
    (october,) = [b for b in c.get(base, params={"month": "2026-10"}, headers=h).json()[
        "business"] if b["team_name"] == "Usaha Lele Uji (fiktif)"]  # Lele Jaya's too
    assert (october["in_rp"], october["out_rp"], october["closing_rp"],
            october["product_sales_rp"]) == (630_000, 250_000, 1_695_000, 0)
    table = list(csv.DictReader(io.StringIO(
        c.get(f"{base}.csv", params={"month": "2026-09"}, headers=h).text)))
    (line,) = [r for r in table if r["cycle_id"] == "business"]
    assert line["team_name"] == "Usaha Lele Uji (fiktif)" and line["feed_kg"] == ""
    assert (float(line["business_in_rp"]), float(line["business_profit_rp"]),
            float(line["business_closing_rp"]), float(line["packs_made"]),
            float(line["packs_sold"])) == (690_000, 530_000, 1_315_000, 20, 8)
    total = table[-1]
    assert total["cycle_id"] == "total" and float(total["harvested_kg"]) == 25.0
    assert float(total["business_out_rp"]) == 160_000
    cycles = [r for r in table if r["cycle_id"] not in ("business", "total")]
    assert cycles and all(r["business_in_rp"] == "" for r in cycles)


def _month_of(site_tz: str, month: str, iso_at: str) -> bool:
    start, end = month_span(month, site_zone(site_tz))
    return start <= to_ms(datetime.fromisoformat(iso_at)) < end


@pytest.mark.parametrize("month", sorted({*MONTHS, local_month(now_ms(), WIB)}))
def test_each_site_is_the_sum_of_its_teams_summaries(farm: Farm, month: str) -> None:
    """For every site: the SQL sums equal ``GET .../cashbook/summary`` summed over the
    site's teams, and the packs the stock card's moves of the month (batches in, sales
    out); the monthly report's teams are the same summaries."""
    c, h = farm.client, farm.as_("admin")
    body = national(farm, month)
    assert {SITE_A, SITE_B, WIT_SITE} <= {s["site"] for s in body["sites"]}
    for row in body["sites"]:
        site = row["site"]
        tz = farm.registry.site(site).timezone
        want = dict.fromkeys(BUSINESS, 0.0)
        books = {}
        for team in c.get(f"/api/v1/sites/{site}/teams", headers=h).json():
            base = f"/api/v1/sites/{site}/teams/{team['id']}"
            s = c.get(f"{base}/cashbook/summary", params={"month": month}, headers=h).json()
            cats = {x["category"]: x for x in s["by_category"]}
            moves = [m for m in c.get(f"{base}/stock/moves", headers=h).json()
                     if m["item_kind"] == "product" and _month_of(tz, month, m["at"])]
            made = sum(m["quantity"] for m in moves if m["source"] == "batch")
            sold = sum(m["quantity"] for m in moves if m["source"] == "sale")
            if not s["entries"] and not made:
                continue
            books[team["name"]] = s
            for k, v in (("business_teams", 1), ("business_in_rp", s["in_rp"]),
                         ("business_out_rp", s["out_rp"]),
                         ("business_profit_rp", s["profit_rp"]),
                         ("fish_sales_rp", cats.get("fish_sales", {}).get("in_rp", 0)),
                         ("product_sales_rp", cats.get("product_sales", {}).get("in_rp", 0)),
                         ("packs_made", made), ("packs_sold", sold)):
                want[k] += v
        assert {k: row[k] for k in BUSINESS} == pytest.approx(want), (site, month)
        report = c.get(f"/api/v1/sites/{site}/reports/monthly", params={"month": month},
                       headers=h).json()
        got = {b["team_name"]: (b["in_rp"], b["out_rp"], b["profit_rp"], b["closing_rp"])
               for b in report["business"]}
        assert sorted(got) == sorted(books), (site, month)
        for name, s in books.items():
            assert got[name] == pytest.approx(
                (s["in_rp"], s["out_rp"], s["profit_rp"], s["closing_rp"])), (site, name)
    total = body["total"]
    for k in BUSINESS:
        assert total[k] == pytest.approx(sum(s[k] for s in body["sites"]))


def test_the_csv_and_printable_report_carry_the_business(farm: Farm) -> None:
    rows = list(csv.DictReader(io.StringIO(national(farm, "2026-09", ".csv"))))
    serang = next(r for r in rows if r["site"] == SITE_A)
    assert (float(serang["business_in_rp"]), float(serang["packs_sold"])) == (690_000, 8)
    assert list(rows[0])[:15] == [  # the columns there were, in place; the new ones after
        "province", "regency", "site", "name", "kind", "active_cycles", "completed_cycles",
        "production_kg", "feed_kg", "dead_count", "revenue_rp", "costs_rp", "margin_rp",
        "survival_pct", "fcr"]
    total = rows[-1]
    assert total["province"] == "total" and float(total["business_out_rp"]) == 240_000
    html = national(farm, "2026-09", ".html")
    assert 'id="business-sites"' in html and "Rp 690.000" in html
    assert "Lapas Abepura" in html.split('id="business-sites"')[1]


def test_the_pages_show_the_business_of_every_site(farm: Farm) -> None:
    """This month's book of pandeglang's team (Rp 123.000 in, and what the farm's records
    add) shows on the national view and on the overview of more than 20 sites (the overview
    read books site by site, and only for 20)."""
    c = farm.client
    month = {s["site"]: s for s in national(farm, local_month(now_ms(), WIB))["sites"]}[SITE_B]
    assert month["business_in_rp"] >= 123_000
    line = (f"masuk {rupiah(month['business_in_rp'])}, "
            f"laba {rupiah(month['business_profit_rp'])}")
    assert page_login(c, "admin").status_code == 303
    national_page = c.get("/national").text
    assert line in national_page.split(f'id="site-{SITE_B}"')[1].split("</tr>")[0]
    assert len(farm.registry.sites()) > 20
    assert line in c.get("/").text


@pytest.mark.parametrize("role", ["admin", "officer", "dinas", "trainer", "kiosk"])
def test_business_totals_name_no_member(farm: Farm, role: str) -> None:
    """The reports name teams, never members: no role reads a full name or a registration
    number in them; trainers and kiosks may not read them at all."""
    c, h = farm.client, farm.as_(role)
    secrets = [SECRET_NAME, "REG-U-7", *SECRETS[SITE_A], *SECRETS[SITE_B]]
    for path in ("/api/v1/reports/national", "/api/v1/reports/national.csv",
                 "/api/v1/reports/national.html", f"/api/v1/sites/{SITE_A}/reports/monthly",
                 f"/api/v1/sites/{SITE_A}/reports/monthly.csv",
                 f"/api/v1/sites/{SITE_A}/reports/monthly.html"):
        r = c.get(path, params={"month": "2026-09"}, headers=h)
        if role in ("trainer", "kiosk"):
            assert r.status_code == 403, (role, path)
            continue
        assert r.status_code == 200, (role, path, r.text)
        assert not [s for s in secrets if s in r.text], (role, path)
