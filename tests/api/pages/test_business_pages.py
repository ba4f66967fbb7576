"""The team's cash book and stock pages (issue #20): the demo's fictional month, the forms
(``22.000`` is twenty-two thousand rupiah), reversals, days of feed left on the team page
and the kiosk, the printable buku kas, and who sees what: trainers and the kiosk never a
member's name."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kolam.business.book import months
from kolam.business.records import CashCategory, Direction, NewCashEntry
from kolam.places import site_zone
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.records import NewMember
from kolam.registry.teams import Teams
from kolam.timeutil import local_month, now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, business_team, form_csrf

SECRET_NAME = "Siti Rahasia Usaha"






def _demo_month(site: DemoSite, team: int) -> str:
    lines = Business(site.registry.engine).lines(SITE, team)
    return local_month(max(e.at for e in lines if e.source.value == "book"),
                       site_zone(site.registry.site(SITE).timezone))


def test_the_demo_month_is_in_the_book(client: TestClient, site: DemoSite) -> None:
    team = business_team(site)
    month = _demo_month(site, team)
    s = Business(site.registry.engine).summary(SITE, team, month)
    assert s.in_rp > 0 and s.out_rp > 0 and s.closing_rp > 0
    body = log_in(client, "trainer").get(f"/teams/{SITE}/{team}/book?month={month}").text
    closing = "Rp " + f"{s.closing_rp:,.0f}".replace(",", ".")
    assert f'id="closing">{closing}<' in body
    assert "Penjualan produk olahan" in body and "dari tebar benih" in body
    assert "dibatalkan oleh entri" in body  # the demo's reversed transport entry
    assert 'id="form-entry"' in body  # the trainer writes the book


def test_the_demo_products_page_stock_card_and_book_agree(client: TestClient,
                                                         site: DemoSite) -> None:
    """The demo's batch, by hand (kolam/business/demo.py): 30 kg of the fish the team kept
    of its harvest, at Rp 21.000/kg (Rp 630.000), and Rp 70.000 of other inputs (paid: in
    the book) make 70 packs of kerupuk kulit lele, Rp 10.000 a pack, 70 / 30 = 2,3 packs
    per kg; 3 x 20 packs sold at Rp 15.000 are Rp 900.000, a margin of 900.000 - 60 x
    10.000 = Rp 300.000, and 10 packs stay on the card."""
    team, business = business_team(site), Business(site.registry.engine)
    c = log_in(client, "trainer")
    body = c.get(f"/teams/{SITE}/{team}/products").text
    table = body[body.index('id="products"'):body.index('id="batches"')]
    (row,) = [r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "kerupuk" in r]
    cells = [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                   row, re.S)]
    assert cells == ["kerupuk kulit lele", "1", "30,0", "2,3", "70", "60", "10", "Rp 10.000",
                     "Rp 900.000", "Rp 300.000"]
    (batch,) = business.batches(SITE, team)
    assert (batch.fish_rp, batch.inputs_rp, batch.cost_per_pack_rp) == (630_000, 70_000,
                                                                        10_000)
    kept = [h for cy in Cycles(site.registry.engine).cycles(SITE, team_id=team)
            for h in Cycles(site.registry.engine).records(SITE, cy.id).harvests
            if h.id == batch.harvest_id]
    assert [(h.kg, h.price_per_kg_rp) for h in kept] == [(30.0, 0.0)]  # kept, not sold
    lines, _ = business.stock(SITE, team)
    assert [x.on_hand for x in lines if x.item == "kerupuk kulit lele"] == [10]
    assert "kerupuk kulit lele (sisa 10 pak)" in c.get(f"/teams/{SITE}/{team}/book").text
    tz = site_zone(site.registry.site(SITE).timezone)
    book = business.lines(SITE, team)
    sales = [e for e in book if e.category is CashCategory.PRODUCT_SALES]
    assert [(e.product, e.quantity, e.amount_rp) for e in sales] == [
        ("kerupuk kulit lele", 20, 300_000)] * 3
    by_month = [c for m in months(book, tz)
                for c in business.summary(SITE, team, m, tz).by_category
                if c.category is CashCategory.PRODUCT_SALES]
    assert sum(x.in_rp for x in by_month) == 900_000
    inputs = [e for e in book if e.note == "bahan kerupuk kulit lele"]
    assert [(e.direction, e.amount_rp, e.at) for e in inputs] == [(Direction.OUT, 70_000,
                                                                   batch.at)]
    assert min(business.summary(SITE, team, m, tz).closing_rp
               for m in months(book, tz)) > 0  # the book never below zero


def test_an_entry_typed_the_indonesian_way(client: TestClient, site: DemoSite) -> None:
    team, c = business_team(site), log_in(client, "trainer")
    csrf = form_csrf(c.get(f"/teams/{SITE}/{team}/book").text)
    form = {"csrf": csrf, "direction": "in", "category": "fish_sales", "amount": "22",
            "quantity": "1", "unit": "kg", "counterparty": "petugas"}
    r = c.post(f"/teams/{SITE}/{team}/book", data=form)
    assert r.status_code == 422 and 'id="form-doubt"' in r.text and "22.000" in r.text
    r = c.post(f"/teams/{SITE}/{team}/book", data=form | {"amount": "22.000"})
    assert r.status_code == 303, r.text
    saved = int(r.headers["location"].split("saved=")[1].split("#")[0])
    entry = Business(site.registry.engine).entry(SITE, team, saved)
    assert (entry.amount_rp, entry.direction, entry.recorded_by) == (22_000, Direction.IN,
                                                                     "trainer")
    r = c.post(f"/teams/{SITE}/{team}/book/{saved}/reverse", data={"csrf": csrf,
                                                                    "reason": "dobel"})
    assert r.status_code == 303
    assert Business(site.registry.engine).entry(SITE, team, saved).reversed_by is not None
    r = c.post(f"/teams/{SITE}/{team}/book/{saved}/reverse", data={"csrf": csrf,
                                                                    "reason": "lagi"})
    assert r.status_code == 422 and "sudah dibatalkan" in r.text


def test_stock_page_and_feed_left(client: TestClient, site: DemoSite) -> None:
    team, c = business_team(site), log_in(client, "officer")
    left = Business(site.registry.engine).feed_left(SITE, team, now_ms())
    assert left.warn and left.days_left is not None and left.days_left < 7
    body = c.get(f"/teams/{SITE}/{team}/stock").text
    assert 'id="feed-left"' in body and "Kurang dari seminggu" in body
    assert "pelet apung" in body and "dari catatan pakan" in body and "sak @ 30 kg" in body
    assert 'id="feed-left"' in c.get(f"/teams/{SITE}/{team}").text
    kiosk = log_in(client, "kiosk").get(f"/kiosk/{SITE}").text
    assert 'id="feed-left"' in kiosk and "Kurang dari seminggu" in kiosk
    c = log_in(client, "officer")
    csrf = form_csrf(c.get(f"/teams/{SITE}/{team}/stock").text)
    r = c.post(f"/teams/{SITE}/{team}/stock", data={
        "csrf": csrf, "kind": "delivery", "item_kind": "feed", "item": "pelet apung",
        "protein": "31", "quantity": "2", "unit": "sak", "paid": "760.000"})
    assert r.status_code == 303, r.text
    after = Business(site.registry.engine).feed_left(SITE, team, now_ms())
    assert abs(after.on_hand_kg - left.on_hand_kg - 60) < 1e-6  # 2 sacks of 30 kg
    assert not after.warn


def test_the_printable_book(client: TestClient, site: DemoSite) -> None:
    team = business_team(site)
    month = _demo_month(site, team)
    r = log_in(client, "dinas").get(f"/teams/{SITE}/{team}/book/print?month={month}")
    assert r.status_code == 200
    assert "Buku Kas" in r.text and "Saldo awal" in r.text and "@page { size: A4" in r.text
    s = Business(site.registry.engine).summary(SITE, team, month)
    assert "Rp " + f"{s.out_rp:,.0f}".replace(",", ".") in r.text


def test_who_sees_what(client: TestClient, site: DemoSite) -> None:
    team = business_team(site)
    Teams(site.registry.engine).add_member(SITE, team, NewMember(
        "REG-SECRET-1", "Anggota B9", now_ms() - 86_400_000, SECRET_NAME))
    officer = log_in(client, "officer").get(f"/teams/{SITE}/{team}").text
    assert SECRET_NAME in officer
    for who, paths in (("trainer", ("", "/book", "/stock", "/products")),
                       ("dinas", ("/book", "/stock", "/products"))):
        c = log_in(client, who)
        for path in paths:
            r = c.get(f"/teams/{SITE}/{team}{path}")
            assert r.status_code == 200, (who, path)
            assert SECRET_NAME not in r.text and "REG-SECRET-1" not in r.text, (who, path)
            assert "Anggota B9" in r.text or path in ("/stock", "/products") or who == "dinas"
        assert ('id="form-entry"' in c.get(f"/teams/{SITE}/{team}/book").text) is (
            who == "trainer")
    trainer = log_in(client, "trainer")
    for path in ("/", "/alerts", "/teams", f"/teams/{SITE}"):
        r = trainer.get(path, follow_redirects=True)
        assert r.status_code == 200 and SECRET_NAME not in r.text, path
    kiosk = log_in(client, "kiosk")
    assert SECRET_NAME not in kiosk.get(f"/kiosk/{SITE}").text
    assert kiosk.get(f"/teams/{SITE}/{team}/book").status_code == 403
    assert kiosk.get(f"/teams/{SITE}/{team}/stock").status_code == 403
    assert kiosk.get(f"/teams/{SITE}/{team}/products").status_code == 403


def test_the_kiosk_records_a_sale_where_the_site_allows(site: DemoSite) -> None:
    from api.app import create_app

    team = business_team(site)
    closed = TestClient(create_app(site.config, site.store, site.registry),
                        follow_redirects=False)
    with closed:
        kiosk = log_in(closed, "kiosk")
        assert 'id="sale-link"' not in kiosk.get(f"/kiosk/{SITE}").text
        assert kiosk.get(f"/kiosk/{SITE}/sale").status_code == 403
    config = site.config.model_copy(update={"kiosk_sale_sites": [SITE]})
    with TestClient(create_app(config, site.store, site.registry),
                    follow_redirects=False) as c:
        kiosk = log_in(c, "kiosk")
        assert 'id="sale-link"' in kiosk.get(f"/kiosk/{SITE}").text
        body = kiosk.get(f"/kiosk/{SITE}/sale").text
        assert SECRET_NAME not in body and "Anggota B1" in body
        member = next(m.id for m in Teams(site.registry.engine).members(SITE, team)
                      if m.alias == "Anggota B1")
        assert "kerupuk kulit lele (sisa 10 pak)" in body  # the demo's batch, 60 sold
        r = kiosk.post(f"/kiosk/{SITE}/sale", data={
            "csrf": form_csrf(body), "team": str(team), "what": "fish_sales",
            "quantity": "4", "unit": "kg", "price": "15.000", "buyer": "pengunjung",
            "members": [str(member)]})
        assert r.status_code == 303, r.text
        echo = kiosk.get(r.headers["location"].split("#")[0]).text
        assert "Rp 60.000" in echo
        sold = [e for e in Business(site.registry.engine).lines(SITE, team)
                if e.recorded_by == "kiosk"]
        assert [(e.amount_rp, e.quantity, e.unit, e.member_ids, e.product) for e in sold] == [
            (60_000, 4, "kg", (member,), None)]


def test_the_dinas_overview_shows_each_sites_business(client: TestClient,
                                                      site: DemoSite) -> None:
    team = business_team(site)
    # An entry this month (the demo's weeks may lie in the month before).
    Business(site.registry.engine).add_entry(SITE, team, NewCashEntry(
        now_ms() - 60_000, Direction.IN, CashCategory.FISH_SALES, 123_000), "officer")
    body = log_in(client, "dinas").get("/").text
    row = body[body.index(f'id="site-{SITE}"'):]
    row = row[:row.index("</tr>")]
    assert "Usaha bulan ini" in row and "masuk Rp" in row
