"""``GET /api/v1/sites/{site}/ponds/{pond}/forecast``: the forecast as it stood at a moment,
from the readings stored up to it, through the app on a real SQLite store."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from kolam.alerts.forecast import DawnForecast
from kolam.config import KolamConfig
from kolam.science.sun import last_sunset_ms, next_sunrise_ms
from kolam.store.base import SeriesKey
from kolam.timeutil import iso
from tests.utils.farm import SITE_A, SITE_B, Farm, farm_app

H = 3_600_000
MIN = 60_000
DUSK = last_sunset_ms(1_762_783_200_000)  # 2025-11-10, the sunset before 21:00 WIB
SUNRISE = next_sunrise_ms(DUSK)
URL = f"/api/v1/sites/{SITE_A}/ponds/kolam-1/forecast"


def wib(hour: float) -> int:
    midnight = (DUSK + 7 * H) // (24 * H) * (24 * H) - 7 * H
    return int(midnight + hour * H)


def _night() -> list[tuple[int, float]]:
    """12:00 WIB to the next 09:00 every minute: DO falling toward dawn, with a wobble."""
    out = []
    for t in range(wib(12.0), wib(33.0), MIN):
        hours = max((t - DUSK) / H, 0.0)
        out.append((t, round(2.0 + 7.0 * math.exp(-hours / 4.0) + 0.05 * math.sin(t / 7e5), 3)))
    return out


READINGS = _night()


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    from kolam.config import load_config

    data = tmp_path_factory.mktemp("forecast") / "data"

    def make(**overrides: object) -> KolamConfig:
        return load_config(None, data_dir=data, **overrides)

    with farm_app(make) as f:
        f.store.write([(SeriesKey(SITE_A, "kolam-1", "node-1", "do_mgl"), t, v)
                       for t, v in READINGS])
        # kolam-2: a loose probe jumping between 0 and 15 mg/L from 21:00, silent from 02:00.
        loose = [(t, (0.0 if (t // MIN) % 2 else 15.0) if t >= wib(21.0) else v)
                 for t, v in READINGS if t < wib(26.0)]
        f.store.write([(SeriesKey(SITE_A, "kolam-2", "node-2", "do_mgl"), t, v)
                       for t, v in loose])
        yield f


def _get(farm: Farm, at: str | None, url: str = URL, who: str = "kiosk") -> dict[str, object]:
    r = farm.client.get(url, params={"at": at} if at else None, headers=farm.as_(who))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_the_forecast_at_2200_is_what_the_engine_saw_then(farm: Farm) -> None:
    body = _get(farm, iso(wib(22.0)))
    # The same code over the readings up to 22:00 (those after it are already stored).
    fc = DawnForecast()
    fc.add_many([t for t, _ in READINGS if t <= wib(22.0)],
                [v for t, v in READINGS if t <= wib(22.0)])
    assert fc.estimate is not None and fc.estimate.state == "forecast"
    assert body["state"] == "forecast"
    assert body["do_mgl"] == fc.estimate.do_mgl
    assert body["points"] == fc.estimate.points
    assert body["sunrise"] == iso(SUNRISE)
    assert body["method"] == "night-balance" and body["reason"] is None
    assert body["at"] == iso(wib(22.0)) and body["lat_deg"] == pytest.approx(-6.12)
    assert isinstance(body["do_mgl"], float) and 1.5 < body["do_mgl"] < 4.0


def test_later_readings_change_a_later_answer_only(farm: Farm) -> None:
    early, late = _get(farm, iso(wib(22.0))), _get(farm, iso(wib(27.0)))
    lowest = min(v for t, v in READINGS if DUSK <= t <= SUNRISE + H)
    assert isinstance(early["do_mgl"], float) and isinstance(late["do_mgl"], float)
    assert abs(late["do_mgl"] - lowest) < 0.3
    assert abs(late["do_mgl"] - lowest) < abs(early["do_mgl"] - lowest)


def test_day_and_wait(farm: Farm) -> None:
    day = _get(farm, iso(wib(14.0)))
    assert day["state"] == "day" and day["do_mgl"] is None
    assert day["sunrise"] == iso(next_sunrise_ms(wib(14.0)))
    wait = _get(farm, iso(DUSK + 50 * MIN))
    assert wait["state"] == "wait" and wait["do_mgl"] is None
    # A pond with no readings at all waits too.
    assert _get(farm, iso(wib(22.0)), f"/api/v1/sites/{SITE_B}/ponds/kolam-1/forecast",
                "officer_b")["state"] == "wait"


def test_an_erratic_probe_and_a_silent_one_are_unreliable(farm: Farm) -> None:
    url = f"/api/v1/sites/{SITE_A}/ponds/kolam-2/forecast"
    erratic = _get(farm, iso(wib(23.0)), url)
    assert erratic["state"] == "unreliable" and erratic["do_mgl"] is None
    assert "erratic" in str(erratic["reason"])
    silent = _get(farm, iso(wib(27.0)), url)
    assert silent["state"] == "unreliable" and "no DO reading" in str(silent["reason"])


def test_default_is_now(farm: Farm) -> None:
    body = _get(farm, None)
    assert body["state"] in ("day", "wait")  # nothing stored for tonight
    assert isinstance(body["at"], str) and body["at"] > "2026-"


def test_offset_times_are_accepted(farm: Farm) -> None:
    utc = _get(farm, iso(wib(22.0)))
    local = _get(farm, "2025-11-10T22:00:00+07:00")
    assert local["at"] == utc["at"] and local["do_mgl"] == utc["do_mgl"]


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-45T00:00:00Z", "22:00", "",
                                 "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_a_bad_at_is_422(farm: Farm, bad: str) -> None:
    r = farm.client.get(URL, params={"at": bad}, headers=farm.as_("kiosk"))
    assert r.status_code == 422, r.text
    assert "at" in r.text


def test_scoping(farm: Farm) -> None:
    at = {"at": iso(wib(22.0))}
    assert farm.client.get(URL, params=at).status_code == 401
    r = farm.client.get(URL, params=at, headers=farm.as_("officer_b"))
    assert r.status_code == 403 and "do_mgl" not in r.text
    for who in ("admin", "officer", "dinas", "kiosk"):
        assert farm.client.get(URL, params=at, headers=farm.as_(who)).status_code == 200
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/ponds/no-such-pond/forecast", params=at,
                        headers=farm.as_("officer"))
    assert r.status_code == 404
    r = farm.client.get("/api/v1/sites/no-such-site/ponds/kolam-1/forecast", params=at,
                        headers=farm.as_("admin"))
    assert r.status_code == 404


def test_a_pond_whose_aerator_runs_is_aerated_until_it_fails(farm: Farm) -> None:
    """The relay's recorded switches reach the replay as they reach ingest's forecast."""
    from kolam.protocol import DeviceRef, OutputState
    from kolam.registry.outputs import Outputs

    farm.registry.ensure_pond(SITE_A, "kolam-3")
    farm.store.write([(SeriesKey(SITE_A, "kolam-3", "node-3", "do_mgl"), t, v)
                      for t, v in READINGS])
    relay, outputs = DeviceRef(SITE_A, "kolam-3", "relay-3"), Outputs(farm.registry.engine)
    outputs.record_switches(relay, {"aerator-1": OutputState(
        True, wib(20.0), 2.0, "gateway:auto", "keep_on")}, wib(20.0))
    outputs.record_switches(relay, {"aerator-1": OutputState(
        False, wib(23.0), None, "local:power", "power_blip")}, wib(23.0))
    url = f"/api/v1/sites/{SITE_A}/ponds/kolam-3/forecast"
    running = _get(farm, iso(wib(22.0)), url)
    assert running["state"] == "aerated" and isinstance(running["do_mgl"], float)
    assert running["reason"] == "aerator on since 20:00: the forecast is of the aerated night"
    cut = _get(farm, iso(wib(23.5)), url)
    assert cut["state"] == "forecast" and cut["reason"] is None
    assert cut["regime_start"] is not None and cut["regime_start"] >= iso(wib(23.0))


def test_a_gateways_aerator_moving_no_air_reaches_the_replay(farm: Farm) -> None:
    """The relay says "on" throughout; the gateway's "DO still falling 20 min after
    switching on" (an ``aerator_failed`` alert from 23:00, resolved at 01:00) is what told
    ingest's forecast the pond had no air, and the replay is told the same."""
    from kolam.protocol import DeviceRef, OutputState
    from kolam.registry.alert_models import AlertRow
    from kolam.registry.db import session_factory
    from kolam.registry.outputs import Outputs

    farm.registry.ensure_pond(SITE_A, "kolam-4")
    farm.store.write([(SeriesKey(SITE_A, "kolam-4", "node-4", "do_mgl"), t, v)
                      for t, v in READINGS])
    relay = DeviceRef(SITE_A, "kolam-4", "relay-4")
    Outputs(farm.registry.engine).record_switches(relay, {"aerator-1": OutputState(
        True, wib(20.0), 2.0, "gateway:auto", "keep_on")}, wib(20.0))
    with session_factory(farm.registry.engine)() as s, s.begin():
        s.add(AlertRow(site=SITE_A, pond="kolam-4", rule_key="aerator_failed/relay-4/aerator-1",
                       rule="aerator_failed", device="relay-4/aerator-1", severity="critical",
                       state="resolved", unit="", detail="do_still_falling: 4.10 -> 3.80 mg/L",
                       since_t=wib(23.0), last_t=wib(25.0), resolved_t=wib(25.0),
                       created_at=wib(23.0), updated_at=wib(25.0)))
    url = f"/api/v1/sites/{SITE_A}/ponds/kolam-4/forecast"
    assert _get(farm, iso(wib(22.5)), url)["state"] == "aerated"
    dead = _get(farm, iso(wib(23.5)), url)
    assert dead["state"] == "forecast" and dead["regime_start"] >= iso(wib(23.0))
    back = _get(farm, iso(wib(25.5)), url)
    assert back["state"] == "aerated" and back["regime_start"] >= iso(wib(25.0))
