"""The team's processed products page (issue #20 items 3-4): yield and margin per product,
the batches, the batch form (fish from one of the team's harvests, numbers typed the
Indonesian way, odd packs per kg asked about, more fish than the harvest has refused),
audited as the API; trainers see members by alias only, the kiosk not at all.

The demo's fictional business makes and sells kerupuk kulit lele (checked in
test_business_pages.py); the module adds one harvest to the entrepreneurship team's active
pond and seeds the batches it needs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kolam.business.records import CashCategory, Direction, NewBatch, NewCashEntry
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import HarvestInfo, NewHarvest, NewMember
from kolam.registry.teams import Teams
from kolam.registry.users import Users
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, business_team, form_csrf

SECRET_NAME = "Siti Rahasia Produk"
PRICE = 22_000.0  # Rp/kg, the harvest's farm-gate price (DOMAIN.md: Rp 18,000-25,000)
HOUR = 3_600_000




@pytest.fixture(scope="module")
def harvest(site: DemoSite) -> HarvestInfo:
    """A partial harvest of 20 kg from the entrepreneurship team's active cycle."""
    team = business_team(site)
    cycle = Cycles(site.registry.engine).cycles(SITE, team_id=team, active=True)[0]
    return Entries(site.registry.engine).add_harvest(SITE, cycle.id, NewHarvest(
        now_ms() - 3 * HOUR, 20.0, False, 40.0, None, "petugas", PRICE), "officer",
        confirmed=True)




def _row(html: str, product: str) -> list[str]:
    """The cells of the products table's row of ``product``, as text."""
    table = html[html.index('id="products"'):html.index('id="batches"')]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] == product:
            return cells
    raise AssertionError(f"no row of {product!r}")


def test_yield_and_margin_of_a_seeded_batch(client: TestClient, site: DemoSite,
                                            harvest: HarvestInfo) -> None:
    team, business = business_team(site), Business(site.registry.engine)
    business.add_batch(SITE, team, NewBatch(now_ms() - 2 * HOUR, "abon lele", 3.0, 12,
                                            harvest.id, inputs_rp=45_000), "officer")
    business.add_entry(SITE, team, NewCashEntry(
        now_ms() - HOUR, Direction.IN, CashCategory.PRODUCT_SALES, 75_000, 5, "pak",
        "koperasi (fiktif)", product="abon lele"), "officer")
    body = log_in(client, "officer").get(f"/teams/{SITE}/{team}/products").text
    # By hand: fish 3 kg x Rp 22.000 + inputs Rp 45.000 = Rp 111.000 for 12 packs, Rp 9.250
    # a pack; 12 / 3 = 4,0 packs per kg; 5 sold for Rp 75.000, margin 75.000 - 5 x 9.250.
    assert _row(body, "abon lele") == ["abon lele", "1", "3,0", "4,0", "12", "5", "7",
                                       "Rp 9.250", "Rp 75.000", "Rp 28.750"]
    (abon,) = [p for p in business.products(SITE, team) if p.product == "abon lele"]
    assert (abon.cost_per_pack_rp, abon.margin_rp) == (9_250, 28_750)
    assert 'id="form-batch"' in body and f'<option value="{harvest.id}"' in body
    for path in ("", "/book", "/stock"):
        assert f'href="/teams/{SITE}/{team}/products" id="products-link"' in client.get(
            f"/teams/{SITE}/{team}{path}").text, path


