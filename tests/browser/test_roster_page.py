"""The duty roster page in a real Chromium (issue #21): an officer adds a night shift with
the form, sees who is on duty now, and the page fits a phone. The desktop screenshot is
docs/img/pages/roster-desktop.png (docs/alerts.md#contacts-and-the-duty-roster)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from kolam.registry.people import ContactInfo, People
from kolam.security.auth import Role
from tests.browser.test_overview_charts_alerts import PHONE, _no_sideways_scroll, _shot, logged_in
from tests.utils.auth import add_user
from tests.utils.pages import SITE, DemoSite

DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def roster(site: DemoSite) -> DemoSite:
    people = People(site.registry.engine)
    for name in ("budi", "sari"):
        add_user(site.registry, name, Role.OFFICER, [SITE])
    people.set_contact(ContactInfo("budi", "6281200000001", "5550001", None, "id",
                                   ("telegram", "whatsapp", "sms"), ("telegram",)))
    for name, level, days, starts, ends, note in (
            ("sari", 0, range(5), "06:00", "18:00", "siang"),
            ("officer", 1, range(7), "06:00", "22:00", "cadangan siang"),
            ("dinas", 2, range(7), "00:00", "00:00", "Dinas Perikanan")):
        people.add_shift(SITE, name, level=level, weekdays=days, starts=starts, ends=ends,
                         note=note, by="admin")
    return site


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_officer_adds_a_night_shift(browser: Browser, base_url: str, roster: DemoSite,
                                       lang: str) -> None:
    with logged_in(browser, base_url, "officer", f"/sites/{SITE}/roster", DESKTOP,
                   lang) as page:
        page.goto(f"/sites/{SITE}/roster")
        form = page.locator("#new-shift form")
        if page.locator("#roster tr", has_text="budi").count() == 0:
            form.locator("select[name=username]").select_option("budi")
            form.locator("input[name=starts]").fill("18:00")
            form.locator("input[name=ends]").fill("06:00")
            form.locator("input[name=note]").fill("malam")
            form.locator("button[type=submit]").click()
            expect(page.locator("p.msg.ok")).to_be_visible()
        row = page.locator("#roster tr", has_text="budi")
        expect(row).to_contain_text("18:00")
        expect(row).to_contain_text("hari berikutnya" if lang == "id" else "next day")
        assert page.locator("#roster tr[data-on-duty]").count() >= 2  # dinas all day + one
        expect(page.locator("#roster tr", has_text="Dinas Perikanan")).to_have_attribute(
            "data-on-duty", "1")
        if lang == "id":
            _shot(page, "roster-desktop")


def test_the_roster_fits_a_phone(browser: Browser, base_url: str, roster: DemoSite) -> None:
    with logged_in(browser, base_url, "officer", f"/sites/{SITE}/roster", PHONE) as page:
        page.goto(f"/sites/{SITE}/roster")
        expect(page.locator("h1")).to_contain_text("Jadwal piket")
        _no_sideways_scroll(page, PHONE["width"])
        page.goto("/me/contacts")
        expect(page.locator("#contacts")).to_be_visible()
        _no_sideways_scroll(page, PHONE["width"])
