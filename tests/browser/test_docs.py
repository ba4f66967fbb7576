"""``/docs`` in real Chromium with no way out of the machine: the vendored Swagger UI
renders the API's operations and asks nothing of any other host."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, Route, expect

from tests.utils.browser import ARTIFACTS


def test_docs_render_offline(browser: Browser, base_url: str) -> None:
    here = urlsplit(base_url).netloc
    outside: list[str] = []

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).netloc == here:
            route.continue_()
        else:  # what a site without internet would do to it
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.route("**/*", offline)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda e: script_errors.append(str(e)))
    try:
        page.goto("/docs")
        operations = page.locator(".opblock-summary-path")
        expect(operations.first).to_be_visible(timeout=15_000)
        paths = operations.all_inner_texts()
        assert len(paths) > 20, paths
        assert any(p.replace("\u200b", "") == "/api/v1/sites" for p in paths), paths
        expect(page.locator(".btn.authorize")).to_be_visible()  # log in from the page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "docs-offline.png"))
    finally:
        context.close()
    assert outside == [], f"the docs page asked other hosts: {outside}"
    assert script_errors == []
