"""The kiosk in real Chromium while a pond's history is still arriving (``kolam demo``'s
backfill, a gateway emptying its outbox): "Memuat riwayat…", calmly, until live readings
arrive; then the pond's own status."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from api.app import create_app
from kolam.config import load_config
from kolam.protocol import DeviceRef, Status
from kolam.store import SeriesKey
from kolam.timeutil import now_ms
from tests.utils.auth import PASSWORD
from tests.utils.browser import ARTIFACTS, serve
from tests.utils.pages import SITE, DemoSite, seed_site

LIVE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)
        config = load_config(None, data_dir=tmp_path_factory.mktemp("loading") / "data")
        demo = seed_site(config, days=1)  # kolam-4's readings stopped 3 h ago
        try:
            yield demo
        finally:
            demo.close()


def test_history_arriving_says_loading_until_live_data(browser: Browser, site: DemoSite) -> None:
    ref = DeviceRef(SITE, "kolam-4", "node-4")
    site.registry.record_status(ref, Status(True, "sim-1.0", 4, 3.9, -60, 300), now_ms())
    app = create_app(site.config, site.store, site.registry)
    app.state.live_poll_s = 0.5
    with serve(app) as url:
        context = browser.new_context(viewport={"width": 800, "height": 1280}, base_url=url,
                                      locale="id-ID", timezone_id="Asia/Jakarta")
        page = context.new_page()
        script_errors: list[str] = []
        page.on("pageerror", lambda e: script_errors.append(str(e)))
        try:
            page.goto(f"/kiosk/{SITE}")
            page.fill("input[name=username]", "kiosk")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"**/kiosk/{SITE}")
            tile = page.locator("#tile-kolam-4")
            expect(tile.locator(".badge")).to_have_text("Memuat riwayat…")
            expect(tile.locator(".advice .msg")).to_have_count(1)
            expect(tile.locator(".advice")).to_contain_text("Data lama sedang dimuat")
            expect(tile).not_to_contain_text("Data terhenti")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "kiosk-loading-history.png"))
            # Older history arriving changes nothing; the first live readings end it.
            t = now_ms()
            keys = [SeriesKey(SITE, "kolam-4", "node-4", m) for m in ("temp_c", "ph", "do_mgl")]
            site.store.write([(k, t - 7_200_000, v) for k, v in zip(keys, (28.0, 7.2, 5.1),
                                                                     strict=True)])
            page.wait_for_timeout(1500)
            expect(tile.locator(".badge")).to_have_text("Memuat riwayat…")
            site.store.write([(k, now_ms(), v) for k, v in zip(keys, (28.4, 7.3, 5.6),
                                                               strict=True)])
            expect(tile).not_to_have_attribute("data-status", "offline",
                                               timeout=LIVE_TIMEOUT_MS)
            expect(tile.locator(".badge")).not_to_have_text("Memuat riwayat…")
            expect(tile.locator("[data-metric=do_mgl]")).to_contain_text("5,60")
        finally:
            context.close()
        assert script_errors == []
