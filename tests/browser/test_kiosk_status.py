"""The kiosk's one voice per pond in real Chromium: the tile's colour is the alert state
(``api.status``), not the newest reading; a pond whose data stopped says so once; and a
tablet whose live updates stop says why (server gone, login expired)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from api.app import create_app
from kolam.alerts.model import Change, Severity
from kolam.config import load_config
from kolam.registry.users import Users
from kolam.store import SeriesKey
from kolam.timeutil import WIB, from_ms, now_ms
from tests.utils.auth import PASSWORD
from tests.utils.browser import ARTIFACTS, serve
from tests.utils.pages import SITE, DemoSite, raise_alert, raise_seeded_alerts, seed_site

TABLET = {"width": 800, "height": 1280}
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)
        config = load_config(None, data_dir=tmp_path_factory.mktemp("kiosk") / "data")
        demo = seed_site(config, days=2)
        raise_seeded_alerts(demo)
        try:
            yield demo
        finally:
            demo.close()


@contextmanager
def server(site: DemoSite) -> Iterator[str]:
    app = create_app(site.config, site.store, site.registry)
    app.state.live_poll_s = 0.5
    with serve(app) as url:
        yield url


@contextmanager
def kiosk_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """The kiosk logged in on a tablet; fails on any script error of the page."""
    context = browser.new_context(viewport=TABLET, base_url=base_url, locale="id-ID",
                                  timezone_id="Asia/Jakarta")
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda e: script_errors.append(str(e)))
    page.goto(f"/kiosk/{SITE}")
    page.fill("input[name=username]", "kiosk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/kiosk/{SITE}")
    expect(page.locator("body.live-on")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    try:
        yield page
        assert script_errors == []
    finally:
        context.close()


def test_tile_follows_the_alerts_not_one_reading(browser: Browser, site: DemoSite) -> None:
    # The seeded water follows the clock: at night the offline pond's last DO (3 h ago)
    # is below 3 mg/L and a halved ration would be a second message. Its last reading, an
    # evening's, just after the seeded ones and still 3 h old.
    for metric, value in (("do_mgl", 6.5), ("ph", 7.6), ("temp_c", 29.0)):
        site.store.write([(SeriesKey(SITE, "kolam-4", "node-4", metric),
                           site.now - 3 * 3_600_000, value)])
    with server(site) as url, kiosk_page(browser, url) as page:
        tile = page.locator("#tile-kolam-1")
        expect(tile).to_have_attribute("data-status", "ok")
        ph = tile.locator("[data-metric=ph]")
        # pH hovering around 9.0, one reading after another: each arrives live, the tile
        # stays calm (the alert engine holds ph_high for 4 h before it opens).
        for value, text in ((9.2, "9,20"), (8.9, "8,90"), (9.1, "9,10")):
            site.store.write([(SeriesKey(SITE, "kolam-1", "node-1", "ph"), now_ms(), value)])
            expect(ph).to_contain_text(text, timeout=LIVE_TIMEOUT_MS)
            expect(tile).to_have_attribute("data-status", "ok")
            expect(tile.locator(".badge")).to_have_text("Aman")
            expect(ph).to_have_class(re.compile(r"\blv-none\b"))
        # The engine's critical alert turns it red, live, and colours the reading.
        raise_alert(site, "kolam-1", "do_low", Severity.CRITICAL, 1.8, "do_mgl", "mg/L", 2.0)
        expect(tile).to_have_attribute("data-status", "critical", timeout=LIVE_TIMEOUT_MS)
        expect(tile.locator(".badge")).to_have_text("Bahaya")
        expect(tile.locator("[data-metric=do_mgl]")).to_have_class(re.compile(r"\blv-critical\b"))
        expect(tile.locator(".advice")).to_contain_text("Oksigen terlarut rendah")
        raise_alert(site, "kolam-1", "do_low", Severity.CRITICAL, 4.5, "do_mgl", "mg/L", 2.0,
                    change=Change.RESOLVED)
        expect(tile).to_have_attribute("data-status", "ok", timeout=LIVE_TIMEOUT_MS)

        # The pond whose device went away: one word, one message, old readings greyed.
        off = page.locator("#tile-kolam-4")
        expect(off).to_have_attribute("data-status", "offline")
        expect(off.locator(".badge")).to_have_text("Data terhenti")
        expect(off).not_to_contain_text("Tidak ada data")
        expect(off.locator(".readings.stale [data-metric=do_mgl]")).to_contain_text("mg/L")
        expect(off.locator(".fresh")).to_contain_text("data terakhir")
        expect(off.locator(".advice .msg.warning")).to_have_count(1)
        expect(off.locator(".advice .msg.warning")).to_contain_text("node-4")
        # A healthy pond on a healthy afternoon: no red, at most one message besides the ration.
        # (The seeded water follows the clock: between about 00:40 and 05:20 WIB kolam-2's
        # DO is below 3 mg/L and the ration is rightly halved; an afternoon's readings, now.)
        for metric, value in (("do_mgl", 6.8), ("ph", 7.7), ("temp_c", 29.0)):
            site.store.write([(SeriesKey(SITE, "kolam-2", "node-2", metric), now_ms(), value)])
        calm = page.locator("#tile-kolam-2")
        expect(calm.locator("[data-metric=do_mgl]")).to_contain_text("6,8",
                                                                    timeout=LIVE_TIMEOUT_MS)
        expect(calm).to_have_attribute("data-status", "ok")
        expect(calm.locator(".advice .msg.warning, .advice .msg.critical")).to_have_count(0)
        expect(page.locator("#live-state")).to_be_hidden()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "kiosk-status-tablet.png"), full_page=False)


def _wib_minutes(before_ms: int, after_ms: int) -> set[str]:
    """Every HH:MM (WIB) between two instants."""
    return {from_ms(t).astimezone(WIB).strftime("%H:%M")
            for t in range(before_ms, after_ms + 60_000, 60_000) if t <= after_ms} | {
        from_ms(after_ms).astimezone(WIB).strftime("%H:%M")}


def _says_lost_since(state: Locator, before_ms: int, after_ms: int) -> None:
    expect(state).to_have_attribute("data-state", "lost")
    expect(state).to_contain_text("Koneksi terputus — data terakhir")
    text = state.inner_text()
    shown = re.search(r"(\d\d:\d\d) WIB", text)
    assert shown is not None and shown.group(1) in _wib_minutes(before_ms, after_ms), text


def test_kiosk_says_when_the_api_stops(browser: Browser, site: DemoSite) -> None:
    with ExitStack() as running:
        url = running.enter_context(server(site))
        with kiosk_page(browser, url) as page:
            state = page.locator("#live-state")
            expect(state).to_be_hidden()
            before = now_ms()
            running.close()  # the API process stops
            after = now_ms()
            expect(state).to_be_visible(timeout=LIVE_TIMEOUT_MS)
            _says_lost_since(state, before - 20_000, after)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "kiosk-lost-tablet.png"), full_page=False)
            expect(page.locator("body.live-on")).to_have_count(0)
            expect(page.locator(".fresh:visible", has_text="diperbarui")).to_have_count(0)


def test_kiosk_says_when_the_login_expired(browser: Browser, site: DemoSite) -> None:
    with server(site) as url, kiosk_page(browser, url) as page:
        Users(site.registry.engine).end_all_logins("kiosk")  # e.g. an admin logged it out
        state = page.locator("#live-state")
        expect(state).to_have_attribute("data-state", "expired", timeout=LIVE_TIMEOUT_MS)
        expect(state).to_contain_text("Login kedaluwarsa")
        expect(state.locator("a")).to_have_attribute("href", f"/login?next=/kiosk/{SITE}")
        expect(page.locator("body.live-on")).to_have_count(0)
