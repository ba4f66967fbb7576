"""A team's cash book and stock card through the API (issue #20): a month computed by hand
gives the exact summary and stock; corrections reverse, never edit; every write audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from kolam.config import KolamConfig
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import (
    CostCategory,
    LogKind,
    NewCost,
    NewCycle,
    NewHarvest,
    NewLog,
    NewMember,
    NewTeam,
    Programme,
)
from kolam.registry.teams import Teams
from kolam.timeutil import WIB, iso, to_ms
from tests.utils.farm import SECRETS, SITE_A, Farm, farm_app


def wib(month: int, day: int, hour: int = 9) -> int:
    return to_ms(datetime(2026, month, day, hour, tzinfo=WIB))


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    from kolam.config import load_config

    data = tmp_path_factory.mktemp("book") / "data"

    def make(**overrides: object) -> KolamConfig:
        return load_config(None, data_dir=data, **overrides)

    with farm_app(make) as f:
        yield f


@pytest.fixture(scope="module")
def month(farm: Farm) -> dict[str, int]:
    """The hand-computed month, October 2026, of a team of its own on pond kolam-2.

    Before October (the opening balance):
      1 Jul  in,  other       Rp 1.000.000  capital from the cooperative (typed)
      1 Aug  out, seed        Rp   300.000  1,000 seed at Rp 300 (the cycle's seed cost)
      opening 1 Oct = 1.000.000 - 300.000 = Rp 700.000
    October:
      3 Oct  out, feed        Rp   760.000  2 sacks x 30 kg pelet apung 31 %, paid (stock
                                             delivery with paid_rp: book and stock at once)
      10 Oct out, other       Rp    50.000  the cycle's cost "probiotik"
      12 Oct (a cost of Rp 380.000, voided: not in the book)
      15 Oct in,  fish_sales  Rp   440.000  harvest 20 kg x Rp 22.000
      16 Oct (a harvest of 5 kg kept for processing, price 0: not in the book)
      17 Oct out, other       Rp    90.000  a batch of abon lele: 5 kg of that fish (valued
                                             Rp 100.000, Rp 20.000/kg) and Rp 90.000 of
                                             inputs, paid: 20 packs, Rp 9.500 a pack
      20 Oct out, electricity Rp   120.000  typed
      21 Oct out, transport   Rp    35.000  typed, wrong
      22 Oct      transport   reversal of the Rp 35.000 (takes it off "out")
      22 Oct out, transport   Rp    25.000  the right amount
      25 Oct in,  product_sales Rp 300.000  12 packs of abon lele at Rp 25.000
      28 Oct in,  fish_sales  Rp   630.000  harvest 30 kg x Rp 21.000
      in  = 440.000 + 630.000 + 300.000                                   = Rp 1.370.000
      out = 760.000 + 50.000 + 90.000 + 120.000 + 35.000 - 35.000 + 25.000 = Rp 1.045.000
      closing = 700.000 + 1.370.000 - 1.045.000                           = Rp 1.025.000
      by category: fish_sales in 1.070.000; product_sales in 300.000; feed out 760.000;
      electricity out 120.000; transport out 25.000; other out 50.000 + 90.000 = 140.000
    Stock of pelet apung 31 %: 60 kg in (3 Oct); feeding logs 4-13 Oct, 10 x 2.5 kg = 25 kg;
    a count on 25 Oct finds 33 kg where the card says 60 - 25 = 35 (adjustment -2 kg);
    feeding 26 and 27 Oct, 2 x 2.5 kg = 5 kg: on hand 33 - 5 = 28 kg = 0.9333 sacks of 30 kg.
    Abon lele: 20 packs made, 12 sold, 8 on hand; cost 100.000 + 90.000 = 190.000, Rp 9.500 a
    pack; margin 300.000 - 12 x 9.500 = 186.000; yield 20 packs / 5 kg = 4 packs per kg.
    The cycle's profit and loss: in 1.070.000; out 300.000 + 50.000 and the feed it used from
    the stock card, 30 kg at 760.000 / 60 kg = Rp 12.666,67/kg = 380.000: out 730.000,
    profit 340.000.
    """
    reg = farm.registry
    teams, cycles, entries = Teams(reg.engine), Cycles(reg.engine), Entries(reg.engine)
    team = teams.add_team(SITE_A, NewTeam("Usaha Lele Uji (fiktif)", Programme.ENTREPRENEURSHIP,
                                          wib(7, 1, 8)))
    m1 = teams.add_member(SITE_A, team.id, NewMember("REG-U-1", "Anggota U1", wib(7, 1, 8)))
    m2 = teams.add_member(SITE_A, team.id, NewMember("REG-U-2", "Anggota U2", wib(7, 1, 8)))
    c, trainer = farm.client, farm.as_("trainer")
    base = f"/api/v1/sites/{SITE_A}/teams/{team.id}"

    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        r = c.post(base + path, json=body, headers=trainer)
        assert r.status_code == 201, r.text
        got: dict[str, object] = r.json()
        return got

    post("/cashbook", {"at": iso(wib(7, 1)), "direction": "in", "category": "other",
                       "amount_rp": 1_000_000, "counterparty": "koperasi",
                       "note": "modal awal"})
    cycle = cycles.start(SITE_A, "kolam-2", NewCycle(team.id, wib(8, 1), 1000, 2.0,
                                                      seed_cost_rp=300_000))
    post("/stock", {"at": iso(wib(10, 3)), "kind": "delivery", "item_kind": "feed",
                    "item": "pelet apung", "protein_pct": 31, "quantity": 2, "unit": "sak",
                    "paid_rp": 760_000, "counterparty": "toko pakan",
                    "member_ids": [m1.id, m2.id]})
    for day in (*range(4, 14), 26, 27):
        entries.add_log(SITE_A, cycle.id, NewLog(LogKind.FEEDING, wib(10, day, 8), m1.id,
                                                 feed_kg=2.5, feed_type="Pelet Apung",
                                                 protein_pct=31), "officer", confirmed=True)
    entries.add_cost(SITE_A, cycle.id, NewCost(wib(10, 10), CostCategory.OTHER, 50_000,
                                               "probiotik"), "officer")
    wrong = entries.add_cost(SITE_A, cycle.id, NewCost(wib(10, 12), CostCategory.FEED,
                                                       380_000), "officer")
    Corrections(reg.engine).void_cost(SITE_A, wrong.id, "officer", "dobel")
    entries.add_harvest(SITE_A, cycle.id, NewHarvest(wib(10, 15), 20.0, count=200,
                                                     buyer="petugas", price_per_kg_rp=22_000,
                                                     member_ids=(m1.id,)), "officer",
                        confirmed=True)
    kept = entries.add_harvest(SITE_A, cycle.id, NewHarvest(wib(10, 16), 5.0, count=50,
                                                            member_ids=(m1.id,)), "officer",
                               confirmed=True)
    post("/products/batches", {"at": iso(wib(10, 17)), "product": "abon lele",
                               "harvest_id": kept.id, "fish_kg": 5, "fish_rp": 100_000,
                               "inputs_rp": 90_000, "inputs_paid": True, "packs": 20,
                               "member_ids": [m1.id, m2.id]})
    post("/cashbook", {"at": iso(wib(10, 20)), "direction": "out", "category": "electricity",
                       "amount_rp": 120_000, "note": "listrik aerator"})
    typo = post("/cashbook", {"at": iso(wib(10, 21)), "direction": "out",
                              "category": "transport", "amount_rp": 35_000,
                              "member_ids": [m2.id]})
    reversal = post("/cashbook", {"at": iso(wib(10, 22)), "reverses": typo["id"],
                                  "reason": "salah tulis: Rp 25.000"})
    post("/cashbook", {"at": iso(wib(10, 22)), "direction": "out", "category": "transport",
                       "amount_rp": 25_000, "member_ids": [m2.id]})
    post("/cashbook", {"at": iso(wib(10, 25)), "direction": "in", "category": "product_sales",
                       "amount_rp": 300_000, "quantity": 12, "unit": "pak",
                       "product": "abon lele", "member_ids": [m2.id]})
    post("/stock", {"at": iso(wib(10, 25, 17)), "kind": "count", "item_kind": "feed",
                    "item": "pelet apung", "protein_pct": 31, "quantity": 33, "unit": "kg",
                    "member_ids": [m2.id]})
    entries.add_harvest(SITE_A, cycle.id, NewHarvest(wib(10, 28), 30.0, count=300,
                                                     buyer="pengunjung",
                                                     price_per_kg_rp=21_000,
                                                     member_ids=(m1.id, m2.id)), "officer",
                        confirmed=True)
    return {"team": team.id, "cycle": cycle.id, "typo": int(str(typo["id"])),
            "reversal": int(str(reversal["id"])), "m1": m1.id, "m2": m2.id}


def test_the_hand_computed_month_summary(farm: Farm, month: dict[str, int]) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{month['team']}/cashbook/summary",
                        params={"month": "2026-10"}, headers=farm.as_("trainer"))
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["opening_rp"], s["in_rp"], s["out_rp"], s["closing_rp"]) == (
        700_000, 1_370_000, 1_045_000, 1_025_000)
    assert s["profit_rp"] == 325_000
    assert {c["category"]: (c["in_rp"], c["out_rp"]) for c in s["by_category"]} == {
        "fish_sales": (1_070_000, 0), "product_sales": (300_000, 0), "feed": (0, 760_000),
        "electricity": (0, 120_000), "transport": (0, 25_000), "other": (0, 140_000)}
    sept = farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{month['team']}/cashbook/summary",
                           params={"month": "2026-09"}, headers=farm.as_("officer")).json()
    assert (sept["opening_rp"], sept["in_rp"], sept["out_rp"], sept["closing_rp"]) == (
        700_000, 0, 0, 700_000)


def test_the_book_holds_harvests_and_costs_once_and_not_the_voided(
        farm: Farm, month: dict[str, int]) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{month['team']}/cashbook",
                        params={"month": "2026-10"}, headers=farm.as_("officer"))
    lines = r.json()
    sources = [(e["source"], e["category"], e["amount_rp"]) for e in lines]
    assert sources.count(("harvest", "fish_sales", 440_000)) == 1
    assert sources.count(("harvest", "fish_sales", 630_000)) == 1
    assert ("cost", "other", 50_000) in sources and ("cost", "feed", 380_000) not in sources
    assert sources.count(("book", "feed", 760_000)) == 1  # the paid delivery, written once
    typo = next(e for e in lines if e["id"] == month["typo"])
    assert typo["reversed_by"] == month["reversal"]
    rev = next(e for e in lines if e["id"] == month["reversal"])
    assert (rev["direction"], rev["reverses"], rev["reason"]) == (
        "in", month["typo"], "salah tulis: Rp 25.000")


def test_the_hand_computed_stock(farm: Farm, month: dict[str, int]) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{month['team']}/stock",
                        headers=farm.as_("trainer"))
    assert r.status_code == 200, r.text
    feed, abon = r.json()["lines"]  # feed first, products last
    assert (feed["item"], feed["protein_pct"], feed["unit"]) == ("pelet apung", 31, "kg")
    assert (feed["delivered"], feed["used"], feed["adjusted"], feed["on_hand"]) == (
        60, 30, -2, 28)
    assert feed["sacks"] == pytest.approx(28 / 30)
    assert (abon["item"], abon["delivered"], abon["used"], abon["on_hand"]) == (
        "abon lele", 20, 12, 8)
    moves = farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{month['team']}/stock/moves",
                            headers=farm.as_("trainer")).json()
    assert [m["source"] for m in moves].count("feeding") == 12
    (count,) = [m for m in moves if m["kind"] == "count"]
    assert count["adjustment"] == -2
    left = r.json()["feed_left"]
    assert left["on_hand_kg"] == 28  # the cycle is active: a ration by the table
    assert left["ration_kg_per_day"] > 0
    assert left["days_left"] == pytest.approx(28 / left["ration_kg_per_day"])


def test_profit_and_loss_per_cycle_and_month(farm: Farm, month: dict[str, int]) -> None:
    base = f"/api/v1/sites/{SITE_A}/teams/{month['team']}/cashbook"
    (cycle,) = farm.client.get(f"{base}/cycles", headers=farm.as_("dinas")).json()
    assert (cycle["cycle_id"], cycle["in_rp"], cycle["feed_stock_rp"]) == (
        month["cycle"], 1_070_000, pytest.approx(380_000))
    assert cycle["out_rp"] == pytest.approx(730_000)
    assert cycle["profit_rp"] == pytest.approx(340_000)
    months = farm.client.get(f"{base}/months", headers=farm.as_("dinas")).json()
    assert [(m["month"], m["profit_rp"]) for m in months] == [
        ("2026-10", 325_000), ("2026-08", -300_000), ("2026-07", 1_000_000)]


def test_corrections_are_audited_and_never_twice(farm: Farm, month: dict[str, int]) -> None:
    c, base = farm.client, f"/api/v1/sites/{SITE_A}/teams/{month['team']}/cashbook"
    again = c.post(base, json={"reverses": month["typo"], "reason": "lagi"},
                   headers=farm.as_("officer"))
    assert again.status_code == 422 and "already reversed" in again.json()["detail"]
    rev = c.post(base, json={"reverses": month["reversal"], "reason": "x"},
                 headers=farm.as_("officer"))
    assert rev.status_code == 422
    assert c.post(base, json={"reverses": month["typo"]},
                  headers=farm.as_("officer")).status_code == 422  # no reason
    audit = c.get("/api/v1/audit", params={"site": SITE_A}, headers=farm.as_("admin")).json()
    lines = [a for a in audit if a["entity"] == "cash_entry"]
    assert any(a["action"] == "correct" and a["entity_id"] == month["typo"]
               and "salah tulis" in a["detail"] and "amount_rp=35000" in a["detail"]
               for a in lines)
    assert {a["username"] for a in lines} == {"trainer"}
    assert any(a["entity"] == "stock_move" for a in audit)


def test_implausible_amounts_are_asked_about(farm: Farm, month: dict[str, int]) -> None:
    c, base = farm.client, f"/api/v1/sites/{SITE_A}/teams/{month['team']}/cashbook"
    body = {"at": iso(wib(11, 2)), "direction": "out", "category": "feed",
            "amount_rp": 22, "note": "22.000 typed as 22"}
    r = c.post(base, json=body, headers=farm.as_("trainer"))
    assert r.status_code == 422 and "22,000" in r.json()["detail"]
    r = c.post(base, json=body | {"amount_rp": 380_000, "quantity": 30, "unit": "kg"},
               headers=farm.as_("trainer"))
    assert r.status_code == 201, r.text  # Rp 12.667/kg: a sack's price
    r = c.post(base, json=body | {"amount_rp": 3_800, "quantity": 30, "unit": "kg"},
               headers=farm.as_("trainer"))
    assert r.status_code == 422 and "/kg" in r.json()["detail"]
    r = c.post(base, json=body | {"direction": "in", "category": "fish_sales",
                                  "amount_rp": 60_000, "quantity": 30, "unit": "kg"},
               headers=farm.as_("trainer"))
    assert r.status_code == 422  # Rp 2.000/kg of lele
    assert c.post(base, json=body | {"amount_rp": 1e12}, headers=farm.as_("trainer")
                  ).status_code == 422  # over the bound
    assert c.post(base, json=body | {"member_ids": [farm.ids[SITE_A]["member"]],
                                     "amount_rp": 50_000}, headers=farm.as_("trainer")
                  ).status_code == 422  # a member of another team


def test_trainer_and_kiosk_see_no_names_in_the_book(farm: Farm, month: dict[str, int]) -> None:
    base = f"/api/v1/sites/{SITE_A}/teams/{farm.ids[SITE_A]['team']}"
    farm.client.post(base + "/cashbook", json={"direction": "in", "category": "fish_sales",
                                               "amount_rp": 100_000,
                                               "member_ids": [farm.ids[SITE_A]["member"]]},
                     headers=farm.as_("trainer"))
    for path in ("/cashbook", "/stock", "/stock/moves", "/cashbook/summary"):
        r = farm.client.get(base + path, headers=farm.as_("trainer"))
        assert r.status_code == 200 and SECRETS[SITE_A][0] not in r.text
        assert farm.client.get(base + path, headers=farm.as_("kiosk")).status_code == 403
    # The trainer's team page shows aliases only.
    assert farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{farm.ids[SITE_A]['team']}/members",
                           headers=farm.as_("trainer")).status_code == 403


def test_the_skill_record_counts_business_work(farm: Farm, month: dict[str, int]) -> None:
    """Anggota U2: the paid feed delivery, the batch's inputs, the right transport entry
    (the wrong one and its reversal do not count) and the abon sale; sales: the second
    harvest and the abon; one stock count; October closed. Anggota U1: the feed delivery
    and the batch's inputs, both harvests sold (not the one kept at price 0), no count."""
    def record(member: int) -> dict[str, object]:
        r = farm.client.get(f"/api/v1/sites/{SITE_A}/members/{member}/skill-record.json",
                            headers=farm.as_("officer"))
        assert r.status_code == 200, r.text
        got: dict[str, object] = r.json()
        return got

    assert record(month["m2"])["business"] == {"entries": 4, "sales": 2, "stock_counts": 1,
                                                "months_closed": 1, "product_batches": 1}
    u1 = record(month["m1"])
    assert u1["business"] == {"entries": 2, "sales": 2, "stock_counts": 0, "months_closed": 1,
                              "product_batches": 1}
    codes = {c["code"] for c in u1["competencies"]}  # type: ignore[attr-defined]
    assert {"month_close", "processing"} <= codes and "bookkeeping" not in codes  # 2 < 10


def test_the_monthly_report_adds_the_teams_business(farm: Farm,
                                                    month: dict[str, int]) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/reports/monthly", params={"month": "2026-10"},
                        headers=farm.as_("dinas"))
    assert r.status_code == 200, r.text
    (team,) = [b for b in r.json()["business"] if b["team_id"] == month["team"]]
    assert (team["in_rp"], team["out_rp"], team["profit_rp"], team["closing_rp"],
            team["fish_sales_rp"], team["product_sales_rp"]) == (
        1_370_000, 1_045_000, 325_000, 1_025_000, 1_070_000, 300_000)
    html = farm.client.get(f"/api/v1/sites/{SITE_A}/reports/monthly.html",
                           params={"month": "2026-10"}, headers=farm.as_("dinas")).text
    assert "Usaha kelompok" in html and "Rp 1.025.000" in html


def test_yield_and_margin_of_a_product(farm: Farm, month: dict[str, int]) -> None:
    base = f"/api/v1/sites/{SITE_A}/teams/{month['team']}/products"
    (abon,) = farm.client.get(base, headers=farm.as_("dinas")).json()
    assert (abon["product"], abon["batches"], abon["fish_kg"], abon["packs_made"],
            abon["packs_sold"], abon["cost_rp"], abon["cost_per_pack_rp"], abon["sales_rp"],
            abon["margin_rp"], abon["yield_packs_per_kg"]) == (
        "abon lele", 1, 5, 20, 12, 190_000, 9_500, 300_000, 186_000, 4)
    (batch,) = farm.client.get(base + "/batches", headers=farm.as_("trainer")).json()
    assert batch["cost_per_pack_rp"] == 9_500
    r = farm.client.post(base + "/batches", headers=farm.as_("trainer"), json={
        "product": "nugget", "fish_kg": 999, "packs": 10,
        "harvest_id": batch["harvest_id"]})
    assert r.status_code == 422  # more fish than the harvest had
