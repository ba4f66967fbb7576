"""A demo site (7 days of readings, to stay fast) behind a TestClient, per module."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import load_config
from tests.utils.auth import page_login
from tests.utils.pages import DemoSite, seed_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)
        config = load_config(None, data_dir=tmp_path_factory.mktemp("pages") / "data")
        demo = seed_site(config, days=7)
        try:
            yield demo
        finally:
            demo.close()


@pytest.fixture
def client(site: DemoSite) -> Iterator[TestClient]:
    app = create_app(site.config, site.store, site.registry)
    app.state.live_poll_s = 0.05
    app.state.live_max_stream_s = 0.5
    with TestClient(app, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, username: str) -> TestClient:
    r = page_login(client, username)
    assert r.status_code == 303, r.text
    return client
