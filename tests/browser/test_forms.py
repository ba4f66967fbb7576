"""The forms in real Chromium at tablet and phone sizes (issue #17): messages in the
user's language, plausibility questions, the echo of what was saved, corrections, and
the members who did the work."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.test_dashboard import logged_in
from tests.utils.pages import SITE

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
