"""The pages' side of seed and product stock (issue #20 items 2-3): a stocking says what it
took off the seed card and that a card below zero needs a count; the book's and the
kiosk's sale forms name the product from a select of the team's products with the packs
left, and ask before selling more packs than the card holds.

The demo's fictional business keeps no seed on its card, and makes only kerupuk kulit lele:
each test adds what it needs to the entrepreneurship team."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.app import create_app
from kolam.business.records import MoveKind, NewBatch, NewStockMove, StockKind
from kolam.places import PondKind, PondShape
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.places import Places
from kolam.registry.records import NewHarvest
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, business_team, form_csrf

HOUR = 3_600_000
PRICE = 22_000.0  # Rp/kg at the farm gate (DOMAIN.md: Rp 18,000-25,000)






def _batch(site: DemoSite, team: int, product: str, kg: float, packs: int) -> None:
    """A harvest of ``kg`` from the team's demo cycle, all made into ``packs``."""
    cycle = min(Cycles(site.registry.engine).cycles(SITE, team_id=team, active=True),
                key=lambda c: c.stocked_at)
    h = Entries(site.registry.engine).add_harvest(SITE, cycle.id, NewHarvest(
        now_ms() - 3 * HOUR, kg, False, 40.0, None, "petugas", PRICE), "officer",
        confirmed=True)
    Business(site.registry.engine).add_batch(SITE, team, NewBatch(
        now_ms() - 2 * HOUR, product, kg, packs, h.id), "officer")


def _on_hand(site: DemoSite, team: int, item: str) -> float:
    lines, _ = Business(site.registry.engine).stock(SITE, team)
    (line,) = [x for x in lines if x.item == item]
    return line.on_hand


def test_a_stocking_takes_its_seed_off_the_card_and_says_when_it_needs_a_count(
        client: TestClient, site: DemoSite) -> None:
    """500 ekor of seed on the card; 800 stocked from the page: 500 - 800 = -300 ekor,
    stored all the same, and the page asks for a count."""
    team = business_team(site)
    Places(site.registry.engine).add_pond(SITE, "terpal-benih", PondShape(
        "Kolam terpal-benih", PondKind.TARPAULIN, 4.0, 80.0))
    Business(site.registry.engine).add_move(SITE, team, NewStockMove(
        now_ms() - 5 * HOUR, MoveKind.DELIVERY, StockKind.SEED, "benih lele (fiktif)", 500,
        "ekor"), "officer")
    c = log_in(client, "officer")
    page = c.get(f"/teams/{SITE}/{team}").text
    r = c.post(f"/teams/{SITE}/{team}/cycles", data={
        "csrf": form_csrf(page), "pond": "terpal-benih", "seed_count": "800",
        "seed_weight_g": "1,5"})  # 200 ekor/m²: a tarpaulin pond holds 100-300
    assert r.status_code == 303, r.text[-2000:]
    saved = c.get(r.headers["location"].split("#")[0]).text
    echo = re.search(r'<span class="echo">([^<]*)</span>', saved)
    assert echo is not None
    assert "800 ekor diambil dari kartu stok (benih lele (fiktif)): sisa -300 ekor." in (
        echo.group(1))
    warn = saved[saved.index('id="seed-card-warn"'):]
    assert warn.startswith('id="seed-card-warn">Kartu stok benih lele (fiktif) kini minus '
                           '(-300 ekor)') and "Hitung benih" in warn[:400]
    assert _on_hand(site, team, "benih lele (fiktif)") == -300
    stock = c.get(f"/teams/{SITE}/{team}/stock").text
    assert "perlu dihitung" in stock and "dari tebar benih" in stock


