"""The team page's stocking, cost, test-kit and member forms in real Chromium at tablet
sizes (issue #17 item 4): the question about an implausible number, the echo of what was
stored, and the members who did the work. Screenshots go to test-artifacts/pages/
(docs/img/pages/ holds copies, docs/dashboard.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Locator, ViewportSize, expect

from kolam.places import PondKind, PondShape, SitePlace
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.places import Places
from kolam.registry.records import LogKind
from kolam.registry.teams import Teams
from tests.browser.test_dashboard import logged_in
from tests.utils.browser import ARTIFACTS
from tests.utils.pages import SITE, DemoSite

PORTRAIT: ViewportSize = {"width": 800, "height": 1280}
LANDSCAPE: ViewportSize = {"width": 1280, "height": 800}
TEAM = 1


def _shot(box: Locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_stock_a_pond_at_tablet_portrait(browser: Browser, base_url: str,
                                         site: DemoSite) -> None:
    Places(site.registry.engine).add_pond(SITE, "terpal-b", PondShape(
        "Terpal B", PondKind.TARPAULIN, 4.0, 80.0))
    member = Teams(site.registry.engine).members(SITE, TEAM)[0]
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{TEAM}",
                   allowed_status=422) as s:
        page = s.page
        page.set_viewport_size(PORTRAIT)
        form = page.locator("#form-cycle form")
        form.locator("select[name=pond]").select_option("terpal-b")
        form.locator("input[name=seed_count]").fill("1.500")
        form.locator("input[name=seed_weight_g]").fill("1,5")
        form.locator("input[name=seed_cost]").fill("450.000")
        form.get_by_label(member.alias).check()
        form.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#form-doubt")).to_contain_text(
            "1.500 ekor di kolam 4 m² = 375 ekor/m²")
        form = page.locator("#form-cycle form")
        expect(form.locator("button.confirm")).to_be_visible()
        expect(form.locator("input[name=seed_count]")).to_have_value("1.500")
        expect(form.get_by_label(member.alias)).to_be_checked()
        expect(form.locator(".form-msg")).to_contain_text("biasanya ditebar 100–300 ekor/m²")
        _shot(page.locator("#form-cycle"), "form-stock-doubt")
        form.locator("input[name=seed_count]").fill("800")
        form.locator("input[name=seed_cost]").fill("240.000")
        form.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#saved")).to_contain_text(
            "Tersimpan: tebar 800 ekor, 1,5 g/ekor, Rp 240.000, 200 ekor/m² di Terpal B")
    c = Cycles(site.registry.engine).active_cycle(SITE, "terpal-b")
    assert c is not None and (c.seed_count, c.seed_cost_rp) == (800, 240_000)
    assert Entries(site.registry.engine).member_logs(SITE, member.id)[-1].cycle_id == c.id


def test_record_a_cost_at_tablet_landscape(browser: Browser, base_url: str,
                                           site: DemoSite) -> None:
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-1")
    assert cycle is not None and cycle.team_id == TEAM
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{TEAM}",
                   allowed_status=422) as s:
        page = s.page
        page.set_viewport_size(LANDSCAPE)
        form = page.locator("#form-cost form")
        form.locator("select[name=cycle]").select_option(str(cycle.id))
        form.locator("select[name=category]").select_option("feed")
        form.locator("input[name=amount]").fill("380")
        form.locator("input[name=description]").fill("pakan 30 kg")
        form.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#form-doubt")).to_contain_text(
            "Rp 380 kurang dari Rp 1.000: maksudnya Rp 380.000?")
        form = page.locator("#form-cost form")
        expect(form.locator("input[name=description]")).to_have_value("pakan 30 kg")
        expect(form.locator(".form-msg")).to_contain_text("maksudnya Rp 380.000?")
        _shot(page.locator("#form-cost"), "form-cost-doubt")
        form.locator("input[name=amount]").fill("380.000")
        form.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#saved")).to_contain_text("Tersimpan: biaya pakan Rp 380.000")
    cost = cycles.records(SITE, cycle.id).costs[-1]
    assert (cost.amount_rp, cost.category.value) == (380_000, "feed")


def test_a_test_kit_reading_and_a_new_member(browser: Browser, base_url: str,
                                             site: DemoSite) -> None:
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-3")
    assert cycle is not None and cycle.team_id == TEAM
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{TEAM}") as s:
        page = s.page
        page.set_viewport_size(PORTRAIT)
        page.locator("#form-member summary").click()
        member = page.locator("#form-member form")
        member.locator("input[name=registration_no]").fill("REG-77")
        member.locator("input[name=alias]").fill("Jaka")
        member.locator("button[type=submit]").click()
        expect(page.locator("#saved")).to_contain_text("Tersimpan: anggota Jaka (aktif)")
        form = page.locator("#form-measure form")
        form.locator("select[name=cycle]").select_option(str(cycle.id))
        form.locator("input[name=do_mgl]").fill("3,8")
        form.locator("input[name=tan_mgl]").fill("0,5")
        form.locator("input[name=tan_as][value=NH3]").check()
        form.get_by_label("Jaka").check()
        _shot(page.locator("#form-measure"), "form-measure")
        form.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#saved")).to_contain_text(
            "Oksigen terlarut 3,80 mg/L, Amonia total (TAN-N) 0,41 mg/L (kit 0,5 mg/L NH3)")
        page.locator("#member-" + str(_id(site, "Jaka")) + " a.edit-member").click()
        edit = page.locator("#form-member-edit form")
        edit.locator("select[name=status]").select_option("transferred")
        edit.locator("button[type=submit]").click()
        expect(page.locator("#saved")).to_contain_text("anggota Jaka (dipindahkan)")
    logs = [e for e in cycles.records(SITE, cycle.id).logs if e.kind is LogKind.MEASUREMENT]
    assert {e.metric for e in logs[-2:]} == {"do_mgl", "tan_mgl"}
    assert all(e.member_ids == (_id(site, "Jaka"),) for e in logs[-2:])


def _id(site: DemoSite, alias: str) -> int:
    return next(m.id for m in Teams(site.registry.engine).members(SITE, TEAM)
                if m.alias == alias)


def test_the_kiosk_clock_keeps_the_sites_time_on_a_wib_tablet(browser: Browser,
                                                              base_url: str,
                                                              site: DemoSite) -> None:
    """The tablet's own zone is Asia/Jakarta (``logged_in``); a Jayapura site's kiosk
    clock, ticked by live.js through ``Intl`` with the site's zone, shows WIT (UTC+9)."""
    places = Places(site.registry.engine)
    places.update_site(SITE, SitePlace(timezone="Asia/Jayapura"))
    try:
        with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}") as s:
            page = s.page
            page.set_viewport_size(LANDSCAPE)
            clock = page.locator("#kiosk-clock")
            expect(clock).to_have_text(re.compile(r"^\d\d:\d\d WIT$"))
            shown = page.evaluate("document.getElementById('kiosk-clock').textContent")
            wit = {(datetime.now(UTC) + timedelta(hours=9, minutes=-m)).strftime("%H:%M")
                   for m in (0, 1)}
            assert shown[:5] in wit, (shown, wit)
            tablet = page.evaluate("new Date().toLocaleTimeString('en-GB', "
                                   "{hour: '2-digit', minute: '2-digit', hourCycle: 'h23'})")
            assert tablet != shown[:5]  # the tablet's own clock is two hours behind
    finally:
        places.update_site(SITE, SitePlace(timezone="Asia/Jakarta"))
