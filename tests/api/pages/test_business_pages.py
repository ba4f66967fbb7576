"""The team's cash book and stock pages (issue #20): the demo's fictional month, the forms
(``22.000`` is twenty-two thousand rupiah), reversals, days of feed left on the team page
and the kiosk, the printable buku kas, and who sees what: trainers and the kiosk never a
member's name."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kolam.business.records import CashCategory, Direction, NewCashEntry
from kolam.places import site_zone
from kolam.registry.cashbook import Business
from kolam.registry.records import NewMember
from kolam.registry.teams import Teams
from kolam.timeutil import local_month, now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite

SECRET_NAME = "Siti Rahasia Usaha"


def _team(site: DemoSite) -> int:
    """The demo's entrepreneurship team, whose business the demo seeds."""
    (team,) = [t for t in Teams(site.registry.engine).teams(SITE) if "Usaha" in t.name]
    return team.id


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def _demo_month(site: DemoSite, team: int) -> str:
    lines = Business(site.registry.engine).lines(SITE, team)
    return local_month(max(e.at for e in lines if e.source.value == "book"),
                       site_zone(site.registry.site(SITE).timezone))


def test_the_demo_month_is_in_the_book(client: TestClient, site: DemoSite) -> None:
    team = _team(site)
    month = _demo_month(site, team)
    s = Business(site.registry.engine).summary(SITE, team, month)
    assert s.in_rp > 0 and s.out_rp > 0 and s.closing_rp > 0
    body = log_in(client, "trainer").get(f"/teams/{SITE}/{team}/book?month={month}").text
    closing = "Rp " + f"{s.closing_rp:,.0f}".replace(",", ".")
    assert f'id="closing">{closing}<' in body
    assert "Penjualan produk olahan" in body and "dari tebar benih" in body
    assert "dibatalkan oleh entri" in body  # the demo's reversed transport entry
    assert 'id="form-entry"' in body  # the trainer writes the book


def test_an_entry_typed_the_indonesian_way(client: TestClient, site: DemoSite) -> None:
    team, c = _team(site), log_in(client, "trainer")
    csrf = _csrf(c.get(f"/teams/{SITE}/{team}/book").text)
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
    team, c = _team(site), log_in(client, "officer")
    left = Business(site.registry.engine).feed_left(SITE, team, now_ms())
    assert left.warn and left.days_left is not None and left.days_left < 7
    body = c.get(f"/teams/{SITE}/{team}/stock").text
    assert 'id="feed-left"' in body and "Kurang dari seminggu" in body
    assert "pelet apung" in body and "dari catatan pakan" in body and "sak @ 30 kg" in body
    assert 'id="feed-left"' in c.get(f"/teams/{SITE}/{team}").text
    kiosk = log_in(client, "kiosk").get(f"/kiosk/{SITE}").text
    assert 'id="feed-left"' in kiosk and "Kurang dari seminggu" in kiosk
    c = log_in(client, "officer")
    csrf = _csrf(c.get(f"/teams/{SITE}/{team}/stock").text)
    r = c.post(f"/teams/{SITE}/{team}/stock", data={
        "csrf": csrf, "kind": "delivery", "item_kind": "feed", "item": "pelet apung",
        "protein": "31", "quantity": "2", "unit": "sak", "paid": "760.000"})
    assert r.status_code == 303, r.text
    after = Business(site.registry.engine).feed_left(SITE, team, now_ms())
    assert abs(after.on_hand_kg - left.on_hand_kg - 60) < 1e-6  # 2 sacks of 30 kg
    assert not after.warn


def test_the_printable_book(client: TestClient, site: DemoSite) -> None:
    team = _team(site)
    month = _demo_month(site, team)
    r = log_in(client, "dinas").get(f"/teams/{SITE}/{team}/book/print?month={month}")
    assert r.status_code == 200
    assert "Buku Kas" in r.text and "Saldo awal" in r.text and "@page { size: A4" in r.text
    s = Business(site.registry.engine).summary(SITE, team, month)
    assert "Rp " + f"{s.out_rp:,.0f}".replace(",", ".") in r.text


def test_who_sees_what(client: TestClient, site: DemoSite) -> None:
    team = _team(site)
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

    team = _team(site)
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
        assert 'name="product"' not in body  # no products made yet: nothing to choose
        r = kiosk.post(f"/kiosk/{SITE}/sale", data={
            "csrf": _csrf(body), "team": str(team), "what": "fish_sales",
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
    team = _team(site)
    # An entry this month (the demo's weeks may lie in the month before).
    Business(site.registry.engine).add_entry(SITE, team, NewCashEntry(
        now_ms() - 60_000, Direction.IN, CashCategory.FISH_SALES, 123_000), "officer")
    body = log_in(client, "dinas").get("/").text
    row = body[body.index(f'id="site-{SITE}"'):]
    row = row[:row.index("</tr>")]
    assert "Usaha bulan ini" in row and "masuk Rp" in row