def test_a_batch_typed_the_indonesian_way(client: TestClient, site: DemoSite,
                                          harvest: HarvestInfo) -> None:
    team, c = business_team(site), log_in(client, "trainer")
    member = Teams(site.registry.engine).members(SITE, team)[0]
    r = c.post(f"/teams/{SITE}/{team}/products", data={
        "csrf": form_csrf(c.get(f"/teams/{SITE}/{team}/products").text),
        "product": " nugget  lele ", "harvest": str(harvest.id), "fish_kg": "2,5",
        "packs": "8", "inputs": "60.000", "paid": "1", "note": "uji coba",
        "members": [str(member.id)]})
    assert r.status_code == 303, r.text
    saved = int(r.headers["location"].split("saved=")[1].split("#")[0])
    business = Business(site.registry.engine)
    (b,) = [b for b in business.batches(SITE, team) if b.id == saved]
    assert (b.product, b.fish_kg, b.packs, b.fish_rp, b.inputs_rp, b.member_ids,
            b.recorded_by) == ("nugget lele", 2.5, 8, 2.5 * PRICE, 60_000, (member.id,),
                               "trainer")
    echo = c.get(r.headers["location"].split("#")[0]).text
    # (2,5 kg x Rp 22.000 + Rp 60.000) / 8 packs = Rp 14.375 a pack.
    assert "Tersimpan: 8 pak nugget lele dari 2,5 kg ikan, Rp 14.375 per pak." in echo
    paid = [e for e in business.lines(SITE, team) if e.note == "bahan nugget lele"]
    assert [(e.direction, e.amount_rp) for e in paid] == [(Direction.OUT, 60_000)]
    audit = Users(site.registry.engine).audit_log(site=SITE, limit=20)
    assert any(a.entity == "product_batch" and a.entity_id == saved
               and a.username == "trainer" for a in audit)
    # The harvest's fish is now 20 - 2,5 kg less (and 3 kg less after the abon, if run).
    left = 20.0 - sum(x.fish_kg for x in business.batches(SITE, team)
                      if x.harvest_id == harvest.id)
    assert f"sisa {left:.1f}".replace(".", ",") + " kg" in echo


@pytest.mark.parametrize(("change", "says"), [
    ({"fish_kg": "25"}, "lebih dari sisa ikan panen"),
    ({"product": "  "}, "Nama produk wajib diisi"),
    ({"packs": "dua"}, "bukan angka"),
    ({"packs": "2,5"}, "bilangan bulat"),
    ({"harvest": "other-team"}, "Pilih panen kelompok ini"),
    ({"harvest": ""}, "Pilih panen kelompok ini"),
], ids=["more-fish-than-the-harvest", "no-product", "packs-not-a-number",
        "half-a-pack", "another-harvest", "no-harvest"])
def test_a_wrong_batch_is_refused(client: TestClient, site: DemoSite, harvest: HarvestInfo,
                                  change: dict[str, str], says: str) -> None:
    team, c = business_team(site), log_in(client, "officer")
    before = len(Business(site.registry.engine).batches(SITE, team))
    form = {"csrf": form_csrf(c.get(f"/teams/{SITE}/{team}/products").text),
            "product": "fillet lele", "harvest": str(harvest.id), "fish_kg": "2",
            "packs": "2", "inputs": "0"} | change
    if form["harvest"] == "other-team":  # the demo's growing team harvested its first pond
        records = Cycles(site.registry.engine)
        form["harvest"] = str(next(h.id for t in Teams(site.registry.engine).teams(SITE)
                                   if t.id != team
                                   for cy in records.cycles(SITE, team_id=t.id)
                                   for h in records.records(SITE, cy.id).harvests))
    r = c.post(f"/teams/{SITE}/{team}/products", data=form)
    assert r.status_code == 422, r.text
    assert 'id="form-error"' in r.text and says in r.text
    assert 'name="confirm"' not in r.text  # refused, not asked
    assert len(Business(site.registry.engine).batches(SITE, team)) == before


def test_odd_packs_per_kg_ask_first(client: TestClient, site: DemoSite,
                                    harvest: HarvestInfo) -> None:
    team, c = business_team(site), log_in(client, "officer")
    business = Business(site.registry.engine)
    before = len(business.batches(SITE, team))
    form = {"csrf": form_csrf(c.get(f"/teams/{SITE}/{team}/products").text),
            "product": "kerupuk kulit lele", "harvest": str(harvest.id), "fish_kg": "1",
            "packs": "40", "inputs": "20.000"}
    r = c.post(f"/teams/{SITE}/{team}/products", data=form)
    # Skin is ~5 % of a lele: 1 kg of fish makes at most 4 packs of 25 g, not 40.
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert "40 pak per kg ikan tidak biasa untuk kerupuk kulit lele" in r.text
    assert 'name="confirm" value="1"' in r.text and 'value="40"' in r.text
    assert len(business.batches(SITE, team)) == before
    r = c.post(f"/teams/{SITE}/{team}/products", data=form | {"confirm": "1"})
    assert r.status_code == 303, r.text
    assert [b.packs for b in business.batches(SITE, team)][-1] == 40
    r = c.post(f"/teams/{SITE}/{team}/products", data=form | {"packs": "3"})
    assert r.status_code == 303, r.text  # 3 packs per kg: no question


