"""Dashboard benchmark: kiosk page weight and the pond page's 30-day charts.

Seeds a demo site (4 ponds, the demo farming records) with 30 days of readings at the
demo's 1-minute resolution (6 series per pond, ~1 M points), serves it with uvicorn and
loads the pages in Debian's headless Chromium (Playwright, as the browser tests do).

Reports, as medians over RUNS loads:
- kiosk: bytes transferred (HTML, CSS, JS; target < 300 KB) and time to ``load``;
- pond page opened at 30 days: ms from navigation start until every chart is drawn
  (target < 1 s), and the server time of the 30-day ``charts.json`` alone.

Run: .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _common import median, write_results
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Request

from api.app import create_app
from kolam.config import load_config
from tests.utils.auth import PASSWORD
from tests.utils.browser import chromium, serve
from tests.utils.pages import SITE, seed_site

RUNS = 7
STEP_MS = 60_000


def main() -> None:
    for key in [k for k in os.environ if k.startswith("KOLAM_")]:
        del os.environ[key]
    import tests.utils.pages as pages

    pages.STEP_MS = STEP_MS  # the demo backfill's resolution
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, data_dir=Path(tmp) / "data")
        t0 = time.perf_counter()
        site = seed_site(config)
        seed_s = time.perf_counter() - t0
        points = site.store.count()
        try:
            results = measure(create_app(config, site.store, site.registry))
        finally:
            site.close()
    write_results("pages", {"points": points, "seed_s": round(seed_s, 1), "runs": RUNS,
                            **results})


def _login(browser: Browser, base: str) -> BrowserContext:
    """A fresh context (cold cache) logged in as the admin."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.close()
    return context


def measure(app: FastAPI) -> dict[str, object]:
    kiosk_bytes, kiosk_requests, kiosk_ms = [], [], []
    render_ms, json_ms, json_bytes = [], [], []
    with serve(app) as base, chromium() as browser:
        for _ in range(RUNS):
            context = _login(browser, base)
            page = context.new_page()
            sizes: list[int] = []
            urls: list[str] = []

            def count(r: Request, sizes: list[int] = sizes, urls: list[str] = urls) -> None:
                if "/live/" not in r.url:
                    x = r.sizes()
                    sizes.append(x["responseBodySize"] + x["responseHeadersSize"])
                    urls.append(r.url)

            page.on("requestfinished", count)
            page.goto(f"/kiosk/{SITE}", wait_until="networkidle")
            page.remove_listener("requestfinished", count)
            # Bodies fetched again, as a check on the browser's count (no compression is
            # configured, so the body is what crosses the wire).
            bodies = sum(len(context.request.get(u).body()) for u in urls)
            kiosk_bytes.append(float(max(sum(sizes), bodies)))
            kiosk_requests.append(float(len(sizes)))
            kiosk_ms.append(page.evaluate(
                "performance.getEntriesByType('navigation')[0].loadEventEnd"))
            page.close()
            page = context.new_page()
            page.goto(f"/sites/{SITE}/ponds/kolam-1?range=30d")
            page.wait_for_selector("#charts[data-drawn-ms]", timeout=30_000)
            render_ms.append(float(page.get_attribute("#charts", "data-drawn-ms") or "nan"))
            t0 = time.perf_counter()
            r = context.request.get(f"/sites/{SITE}/ponds/kolam-1/charts.json?range=30d")
            json_ms.append((time.perf_counter() - t0) * 1000)
            json_bytes.append(float(len(r.body())))
            context.close()
    return {
        "kiosk_transferred_bytes_median": median(kiosk_bytes),
        "kiosk_requests": median(kiosk_requests),
        "kiosk_load_ms_median": round(median(kiosk_ms), 1),
        "pond_30d_charts_drawn_ms_median": round(median(render_ms), 1),
        "pond_30d_charts_drawn_ms_all": render_ms,
        "charts_json_30d_server_ms_median": round(median(json_ms), 1),
        "charts_json_30d_bytes": int(median(json_bytes)),
        "targets": {"kiosk_transferred_bytes": 300_000, "pond_30d_render_ms": 1000},
    }


if __name__ == "__main__":
    main()
