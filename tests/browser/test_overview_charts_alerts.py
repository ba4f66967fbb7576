"""The overview, a pond's charts and the alerts page in a real Chromium, at a phone's and a
tablet's size (issue #17 items 6, 7): one way of writing numbers and times, nothing hidden
off a phone's screen, the Dinas only watching."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from kolam.alerts.model import Severity
from kolam.timeutil import WIB, from_ms, now_ms
from tests.utils.auth import PASSWORD
from tests.utils.browser import ARTIFACTS
from tests.utils.pages import SITE, DemoSite, raise_alert

PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 820, "height": 1180}
TABLET_LANDSCAPE: ViewportSize = {"width": 1180, "height": 820}


@contextmanager
def logged_in(browser: Browser, base_url: str, username: str, start: str,
              viewport: ViewportSize, lang: str = "id") -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, base_url=base_url, locale="en-US",
                                  timezone_id="America/New_York")  # not the site's zone
    context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(start)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    try:
        yield page
        assert errors == [], errors
    finally:
        context.close()


def _shot(page: Page, name: str) -> None:
    """Into test-artifacts/pages/; docs/img/pages/ holds copies (docs/dashboard.md)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


@pytest.fixture(scope="module")
def alerts_raised(site: DemoSite) -> DemoSite:
    """Three warnings and one critical over four ponds (the issue's 'every pond Bahaya')."""
    raise_alert(site, "kolam-1", "temp_high", Severity.WARNING, 32.6, "temp_c", "°C", 32.0)
    raise_alert(site, "kolam-2", "do_low", Severity.CRITICAL, 1.8, "do_mgl", "mg/L", 2.0)
    raise_alert(site, "kolam-3", "temp_high", Severity.WARNING, 32.8, "temp_c", "°C", 32.0)
    raise_alert(site, "kolam-4", "offline", Severity.WARNING, 1.0, None, "", 0.5,
                device="node-4")
    return site


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("tablet", TABLET)])
def test_overview_ranks_ponds_by_trouble(browser: Browser, base_url: str,
                                         alerts_raised: DemoSite, size: str,
                                         viewport: ViewportSize) -> None:
    with logged_in(browser, base_url, "dinas", "/", viewport) as page:
        rows = page.locator("#pond-table tbody tr")
        expect(rows).to_have_count(4)
        assert rows.first.get_attribute("data-pond") == f"{SITE}/kolam-2"
        statuses = [rows.nth(i).get_attribute("data-status") for i in range(4)]
        assert statuses.count("critical") == 1, statuses  # not every pond Bahaya
        expect(rows.first).to_contain_text("Kolam 2")
        expect(rows.first).to_contain_text("Oksigen terlarut rendah")
        expect(page.locator("#site-table")).to_contain_text("1 bahaya · 3 waspada")
        text = page.locator("main").inner_text()
        assert "kolam-2" not in text and re.search(r"\d,\d+ mg/L", text)
        _no_sideways_scroll(page, viewport["width"])
        _shot(page, f"overview-{size}")


def _axis_labels(page: Page, metric: str) -> list[str]:
    labels: list[str] = page.evaluate(
        """m => document.querySelector(`.chart[data-metric="${m}"]`).uplot.axes[0]._values""",
        metric)
    return labels


@pytest.mark.parametrize(("lang", "legend", "day_tick"), [
    ("id", r"^\d\d/\d\d \d\d:\d\d WIB$", r"^\d\d/\d\d$"),
    ("en", r"^\d{1,2} [A-Z][a-z]{2} \d\d:\d\d WIB$", r"^\d{1,2} [A-Z][a-z]{2}$")])
def test_chart_axes_speak_the_page_language(browser: Browser, base_url: str, lang: str,
                                            legend: str, day_tick: str) -> None:
    with logged_in(browser, base_url, "officer", f"/sites/{SITE}/ponds/kolam-1", TABLET,
                   lang) as page:
        charts = page.locator("#charts")
        expect(charts).to_have_attribute("data-drawn", re.compile(r"[1-9]"), timeout=10_000)
        ticks = _axis_labels(page, "do_mgl")
        # 24 h: hours as 24-hour clock times (the date at midnight), never "3pm".
        assert ticks and all(re.match(r"^\d\d:\d\d$", x) or re.match(day_tick, x)
                             for x in ticks), ticks
        assert not any(re.search(r"am|pm", x) for x in ticks), ticks
        box = page.locator(".chart[data-metric=do_mgl]")
        label = box.locator(".u-legend .u-series").first.locator(".u-label")
        expect(label).to_have_text("Waktu" if lang == "id" else "Time")
        over = box.locator(".u-over")
        over.scroll_into_view_if_needed()
        over.hover()
        bb = over.bounding_box()
        assert bb is not None
        page.mouse.move(bb["x"] + bb["width"] / 2 + 5, bb["y"] + bb["height"] / 2)
        value = box.locator(".u-legend .u-series").first.locator(".u-value")
        expect(value).to_have_text(re.compile(legend))
        mean = box.locator(".u-legend .u-series").nth(1).locator(".u-value")
        expect(mean).to_have_text(re.compile(r"\d,\d\d mg/L" if lang == "id"
                                             else r"\d\.\d\d mg/L"))
        page.click("button[data-range='7d']")
        expect(charts).to_have_attribute("data-range", "7d")
        ticks = _axis_labels(page, "do_mgl")
        assert ticks and all(re.match(day_tick, x) or re.match(r"^\d\d:\d\d$", x)
                             for x in ticks), ticks
        assert any(re.match(day_tick, x) for x in ticks), ticks
        if lang == "id":
            box.screenshot(path=str(ARTIFACTS / "chart-do.png"))


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE),
                                                ("tablet", TABLET_LANDSCAPE)])
