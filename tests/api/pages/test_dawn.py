"""The pond page shows the same dawn forecast as the API route and the alert engine, and
says when it is unreliable and why, in Indonesian and English."""

from __future__ import annotations

import math
import re

import pytest
from fastapi.testclient import TestClient

from api.i18n import reading
from kolam.alerts.forecast_replay import forecast_at
from kolam.science.sun import last_sunset_ms
from kolam.store import SeriesKey
from kolam.timeutil import WIB, from_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite

H, MIN = 3_600_000, 60_000
DUSK = last_sunset_ms(1_762_783_200_000)  # 2025-11-10, long before the demo's readings
AT = DUSK + 4 * H  # about 22:00 WIB


def _night() -> list[tuple[int, float]]:
    """Dusk to 23:00 WIB every minute: DO falling toward dawn, with a wobble."""
    return [(t, round(2.0 + 7.0 * math.exp(-(t - DUSK) / H / 4.0) + 0.05 * math.sin(t / 7e5), 3))
            for t in range(DUSK - H, DUSK + 5 * H, MIN)]


@pytest.fixture
def night(site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> DemoSite:
    readings = _night()
    site.store.write([(SeriesKey(SITE, "kolam-1", "node-1", "do_mgl"), t, v)
                      for t, v in readings])
    # kolam-2: a loose probe jumping between 0 and 15 mg/L from two hours after dusk.
    site.store.write([(SeriesKey(SITE, "kolam-2", "node-2", "do_mgl"), t,
                       (0.0 if (t // MIN) % 2 else 15.0) if t >= DUSK + 2 * H else v)
                      for t, v in readings])
    monkeypatch.setattr("api.pages.pond.now_ms", lambda: AT)
    return site


def _dawn(client: TestClient, pond: str) -> str:
    body = client.get(f"/sites/{SITE}/ponds/{pond}").text
    found = re.search(r'<p class="msg[^"]*" id="dawn"[^>]*>(.*?)</p>', body, re.S)
    assert found is not None, body
    return found.group(1)


def test_the_page_shows_the_forecast_the_engine_gives(client: TestClient,
                                                      night: DemoSite) -> None:
    est = forecast_at(night.store, SITE, "kolam-1", AT)
    assert est.state == "forecast" and est.do_mgl is not None
    shown = _dawn(log_in(client, "admin"), "kolam-1")
    assert shown.startswith(reading("do_mgl", est.do_mgl, "id")), shown


def test_an_unreliable_forecast_says_why_in_both_languages(client: TestClient,
                                                           night: DemoSite) -> None:
    est = forecast_at(night.store, SITE, "kolam-2", AT)
    assert est.state == "unreliable" and est.why is not None and est.why[0] == "erratic"
    c = log_in(client, "admin")
    shown = _dawn(c, "kolam-2")
    assert shown.startswith("Perkiraan tidak bisa dipercaya: probe tidak stabil"), shown
    assert "mg/L" in shown
    c.cookies.set("lang", "en")
    shown = _dawn(c, "kolam-2")
    assert shown.startswith("Forecast unreliable: erratic probe: readings scatter by "), shown


def test_a_running_aerator_is_on_the_page_with_the_dawn_without_it(client: TestClient,
                                                                   night: DemoSite) -> None:
    # The relay's recorded switch reaches the page's forecast as it reaches the API's.
    from kolam.alerts.forecast_replay import aerator_signal
    from kolam.protocol import DeviceRef, OutputState
    from kolam.registry.outputs import Outputs

    on = DUSK + 2 * H
    Outputs(night.registry.engine).record_switches(
        DeviceRef(SITE, "kolam-1", "relay-1"),
        {"aerator-1": OutputState(True, on, 2.0, "gateway:auto", "keep_on")}, on)
    signal, plan = aerator_signal(night.config, night.registry, SITE, "kolam-1")
    est = forecast_at(night.store, SITE, "kolam-1", AT, aerators=signal, plan=plan)
    assert est.state == "aerated" and est.do_mgl is not None and est.why is not None
    c = log_in(client, "admin")
    shown = _dawn(c, "kolam-1")
    since = from_ms(on).astimezone(WIB).strftime("%H:%M")
    assert shown.startswith(reading("do_mgl", est.do_mgl, "id")), shown
    assert f"aerator menyala sejak {since}; tanpa aerator subuh " in shown, shown
    c.cookies.set("lang", "en")
    assert f"aerator on since {since}; without it dawn would be " in _dawn(c, "kolam-1")
