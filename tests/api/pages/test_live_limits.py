"""Live-update slots over a real uvicorn: one login or address cannot take them all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from api.app import create_app
from api.live_streams import StreamSlots
from tests.utils.auth import page_login
from tests.utils.browser import serve
from tests.utils.net import wait_for
from tests.utils.pages import SITE, DemoSite


@pytest.fixture
def live_server(site: DemoSite) -> Iterator[tuple[str, StreamSlots]]:
    app = create_app(site.config, site.store, site.registry)
    app.state.live_poll_s = 0.2
    app.state.live_max_stream_s = 60.0
    slots = StreamSlots(total=8, per_user=3, per_address=5)
    app.state.live_slots = slots
    with serve(app) as url:
        yield url, slots


def _session(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    r = page_login(client, username)  # type: ignore[arg-type]
    assert r.status_code == 303, r.text
    return client


def test_live_slots_per_user_per_address_and_in_all(live_server: tuple[str, StreamSlots],
                                                    ) -> None:
    url, slots = live_server
    with ExitStack() as stack:
        kiosk, officer, dinas, admin = (_session(url, u)
                                        for u in ("kiosk", "officer", "dinas", "admin"))
        for client in (kiosk, officer, dinas, admin):
            stack.callback(client.close)

        def open_stream(client: httpx.Client, address: str) -> httpx.Response:
            r = stack.enter_context(client.stream("GET", f"/live/sites/{SITE}",
                                                  headers={"X-Forwarded-For": address}))
            if r.status_code != 200:
                r.read()
            return r

        # One kiosk login from several tablets: three streams, then refused ...
        first = open_stream(kiosk, "10.0.0.1")
        for address in ("10.0.0.2", "10.0.0.3"):
            assert open_stream(kiosk, address).status_code == 200
        refused = open_stream(kiosk, "10.0.0.4")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
        assert first.status_code == 200 and slots.open == 3
        # ... while other users still get theirs, up to five from one address.
        for _ in range(3):
            assert open_stream(officer, "10.0.1.1").status_code == 200
        assert open_stream(dinas, "10.0.1.1").status_code == 200
        assert open_stream(dinas, "10.0.1.1").status_code == 200
        assert open_stream(dinas, "10.0.1.1").status_code == 429  # the address is full
        assert slots.open == 8
        assert open_stream(admin, "10.0.2.1").status_code == 503  # every slot taken
        first.close()  # a closed page gives its slot back
        wait_for(lambda: slots.open == 7, 10, what="the closed stream's slot")
        assert open_stream(admin, "10.0.2.1").status_code == 200