def test_the_book_names_the_product_sold_and_asks_before_selling_more(
        client: TestClient, site: DemoSite) -> None:
    """10 packs of abon made; a sale of 12 at Rp 25.000 (Rp 300.000) asks, then is stored
    with the product, in packs: the card says 10 - 12 = -2 packs."""
    team = business_team(site)
    _batch(site, team, "abon lele (uji)", 2.0, 10)  # 5 packs per kg: abon makes 1-8
    c = log_in(client, "trainer")
    body = c.get(f"/teams/{SITE}/{team}/book").text
    assert '<option value="abon lele (uji)" >abon lele (uji) (sisa 10 pak)</option>' in body
    form = {"csrf": form_csrf(body), "direction": "in", "category": "product_sales",
            "amount": "300.000", "quantity": "12", "unit": "kg", "counterparty": "koperasi"}
    r = c.post(f"/teams/{SITE}/{team}/book", data=form)
    assert r.status_code == 422 and "Pilih produk yang dijual" in r.text
    r = c.post(f"/teams/{SITE}/{team}/book", data=form | {"product": "abon lele (uji)"})
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert "12 pak abon lele (uji) dijual, padahal kartu stok mencatat 10 pak" in r.text
    assert '<option value="abon lele (uji)" selected>' in r.text  # the form kept
    assert _on_hand(site, team, "abon lele (uji)") == 10  # nothing stored yet
    r = c.post(f"/teams/{SITE}/{team}/book", data=form | {"product": "abon lele (uji)",
                                                          "confirm": "1"})
    assert r.status_code == 303, r.text[-2000:]
    sold = [e for e in Business(site.registry.engine).lines(SITE, team)
            if e.product == "abon lele (uji)"]
    assert [(e.amount_rp, e.quantity, e.unit, e.counterparty) for e in sold] == [
        (300_000, 12, "pak", "koperasi")]
    assert _on_hand(site, team, "abon lele (uji)") == -2
    # Money in of another category names no product.
    r = c.post(f"/teams/{SITE}/{team}/book", data=form | {
        "category": "other", "product": "abon lele (uji)", "amount": "50.000"})
    assert r.status_code == 303
    assert _on_hand(site, team, "abon lele (uji)") == -2


def test_the_kiosk_sells_a_named_product(site: DemoSite) -> None:
    """6 packs of nugget; the kiosk sells 4 (Rp 60.000), then 3 more asks (2 left), and
    is stored when confirmed: 6 - 4 - 3 = -1."""
    team = business_team(site)
    _batch(site, team, "nugget lele (uji)", 2.0, 6)  # 3 packs per kg: nugget makes 0.6-4.8
    config = site.config.model_copy(update={"kiosk_sale_sites": [SITE]})
    with TestClient(create_app(config, site.store, site.registry),
                    follow_redirects=False) as c:
        kiosk = log_in(c, "kiosk")
        body = kiosk.get(f"/kiosk/{SITE}/sale").text
        group = body[body.index('<optgroup label="Kelompok Usaha Lele (fiktif)">'):]
        assert "nugget lele (uji) (sisa 6 pak)" in group[:group.index("</optgroup>")]
        form = {"csrf": form_csrf(body), "team": str(team), "what": "product_sales",
                "product": "nugget lele (uji)", "quantity": "4", "unit": "kg",
                "price": "15.000", "buyer": "pengunjung"}
        r = kiosk.post(f"/kiosk/{SITE}/sale", data=form)
        assert r.status_code == 303, r.text[-2000:]
        assert "Rp 60.000" in kiosk.get(r.headers["location"].split("#")[0]).text
        r = kiosk.post(f"/kiosk/{SITE}/sale", data=form | {"quantity": "3"})
        assert r.status_code == 422 and 'id="form-doubt"' in r.text
        assert "3 pak nugget lele (uji) dijual, padahal kartu stok mencatat 2 pak" in r.text
        r = kiosk.post(f"/kiosk/{SITE}/sale", data=form | {"quantity": "3", "confirm": "1"})
        assert r.status_code == 303
        r = kiosk.post(f"/kiosk/{SITE}/sale", data=form | {"product": "abon entah"})
        assert r.status_code == 422 and "Pilih produk yang dijual" in r.text
    sold = [e for e in Business(site.registry.engine).lines(SITE, team)
            if e.product == "nugget lele (uji)"]
    assert [(e.amount_rp, e.quantity, e.unit, e.recorded_by) for e in sold] == [
        (60_000, 4, "pak", "kiosk"), (45_000, 3, "pak", "kiosk")]
    assert _on_hand(site, team, "nugget lele (uji)") == -1
