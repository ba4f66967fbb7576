"""One demo site served by a real uvicorn and one headless Chromium per module."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from api.app import create_app
from kolam.config import load_config
from tests.utils.browser import chromium, serve
from tests.utils.pages import DemoSite, seed_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)
        config = load_config(None, data_dir=tmp_path_factory.mktemp("pages") / "data")
        demo = seed_site(config)
        try:
            yield demo
        finally:
            demo.close()


@pytest.fixture(scope="module")
def base_url(site: DemoSite) -> Iterator[str]:
    app = create_app(site.config, site.store, site.registry)
    app.state.live_poll_s = 0.5
    app.state.live_max_stream_s = 60.0
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b