def test_trainers_see_aliases_the_kiosk_nothing(client: TestClient, site: DemoSite,
                                                harvest: HarvestInfo) -> None:
    team = business_team(site)
    secret = Teams(site.registry.engine).add_member(SITE, team, NewMember(
        "REG-PRODUK-1", "Anggota P1", now_ms() - 86_400_000, SECRET_NAME))
    Business(site.registry.engine).add_batch(SITE, team, NewBatch(
        now_ms() - HOUR, "lele asap", 2.0, 4, harvest.id, member_ids=(secret.id,)), "officer")
    trainer = log_in(client, "trainer").get(f"/teams/{SITE}/{team}/products").text
    assert "Anggota P1" in trainer and "lele asap" in trainer
    assert SECRET_NAME not in trainer and "REG-PRODUK-1" not in trainer
    dinas = log_in(client, "dinas")
    body = dinas.get(f"/teams/{SITE}/{team}/products").text
    assert "lele asap" in body and 'id="form-batch"' not in body
    assert dinas.post(f"/teams/{SITE}/{team}/products", data={
        "csrf": form_csrf(body)}).status_code == 403
    kiosk = log_in(client, "kiosk")
    assert kiosk.get(f"/teams/{SITE}/{team}/products").status_code == 403
    r = kiosk.post(f"/teams/{SITE}/{team}/products", data={
        "csrf": "x", "product": "abon lele", "harvest": str(harvest.id), "fish_kg": "1",
        "packs": "3"})
    assert r.status_code == 403


def test_packs_sold_from_the_page(client: TestClient, site: DemoSite,
                                  harvest: HarvestInfo) -> None:
    team, business = business_team(site), Business(site.registry.engine)
    business.add_batch(SITE, team, NewBatch(now_ms() - 2 * HOUR, "fillet lele", 2.0, 2,
                                            harvest.id), "officer")
    c = log_in(client, "trainer")
    body = c.get(f"/teams/{SITE}/{team}/products").text
    assert 'id="form-sale"' in body and "fillet lele (sisa 2 pak)" in body
    form = {"csrf": form_csrf(body), "product": "fillet lele", "packs": "3", "price": "35.000",
            "buyer": "petugas"}
    r = c.post(f"/teams/{SITE}/{team}/products/sale", data=form)
    # More packs than the card holds: asked (as the book and the kiosk ask), not stored.
    assert r.status_code == 422 and 'id="sale-doubt"' in r.text, r.text
    assert ("3 pak fillet lele dijual, padahal kartu stok mencatat 2 pak. Tekan “ya” bila "
            "benar, lalu hitung pak yang ada.") in r.text
    assert 'name="confirm" value="1"' in r.text and 'value="35.000"' in r.text
    assert not [e for e in business.lines(SITE, team) if e.product == "fillet lele"]
    r = c.post(f"/teams/{SITE}/{team}/products/sale", data=form | {"packs": "1"})
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"].split("#")[0]).text
    assert "Tersimpan: penjualan Rp 35.000." in page
    # Cost per pack 2 kg x Rp 22.000 / 2 = Rp 22.000; margin 35.000 - 22.000.
    assert _row(page, "fillet lele")[4:] == ["2", "1", "1", "Rp 22.000", "Rp 35.000",
                                             "Rp 13.000"]
    sold = [e for e in business.lines(SITE, team) if e.product == "fillet lele"]
    assert [(e.direction, e.category, e.amount_rp, e.quantity, e.recorded_by)
            for e in sold] == [(Direction.IN, CashCategory.PRODUCT_SALES, 35_000, 1,
                                "trainer")]
    lines, _ = business.stock(SITE, team)
    (fillet,) = [x for x in lines if x.item == "fillet lele"]
    assert fillet.on_hand == 1
    # Confirmed, 3 more packs are stored: the card goes below 0 until a count.
    r = c.post(f"/teams/{SITE}/{team}/products/sale", data=form | {"confirm": "1"})
    assert r.status_code == 303, r.text
    lines, _ = business.stock(SITE, team)
    (fillet,) = [x for x in lines if x.item == "fillet lele"]
    assert fillet.on_hand == -2
    assert _row(c.get(f"/teams/{SITE}/{team}/products").text, "fillet lele")[4:7] == [
        "2", "4", "-2"]
    r = c.post(f"/teams/{SITE}/{team}/products/sale", data=form | {"product": "rendang"})
    assert r.status_code == 422 and "Pilih produk yang dijual" in r.text
