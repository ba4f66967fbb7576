"""The cash book and stock card in a real Chromium (issue #20): a UMKM trainer types a
sale of a named product the Indonesian way and sees it in the month, and records a product
batch; screenshots for docs/business.md."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from kolam.business.records import NewBatch
from kolam.places import site_zone
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import NewHarvest
from kolam.timeutil import local_month, now_ms
from tests.browser.test_dashboard import logged_in
from tests.utils.pages import SITE, DemoSite, business_team

HOUR = 3_600_000


def _abon_batch(site: DemoSite, team: int) -> None:
    """12 packs of abon from 3 kg of a harvest of the team's cycle (4 packs per kg)."""
    cycle = Cycles(site.registry.engine).cycles(SITE, team_id=team, active=True)[0]
    harvest = Entries(site.registry.engine).add_harvest(SITE, cycle.id, NewHarvest(
        now_ms() - 4 * HOUR, 5.0, False, 40.0, None, "petugas", 22_000), "officer",
        confirmed=True)
    Business(site.registry.engine).add_batch(SITE, team, NewBatch(
        now_ms() - 4 * HOUR, "abon lele (fiktif)", 3.0, 12, harvest.id), "officer")


def test_trainer_records_a_sale_in_the_book(browser: Browser, base_url: str,
                                            site: DemoSite) -> None:
    team = business_team(site)
    book = Business(site.registry.engine)
    _abon_batch(site, team)
    lines = book.lines(SITE, team)
    month = local_month(max(e.at for e in lines if e.source.value == "book"),
                        site_zone(site.registry.site(SITE).timezone))
    with logged_in(browser, base_url, "trainer", f"/teams/{SITE}/{team}/book?month={month}"
                   ) as s:
        page = s.page
        expect(page.locator("#summary")).to_contain_text("Saldo akhir")
        s.shot("book")
        page.check("input[name=direction][value=in]")
        page.select_option("select[name=category]", "product_sales")
        expect(page.locator("#sale-product")).to_contain_text("abon lele (fiktif) (sisa 12 pak)")
        page.select_option("#sale-product", "abon lele (fiktif)")
        page.fill("input[name=amount]", "45.000")
        page.fill("input[name=quantity]", "3")
        page.select_option("select[name=unit]", "pak")
        page.fill("input[name=note]", "abon lele (fiktif)")
        page.click("#form-entry button[type=submit]")
        expect(page.locator("#saved")).to_be_visible()
        expect(page.locator("#entries")).to_contain_text("Rp 45.000")
        typed = [e for e in book.lines(SITE, team) if e.note == "abon lele (fiktif)"]
        assert [(e.amount_rp, e.quantity, e.unit, e.product) for e in typed] == [
            (45_000, 3, "pak", "abon lele (fiktif)")]
        page.goto(f"/teams/{SITE}/{team}/stock")
        expect(page.locator("#feed-left")).to_contain_text("Kurang dari seminggu")
        s.shot("stock")


def test_trainer_records_a_product_batch(browser: Browser, base_url: str,
                                         site: DemoSite) -> None:
    team = business_team(site)
    cycle = Cycles(site.registry.engine).cycles(SITE, team_id=team, active=True)[0]
    harvest = Entries(site.registry.engine).add_harvest(SITE, cycle.id, NewHarvest(
        now_ms() - 3 * HOUR, 15.0, False, 40.0, None, "petugas", 22_000), "officer",
        confirmed=True)
    Business(site.registry.engine).add_batch(SITE, team, NewBatch(
        now_ms() - 2 * HOUR, "abon lele (fiktif)", 3.0, 12, harvest.id, inputs_rp=45_000),
        "officer")
    with logged_in(browser, base_url, "trainer", f"/teams/{SITE}/{team}/products") as s:
        page = s.page
        expect(page.locator("#products")).to_contain_text("abon lele (fiktif)")
        page.fill("input[name=product]", "nugget lele (fiktif)")
        page.select_option("select[name=harvest]", str(harvest.id))
        page.fill("input[name=fish_kg]", "2,5")
        page.fill("input[name=packs]", "8")
        page.fill("input[name=inputs]", "60.000")
        page.click("#form-batch button[type=submit]")
        expect(page.locator("#saved")).to_contain_text("8 pak nugget lele (fiktif)")
        # (2,5 kg x Rp 22.000 + Rp 60.000) / 8 packs
        expect(page.locator("#products")).to_contain_text("Rp 14.375")
        s.shot("products")
