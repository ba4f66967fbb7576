"""The aerators in a real Chromium (issue #18): the periods an aerator ran, shaded behind
the pond's DO line, and the kiosk's aerator card. Screenshots for docs/dashboard.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from api.app import create_app
from kolam.protocol import DeviceRef, OutputState
from kolam.registry.outputs import Outputs
from kolam.timeutil import WIB, from_ms, now_ms
from tests.browser.test_overview_charts_alerts import TABLET, logged_in
from tests.utils.browser import ARTIFACTS, serve
from tests.utils.pages import SITE, DemoSite

H = 3_600_000
RELAY = DeviceRef(SITE, "kolam-1", "relay-1")


def night_periods(now: int) -> list[tuple[int, int]]:
    """The aerator's on periods: the last night 23:30–05:30 WIB (its dawn at least an hour
    ago) and the last 30 minutes, put on by hand."""
    dawn = from_ms(now).astimezone(WIB).replace(hour=5, minute=30, second=0, microsecond=0)
    while dawn.timestamp() * 1000 > now - H:
        dawn -= timedelta(days=1)
    end = int(dawn.timestamp() * 1000)
    return [(end - 6 * H, end), (now - H // 2, now)]


@pytest.fixture(scope="module")
def aerator_site(site: DemoSite) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """The demo site with one aerator on ``night_periods``; the kiosk may switch."""
    site.registry.check_device(RELAY, auto_provision=True)
    outputs = Outputs(site.registry.engine)
    now = now_ms()
    (night_on, night_off), (manual_on, _) = periods = night_periods(now)
    for since, on, by, why in ((night_on, True, "gateway:auto", "do_low"),
                               (night_off, False, "gateway:auto", "do_ok"),
                               (manual_on, True, "user:officer", "manual")):
        outputs.record_switches(RELAY, {"aerator-1": OutputState(
            on, since, 1.1 if on else None, by, why)}, now)
    outputs.record_switches(RELAY, {"aerator-1": OutputState(
        True, manual_on, 1.1, "user:officer", "manual", "manual", now + H // 2, "c1")}, now)
    config = site.config.model_copy(update={"kiosk_switch_sites": [SITE]})
    with serve(create_app(config, site.store, site.registry)) as url:
        yield url, periods


def probes(periods: list[tuple[int, int]], now: int) -> tuple[int, int, int]:
    """(visible periods, a time well inside one, a time well outside all) in the 24 h."""
    start = now - 24 * H
    visible = [(max(a, start), b) for a, b in periods if b > start]
    a, b = max(visible, key=lambda p: p[1] - p[0])
    far = [t for t in range(start + H, now - H, 600_000)
           if all(t < x - 1_200_000 or t > y + 1_200_000 for x, y in periods)]
    return len(visible), (a + b) // 2, far[len(far) // 2]


TINT = """([t, frac]) => {
  const u = document.querySelector('.chart[data-metric="do_mgl"]').uplot;
  const x = Math.round(u.valToPos(t, "x", true));
  const ctx = u.ctx, b = u.bbox, out = [];
  for (let k = 1; k <= 9; k++) {
    const y = Math.round(b.top + b.height * frac * k / 10);
    const [r, g, bl] = ctx.getImageData(x, y, 1, 1).data;
    out.push(r - bl);
  }
  return out.sort((a, c) => a - c)[4];
}"""
"""The median red-minus-blue of the DO chart's pixels at time ``t`` (the amber band is
red over blue; white and the green optimal band are not)."""


def test_the_do_chart_shades_the_aerators_on_periods(
        browser: Browser, aerator_site: tuple[str, list[tuple[int, int]]]) -> None:
    url, periods = aerator_site
    with logged_in(browser, url, "officer", f"/sites/{SITE}/ponds/kolam-1", TABLET) as page:
        expect(page.locator("#charts")).to_have_attribute("data-drawn", re.compile(r"[1-9]"),
                                                          timeout=15_000)
        legend = page.locator('.chart[data-metric="do_mgl"] .switch-legend '
                              '[data-output="relay-1/aerator-1"]')
        shown, inside_t, outside_t = probes(periods, now_ms())
        expect(legend).to_have_attribute("data-periods", str(shown))
        expect(legend).to_contain_text("relay-1/aerator-1 menyala")
        assert page.locator('.chart[data-metric="temp_c"] .switch-legend').count() == 0
        inside: Any = page.evaluate(TINT, [inside_t / 1000, 0.5])
        outside: Any = page.evaluate(TINT, [outside_t / 1000, 0.5])
        assert inside > 20 and outside < 10, (inside, outside)
        box = page.locator('.chart[data-metric="do_mgl"]')
        box.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(ARTIFACTS / "chart-do-aerators.png"))
        card = page.locator("#outputs")
        expect(card).to_contain_text("manual sampai")
        expect(card.locator("button", has_text="Kembali ke otomatis")).to_be_visible()
        card.screenshot(path=str(ARTIFACTS / "pond-aerators.png"))


def test_the_kiosk_shows_the_aerators_and_a_switch(
        browser: Browser, aerator_site: tuple[str, list[tuple[int, int]]]) -> None:
    with logged_in(browser, aerator_site[0], "kiosk", f"/kiosk/{SITE}", TABLET) as page:
        card = page.locator("#outputs")
        expect(card).to_contain_text("Aerator")
        row = card.locator('[data-output="relay-1/aerator-1"]')
        expect(row).to_contain_text("menyala")
        expect(row).to_contain_text("manual sampai")
        expect(row.locator("button", has_text="Matikan")).to_be_visible()
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(ARTIFACTS / "kiosk-aerators.png"))
