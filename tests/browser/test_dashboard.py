"""The dashboard in a real headless Chromium against a real server over the demo site."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from kolam.alerts.model import Severity
from kolam.registry.alerts import Alerts
from kolam.registry.cycles import Cycles
from kolam.registry.records import LogKind
from kolam.store import SeriesKey
from kolam.timeutil import now_ms
from tests.utils.auth import PASSWORD
from tests.utils.browser import ARTIFACTS
from tests.utils.pages import SITE, DemoSite, raise_alert, raise_seeded_alerts

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
KIOSK_MAX_BYTES = 300_000


@dataclass
class Session:
    page: Page
    errors: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.wait_for_timeout(400)  # charts resize after a 200 ms debounce
            self.page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        self.page.set_viewport_size(DESKTOP)


@contextmanager
def logged_in(browser: Browser, base_url: str, username: str,
              start: str = "/", allowed_status: int | None = None) -> Iterator[Session]:
    """A fresh browser context logged in as ``username``; fails on any console error
    (except the browser's note about an expected ``allowed_status`` answer)."""
    context = browser.new_context(viewport=DESKTOP, base_url=base_url, locale="id-ID",
                                  timezone_id="Asia/Jakarta")
    page = context.new_page()
    s = Session(page)
    page.on("console", lambda m: s.errors.append(m.text) if _is_error(m) else None)
    page.on("pageerror", lambda e: s.errors.append(str(e)))
    page.on("response", lambda r: s.responses.append(r))
    page.goto(start)
    expect(page.locator("input[name=username]")).to_be_visible()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    try:
        yield s
        expected = f"status of {allowed_status} "
        errors = [e for e in s.errors if not (allowed_status and expected in e)]
        assert errors == [], f"console errors: {errors}"
    finally:
        context.close()


def _is_error(m: ConsoleMessage) -> bool:
    return m.type == "error"


def test_login_then_kiosk_shows_four_ponds_light_enough(browser: Browser, base_url: str,
                                                        site: DemoSite) -> None:
    raise_seeded_alerts(site)  # a tile's status is its pond's open alerts (api.status)
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}") as s:
        page = s.page
        expect(page).to_have_url(f"{base_url}/kiosk/{SITE}")
        expect(page.locator(".tile")).to_have_count(4)
        expect(page.locator("#tile-kolam-3")).to_have_attribute("data-status", "warning")
        expect(page.locator("#tile-kolam-4")).to_have_attribute("data-status", "offline")
        expect(page.locator("#tile-kolam-1 .readings")).to_contain_text("mg/L")
        expect(page.locator("#tile-kolam-1 .fresh")).to_contain_text("lalu")
        expect(page.locator(".tasks")).to_contain_text("Beri pakan")
        s.shot("kiosk")
        s.responses.clear()
        page.reload()
        page.wait_for_load_state("load")
        sizes = [r.request.sizes() for r in s.responses if not r.url.startswith(
            f"{base_url}/live/")]
        total = sum(x["responseBodySize"] + x["responseHeadersSize"] for x in sizes)
        assert 0 < total < KIOSK_MAX_BYTES, total


def test_pond_page_draws_every_chart(browser: Browser, base_url: str) -> None:
    with logged_in(browser, base_url, "admin", f"/sites/{SITE}/ponds/kolam-1") as s:
        page = s.page
        charts = page.locator("#charts")
        expect(charts).to_have_attribute("data-drawn", "6", timeout=10_000)
        painted = page.evaluate("""() => Array.from(document.querySelectorAll('#charts canvas'))
          .map(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })""")
        assert len(painted) == 6 and min(painted) > 1000, painted
        page.click("button[data-range='30d']")
        expect(charts).to_have_attribute("data-range", "30d")
        expect(page.locator("#devices")).to_contain_text("dBm")
        expect(page.locator("body")).to_contain_text("FCR")
        s.shot("pond")


