"""The forms in real Chromium at tablet and phone sizes (issue #17): messages in the
user's language, plausibility questions, the echo of what was saved, corrections, and
the members who did the work."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from kolam.registry.cycles import Cycles
from kolam.registry.teams import Teams
from tests.browser.test_dashboard import logged_in
from tests.utils.pages import SITE, DemoSite

TABLET = {"width": 800, "height": 1280}
PHONE = {"width": 360, "height": 740}


def test_kiosk_errors_in_indonesian_then_english(browser: Browser, base_url: str) -> None:
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}", allowed_status=422) as s:
        page = s.page
        page.set_viewport_size(TABLET)
        page.check("input[name=pond][value='kolam-1']")
        page.check("input[name=kind][value=mortality]")
        page.fill("input[name=amount]", "2,5")
        page.click("#log button[type=submit]")
        expect(page.locator("#log .msg.critical")).to_contain_text(
            "Ikan mati: harus bilangan bulat")
        page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
        page.set_viewport_size(PHONE)
        page.goto(f"/kiosk/{SITE}")
        page.check("input[name=pond][value='kolam-1']")
        page.check("input[name=kind][value=mortality]")
        page.fill("input[name=amount]", "2.5")
        page.click("#log button[type=submit]")
        expect(page.locator("#log .msg.critical")).to_contain_text(
            "Dead fish: must be a whole number")


def test_kiosk_asks_about_500_kg_then_echoes(browser: Browser, base_url: str) -> None:
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}", allowed_status=422) as s:
        page = s.page
        page.set_viewport_size(TABLET)
        page.check("input[name=pond][value='kolam-3']")
        page.check("input[name=kind][value=feeding]")
        page.fill("input[name=amount]", "500")
        page.click("#log button[type=submit]:not(.confirm)")
        expect(page.locator("#form-doubt")).to_contain_text("500 kg pakan membuat")
        expect(page.locator("#log button.confirm")).to_be_visible()
        page.fill("input[name=amount]", "0,4")
        page.click("#log button[type=submit]:not(.confirm)")
        expect(page.locator("#saved-echo")).to_contain_text("Tersimpan: pakan 0,4 kg")
        expect(page.locator("#saved-echo")).to_contain_text("Kolam 3")


def test_sampling_form_shows_the_per_fish_weight(browser: Browser, base_url: str,
                                                 site: DemoSite) -> None:
    cycle = Cycles(site.registry.engine).active_cycle(SITE, "kolam-1")
    assert cycle is not None
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{cycle.team_id}") as s:
        page = s.page
        page.set_viewport_size(PHONE)
        form = page.locator("#form-log form")
        form.locator("select[name=cycle]").select_option(str(cycle.id))
        form.locator("select[name=kind]").select_option("sampling")
        expect(form.locator("fieldset[data-kind=feeding]")).to_be_hidden()
        expect(form).to_contain_text("Jumlah ikan ditimbang (ekor)")
        form.locator("input[name=sample_count]").fill("30")
        form.locator("input[name=sample_weight_g]").fill("537")
        expect(form.locator("output.abw-preview")).to_have_text(
            "30 ekor, total 537,0 g → 17,9 g/ekor")
        form.locator("input[name=sample_weight_g]").fill("1.234,5")
        expect(form.locator("output.abw-preview")).to_contain_text("→ 41,2 g/ekor")


def test_harvest_priced_22000(browser: Browser, base_url: str, site: DemoSite) -> None:
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-2")
    assert cycle is not None
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{cycle.team_id}") as s:
        page = s.page
        page.set_viewport_size(TABLET)
        form = page.locator("#form-harvest form")
        form.locator("select[name=cycle]").select_option(str(cycle.id))
        form.locator("input[name=kg]").fill("2,5")
        form.locator("input[name=count]").fill("25")
        form.locator("input[name=price]").fill("22.000")
        form.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#saved")).to_contain_text("panen 2,5 kg, 25 ekor, Rp 22.000/kg")
    assert cycles.records(SITE, cycle.id).harvests[-1].price_per_kg_rp == 22_000


def test_officer_records_with_members_corrects_and_undoes(browser: Browser, base_url: str,
                                                          site: DemoSite) -> None:
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-3")
    assert cycle is not None
    alias = Teams(site.registry.engine).members(SITE, cycle.team_id)[0].alias
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{cycle.team_id}") as s:
        page = s.page
        page.set_viewport_size(PHONE)
        form = page.locator("#form-log form")
        form.locator("select[name=cycle]").select_option(str(cycle.id))
        form.locator("select[name=kind]").select_option("feeding")
        form.locator("input[name=feed_kg]").fill("0,2")
        form.get_by_label(alias).check()
        form.locator("button[type=submit]:not(.confirm)").click()
        echo = page.locator("#saved")
        expect(echo).to_contain_text("Tersimpan: pakan 0,2 kg")
        echo.get_by_role("link", name="Perbaiki").click()
        expect(page.locator("#record-now")).to_contain_text("pakan 0,2 kg")
        correct = page.locator("#form-correct form")
        expect(correct.get_by_label(alias)).to_be_checked()
        correct.locator("input[name=feed_kg]").fill("0,25")
        correct.locator("input[name=reason]").fill("ditimbang ulang")
        correct.locator("button[type=submit]:not(.confirm)").click()
        expect(page.locator("#saved")).to_contain_text("Tersimpan: pakan 0,25 kg")
        page.locator("#saved button.undo").click()
        expect(page.locator("tr.voided", has_text="pakan 0,25 kg")).to_have_count(1)
        expect(page.locator("tr.voided", has_text="pakan 0,2 kg")).to_have_count(1)
        expect(page.locator("#logs")).to_contain_text("corrected: ditimbang ulang")
    logs = cycles.records(SITE, cycle.id).logs
    assert all(e.feed_kg not in (0.2, 0.25) for e in logs[-3:])


def test_kiosk_taps_a_member_then_undoes(browser: Browser, base_url: str,
                                        site: DemoSite) -> None:
    cycle = Cycles(site.registry.engine).active_cycle(SITE, "kolam-4")
    assert cycle is not None
    member = Teams(site.registry.engine).members(SITE, cycle.team_id)[0]
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}") as s:
        page = s.page
        page.set_viewport_size(TABLET)
        crew = page.locator(".crew[data-pond='kolam-4']")
        expect(crew).to_be_hidden()
        page.check("input[name=pond][value='kolam-4']")
        expect(crew).to_be_visible()
        expect(page.locator(".crew[data-pond='kolam-1']")).to_be_hidden()
        crew.get_by_label(member.alias).check()
        page.check("input[name=kind][value=mortality]")
        page.fill("input[name=amount]", "1")
        page.click("#log button[type=submit]:not(.confirm):not(.undo)")
        expect(page.locator("#saved-echo")).to_contain_text("Tersimpan: ikan mati 1 ekor")
        page.locator("#saved-echo button.undo").click()
        expect(page.locator("#undone")).to_contain_text("Dibatalkan: ikan mati 1 ekor")


def test_skill_record_and_monthly_report_open_with_the_page_login(
        browser: Browser, base_url: str, site: DemoSite) -> None:
    cycle = Cycles(site.registry.engine).active_cycle(SITE, "kolam-1")
    assert cycle is not None
    with logged_in(browser, base_url, "officer", f"/teams/{SITE}/{cycle.team_id}") as s:
        page = s.page
        with page.expect_navigation():
            page.locator("a.skill-link").first.click()
        expect(page.locator("body")).to_contain_text("Anggota")
        assert "/skill-record" in page.url and "authentication required" not in page.content()
        page.go_back()
        page.locator("#monthly-report").click()
        expect(page.locator("body")).to_contain_text("Laporan Bulanan")