def test_alerts_fit_a_phone_and_tangani_is_visible(browser: Browser, base_url: str,
                                                   alerts_raised: DemoSite, size: str,
                                                   viewport: ViewportSize) -> None:
    raise_alert(alerts_raised, "kolam-1", "ph_high", Severity.WARNING, 9.3, "ph", "pH", 9.0)
    with logged_in(browser, base_url, "officer", "/alerts", viewport) as page:
        row = page.locator("#alert-list tbody tr[data-state=open]", has_text="Kolam 1").first
        button = row.locator("button.ack")
        expect(button).to_be_visible()
        expect(button).to_have_text("Tangani")
        bb = button.bounding_box()
        assert bb is not None and bb["x"] >= 0 and bb["x"] + bb["width"] <= viewport["width"]
        _no_sideways_scroll(page, viewport["width"])
        expect(row).not_to_contain_text("kolam-1")
        expect(row).to_contain_text(re.compile(r"\d\d/\d\d \d\d:\d\d WIB"))
        _shot(page, f"alerts-{size}")
        alert_id = row.get_attribute("id")
        button.click()
        expect(page.locator(f"#{alert_id}")).to_have_attribute("data-state", "acknowledged")


def test_dinas_watches_alerts_without_acknowledging(browser: Browser, base_url: str,
                                                    alerts_raised: DemoSite) -> None:
    with logged_in(browser, base_url, "dinas", "/alerts", PHONE) as page:
        expect(page.locator("#alert-list tbody tr[data-state=open]").first).to_be_visible()
        expect(page.locator("button.ack")).to_have_count(0)
        expect(page.locator("#ack-note")).to_contain_text("Dinas hanya memantau")



def test_overview_prints_from_the_browser(browser: Browser, base_url: str,
                                          alerts_raised: DemoSite) -> None:
    with logged_in(browser, base_url, "dinas", "/", TABLET) as page:
        page.evaluate("window.print = () => { window.__printed = true; }")
        page.click("#print")
        assert page.evaluate("window.__printed") is True
        page.emulate_media(media="print")
        expect(page.locator("header.bar")).to_be_hidden()
        expect(page.locator("#print")).to_be_hidden()
        expect(page.locator("#printed")).to_be_visible()
        expect(page.locator("#printed")).to_contain_text(re.compile(r"\d\d/\d\d/20\d\d \d\d:\d\d WIB"))
        expect(page.locator("#pond-table tbody tr")).to_have_count(4)
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_monthly_report_prints_one_number_format(browser: Browser, base_url: str,
                                                 site: DemoSite) -> None:
    """The printable monthly report in Chromium: Indonesian numbers throughout (116,9 kg
    beside Rp 3.980.000, never 116.9 kg), pond names, a Print button that is not printed."""
    token = httpx.post(f"{base_url}/api/v1/auth/token",
                       data={"username": "dinas", "password": PASSWORD}).json()["access_token"]
    context = browser.new_context(viewport=TABLET, base_url=base_url,
                                  extra_http_headers={"Authorization": f"Bearer {token}"})
    try:
        page = context.new_page()
        month = from_ms(now_ms()).astimezone(WIB).strftime("%Y-%m")
        page.goto(f"/api/v1/sites/{SITE}/reports/monthly.html?month={month}")
        expect(page.locator("#print")).to_be_visible()
        text = page.locator("body").inner_text()
        assert re.search(r"\d+,\d kg", text) and not re.search(r"\b\d+\.\d kg\b", text), text
        assert "Kolam 1" in text and "kolam-1" not in text
        assert re.search(r"\d\d/\d\d/20\d\d", text)
        page.emulate_media(media="print")
        expect(page.locator("#print")).to_be_hidden()
        assert page.pdf(format="A4").startswith(b"%PDF")
    finally:
        context.close()