def test_officer_acknowledges_an_alert(browser: Browser, base_url: str, site: DemoSite) -> None:
    raise_alert(site, "kolam-2", "do_low", Severity.CRITICAL, 1.8, "do_mgl", "mg/L", 2.0)
    with logged_in(browser, base_url, "officer", "/alerts") as s:
        page = s.page
        row = page.locator("#alert-list tbody tr", has_text="Kolam 2").first
        expect(row).to_have_attribute("data-state", "open")
        expect(row).to_contain_text("Oksigen terlarut rendah")
        s.shot("alerts")
        row.locator("button.ack").click()
        row = page.locator("#alert-list tbody tr", has_text="Kolam 2").first
        expect(row).to_have_attribute("data-state", "acknowledged")
        expect(row).to_contain_text("officer")
    # The acknowledgement is in the registry, not only on the page.
    found = Alerts(site.registry.engine).find([SITE], pond="kolam-2", rule="do_low")
    assert found[0].state == "acknowledged" and found[0].acked_by == "officer"


def test_kiosk_records_a_feeding(browser: Browser, base_url: str, site: DemoSite) -> None:
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}") as s:
        page = s.page
        page.check("input[name=pond][value='kolam-2']")
        page.check("input[name=kind][value=feeding]")
        page.fill("input[name=amount]", "1,25")
        page.click("#log button[type=submit]")
        expect(page.locator("#log .msg.ok")).to_be_visible()
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-2")
    assert cycle is not None
    last = cycles.records(SITE, cycle.id).logs[-1]
    assert (last.kind, last.feed_kg, last.recorded_by) == (LogKind.FEEDING, 1.25, "kiosk")


def test_form_validation_message_shown(browser: Browser, base_url: str) -> None:
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}", allowed_status=422) as s:
        page = s.page
        page.check("input[name=pond][value='kolam-1']")
        page.check("input[name=kind][value=mortality]")
        page.fill("input[name=amount]", "2,5")
        page.click("#log button[type=submit]")
        expect(page.locator("#log .msg.critical")).to_contain_text(
            "Ikan mati: harus bilangan bulat")


def test_live_value_arrives_without_reload(browser: Browser, base_url: str,
                                           site: DemoSite) -> None:
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}") as s:
        page = s.page
        expect(page.locator("body.live-on")).to_have_count(1, timeout=10_000)
        page.evaluate("window.__sameDocument = true")
        key = SeriesKey(SITE, "kolam-1", "node-1", "do_mgl")
        site.store.write([(key, now_ms(), 1.23)])
        tile = page.locator("#tile-kolam-1")
        expect(tile.locator("[data-metric=do_mgl]")).to_contain_text("1,23 mg/L",
                                                                   timeout=10_000)
        # One low reading is the alert engine's to judge (do_low holds 10 min): its alert
        # turns the tile red.
        raise_alert(site, "kolam-1", "do_low", Severity.CRITICAL, 1.23, "do_mgl", "mg/L", 2.0)
        expect(tile).to_have_attribute("data-status", "critical", timeout=10_000)
        assert page.evaluate("window.__sameDocument") is True


@pytest.mark.parametrize(("user", "path", "name"), [
    ("admin", "/", "overview"), ("officer", f"/teams/{SITE}", "teams"),
    ("officer", f"/teams/{SITE}/1", "team"), ("dinas", "/", "overview-dinas"),
    ("dinas", "/national", "national")])
def test_screenshots(browser: Browser, base_url: str, user: str, path: str, name: str) -> None:
    with logged_in(browser, base_url, user, path) as s:
        expect(s.page.locator("main h1")).to_be_visible()
        s.shot(name)


def test_the_national_view_filters_and_opens_a_site(browser: Browser, base_url: str) -> None:
    with logged_in(browser, base_url, "dinas", "/national") as s:
        page = s.page
        row = page.locator(f"#site-{SITE}")
        expect(row).to_be_visible()
        page.select_option("select[name=kind]", "lpka")
        page.click("#national-filters button[type=submit]")
        expect(page.locator(f"#site-{SITE}")).to_have_count(0)
        page.select_option("select[name=kind]", "")
        page.click("#national-filters button[type=submit]")
        page.locator(f"#site-{SITE} a").first.click()
        page.wait_for_url(f"**/?site={SITE}")
        expect(page.locator(f"#site-{SITE}")).to_be_visible()


def test_login_page_screenshot(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=base_url)
    page = context.new_page()
    page.goto("/login")
    Session(page).shot("login")
    context.close()
    assert (ARTIFACTS / "login-phone.png").exists()
