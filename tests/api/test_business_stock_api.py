"""Seed fish off the stock card at stocking, and the batch route's question about an odd
yield (issue #20 items 2-3), through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from kolam.registry.cycles import Cycles
from kolam.registry.records import NewCycle, NewMember, NewTeam, Programme
from kolam.registry.teams import Teams
from kolam.timeutil import WIB, iso, to_ms
from tests.utils.farm import SITE_A, Farm, module_farm


def wib(month: int, day: int, hour: int = 9) -> int:
    return to_ms(datetime(2026, month, day, hour, tzinfo=WIB))


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with module_farm(tmp_path_factory.mktemp("bizstock") / "data") as f:
        f.registry.ensure_pond(SITE_A, "kolam-3")
        yield f


def test_stockings_take_the_seed_off_the_card(farm: Farm) -> None:
    """A team of its own, by hand:
      1 Aug  kolam-2 stocked with 1.000 before the team kept seed on its card: not deducted
      30 Aug that cycle ends (pond repairs)
      1 Sep  2.000 ekor "benih lele 5-7 cm" delivered, paid Rp 600.000 (Rp 300 each,
             DOMAIN.md): card 2.000
      2 Sep  kolam-2 stocked with 1.500 (POST .../cycles): 2.000 - 1.500 = 500
      5 Sep  kolam-3 stocked with 800 (as the stocking page does): 500 - 800 = -300, not
             refused (the card can be wrong)
      6 Sep  a count finds 250: adjustment 250 - (-300) = +550
      delivered 2.000, used 1.500 + 800 = 2.300, adjusted +550, on hand 250
    """
    reg, c = farm.registry, farm.client
    teams, cycles = Teams(reg.engine), Cycles(reg.engine)
    team = teams.add_team(SITE_A, NewTeam("Benih Uji (fiktif)", Programme.ENTREPRENEURSHIP,
                                          wib(7, 1, 8)))
    teams.add_member(SITE_A, team.id, NewMember("REG-S-1", "Anggota S1", wib(7, 1, 8)))
    old = cycles.start(SITE_A, "kolam-2", NewCycle(team.id, wib(8, 1), 1000, 2.0))
    cycles.end(SITE_A, old.id, wib(8, 30), "perbaikan kolam")
    base = f"/api/v1/sites/{SITE_A}/teams/{team.id}"
    r = c.post(base + "/stock", headers=farm.as_("trainer"), json={
        "at": iso(wib(9, 1)), "kind": "delivery", "item_kind": "seed",
        "item": "benih lele 5-7 cm", "quantity": 2000, "unit": "ekor", "paid_rp": 600_000})
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/sites/{SITE_A}/ponds/kolam-2/cycles", headers=farm.as_("officer"),
               json={"team_id": team.id, "stocked_at": iso(wib(9, 2)), "seed_count": 1500,
                     "seed_weight_g": 1.5})
    assert r.status_code == 201, r.text
    second = r.json()["id"]
    third = cycles.start(SITE_A, "kolam-3", NewCycle(team.id, wib(9, 5), 800, 1.5)).id

    def seed() -> dict[str, object]:
        r = c.get(base + "/stock", headers=farm.as_("trainer"))
        assert r.status_code == 200, r.text
        (line,) = [x for x in r.json()["lines"] if x["item_kind"] == "seed"]
        got: dict[str, object] = line
        return got

    line = seed()
    assert (line["item"], line["unit"], line["delivered"], line["used"], line["on_hand"]) == (
        "benih lele 5-7 cm", "ekor", 2000, 2300, -300)
    r = c.post(base + "/stock", headers=farm.as_("trainer"), json={
        "at": iso(wib(9, 6)), "kind": "count", "item_kind": "seed",
        "item": "benih lele 5-7 cm", "quantity": 250, "unit": "ekor"})
    assert r.status_code == 201, r.text
    line = seed()
    assert (line["delivered"], line["used"], line["adjusted"], line["on_hand"]) == (
        2000, 2300, 550, 250)
    moves = c.get(base + "/stock/moves", headers=farm.as_("dinas")).json()
    assert [(m["source"], m["source_id"], m["kind"], m["quantity"], m["at"][:10])
            for m in moves if m["source"] == "stocking"] == [
        ("stocking", second, "use", 1500, "2026-09-02"),
        ("stocking", third, "use", 800, "2026-09-05")]
    (count,) = [m for m in moves if m["kind"] == "count"]
    assert count["adjustment"] == 550
    # The seed is paid once: the delivery's book entry, no cycle seed cost.
    book = c.get(base + "/cashbook", headers=farm.as_("trainer")).json()
    assert [(e["source"], e["category"], e["amount_rp"]) for e in book] == [
        ("book", "seed", 600_000)]


def test_a_team_without_seed_on_its_card_has_no_seed_line(farm: Farm) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/teams/{farm.ids[SITE_A]['team']}/stock",
                        headers=farm.as_("officer"))
    assert r.status_code == 200
    assert [x for x in r.json()["lines"] if x["item_kind"] == "seed"] == []


def test_an_odd_yield_is_asked_about_then_stored_when_confirmed(farm: Farm) -> None:
    """The farm team's harvest of 5 kg at Rp 20.000/kg. Abon yields 1,0-8,0 packs per kg
    (kolam/business/plausible.py YIELDS): 10 packs from 2 kg (5 per kg) is stored at once;
    40 packs from 2 kg (20 per kg, a slip of a zero) is asked about, then stored with
    confirm; a refusal (more fish than the harvest) is not a question confirm overrides."""
    c, team = farm.client, farm.ids[SITE_A]["team"]
    base = f"/api/v1/sites/{SITE_A}/teams/{team}/products/batches"
    harvest = c.get(f"/api/v1/sites/{SITE_A}/cycles/{farm.ids[SITE_A]['cycle']}/harvests",
                    headers=farm.as_("officer")).json()[0]["id"]
    body = {"product": "abon lele", "harvest_id": harvest, "fish_kg": 2, "packs": 10}
    ok = c.post(base, json=body, headers=farm.as_("trainer"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["cost_per_pack_rp"] == 4_000  # 2 kg x Rp 20.000 / 10 packs
    odd = c.post(base, json=body | {"packs": 40}, headers=farm.as_("trainer"))
    assert odd.status_code == 422
    assert (odd.json()["needs_confirmation"], odd.json()["check"]) == (True,
                                                                       "batch_yield_odd")
    assert "20.0 packs per kg, outside 1-8" in odd.json()["detail"]
    assert len(c.get(base, headers=farm.as_("trainer")).json()) == 1  # nothing stored
    sure = c.post(base, json=body | {"packs": 40, "confirm": True},
                  headers=farm.as_("trainer"))
    assert sure.status_code == 201, sure.text
    assert sure.json()["packs"] == 40 and sure.json()["cost_per_pack_rp"] == 1_000
    over = c.post(base, json=body | {"fish_kg": 6, "packs": 1000, "confirm": True},
                  headers=farm.as_("trainer"))
    assert over.status_code == 422 and "needs_confirmation" not in over.json()
    batches = c.get(base, headers=farm.as_("trainer")).json()
    assert [(b["packs"], b["fish_kg"]) for b in batches] == [(10, 2), (40, 2)]
    audit = c.get("/api/v1/audit", params={"site": SITE_A}, headers=farm.as_("admin")).json()
    assert len([a for a in audit if a["entity"] == "product_batch"]) == 2


def test_a_product_sale_names_the_teams_product_and_asks_about_packs(farm: Farm) -> None:
    """POST .../cashbook with category product_sales, money in: ``product`` must be one of
    the team's products (422 without it, or with another team's); more packs than the
    stock card holds are 422 ``needs_confirmation`` (``sale_over_stock``) and stored when
    resent with confirm, as the book's, the kiosk's and the products page's forms ask. By
    hand: 1 kg of the farm team's harvest makes 3 packs of kerupuk kulit (3 per kg, within
    0,3-4,0); 2 sold (card 1), then 4 asked about and confirmed (card 1 - 4 = -3)."""
    c, team = farm.client, farm.ids[SITE_A]["team"]
    base = f"/api/v1/sites/{SITE_A}/teams/{team}"
    harvest = c.get(f"/api/v1/sites/{SITE_A}/cycles/{farm.ids[SITE_A]['cycle']}/harvests",
                    headers=farm.as_("officer")).json()[0]["id"]
    r = c.post(base + "/products/batches", headers=farm.as_("trainer"), json={
        "product": "kerupuk kulit", "harvest_id": harvest, "fish_kg": 1, "packs": 3})
    assert r.status_code == 201, r.text

    def sell(body: dict[str, object], where: str = base) -> Any:
        return c.post(where + "/cashbook", headers=farm.as_("trainer"), json={
            "direction": "in", "category": "product_sales", "amount_rp": 30_000,
            "quantity": 2} | body)

    def on_hand() -> float:
        lines = c.get(base + "/stock", headers=farm.as_("trainer")).json()["lines"]
        return float(next(x["on_hand"] for x in lines if x["item"] == "kerupuk kulit"))

    before = len(c.get(base + "/cashbook", headers=farm.as_("trainer")).json())
    for product in ({}, {"product": "rendang"}, {"product": "  "}):
        r = sell(product)
        assert r.status_code == 422 and "needs_confirmation" not in r.json(), r.text
        assert "a product sale names the product sold, one of the team's products (" in (
            r.json()["detail"]), r.text
        assert "kerupuk kulit" in r.json()["detail"]
    other = Teams(farm.registry.engine).add_team(SITE_A, NewTeam(
        "Tanpa Produk (fiktif)", Programme.ENTREPRENEURSHIP, wib(7, 1, 8)))
    r = sell({"product": "kerupuk kulit"}, f"/api/v1/sites/{SITE_A}/teams/{other.id}")
    assert r.status_code == 422 and "none yet: record a batch first" in r.json()["detail"]
    r = sell({"product": "kerupuk kulit", "quantity": None})
    assert r.status_code == 422 and "how many packs of kerupuk kulit" in r.json()["detail"]
    assert len(c.get(base + "/cashbook", headers=farm.as_("trainer")).json()) == before

    r = sell({"product": " Kerupuk  KULIT ", "unit": None})  # spelt as the card spells it
    assert r.status_code == 201, r.text
    assert (r.json()["product"], r.json()["unit"], r.json()["quantity"]) == (
        "kerupuk kulit", "pak", 2)
    assert on_hand() == 1
    over = sell({"product": "kerupuk kulit", "quantity": 4, "amount_rp": 60_000})
    assert over.status_code == 422
    assert (over.json()["needs_confirmation"], over.json()["check"]) == (True,
                                                                         "sale_over_stock")
    assert "4 packs of kerupuk kulit sold, but the stock card holds 1" in over.json()["detail"]
    assert on_hand() == 1  # nothing stored
    sure = sell({"product": "kerupuk kulit", "quantity": 4, "amount_rp": 60_000,
                 "confirm": True})
    assert sure.status_code == 201, sure.text
    assert on_hand() == -3
    (result,) = [p for p in c.get(base + "/products", headers=farm.as_("trainer")).json()
                 if p["product"] == "kerupuk kulit"]
    assert (result["packs_made"], result["packs_sold"], result["sales_rp"]) == (3, 6, 90_000)
    # Money out as product_sales (a refund) names nothing and is not refused for it.
    r = c.post(base + "/cashbook", headers=farm.as_("trainer"), json={
        "direction": "out", "category": "product_sales", "amount_rp": 15_000})
    assert r.status_code == 201, r.text
