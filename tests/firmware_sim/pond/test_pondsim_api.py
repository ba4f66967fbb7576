"""The public surface of firmware_sim.pond."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

import firmware_sim.pond as pond
from firmware_sim.pond import SCENARIOS, Frame, Frames, PondSim, Scenario


def test_exports_are_pinned() -> None:
    assert sorted(pond.__all__) == sorted([
        "FAULT_KINDS", "METRICS", "SCENARIOS", "TRUTH_KEYS", "VALID_RANGE", "AeratorOutage",
        "DieOff", "FaultEvent", "Frame", "Frames", "Leak", "PondSim", "Scenario", "Storm",
        "SunTimes", "WeatherSpec", "do_saturation_mgl", "nh3_fraction", "sun_times",
    ])
    assert pond.TRUTH_KEYS[:len(pond.METRICS)] == pond.METRICS


def test_frame_and_frames_shapes() -> None:
    sim = PondSim(n_ponds=4, start=datetime(2026, 11, 1, tzinfo=UTC), step_s=60.0,
                  scenario="normal", seed=1)
    frame = sim.step()
    assert isinstance(frame, Frame)
    assert frame.t_ms == round(datetime(2026, 11, 1, 0, 1, tzinfo=UTC).timestamp() * 1000)
    assert set(frame.truth) == {*pond.METRICS, "nh3_mgl"}
    assert set(frame.observed) == set(pond.METRICS)
    assert all(v.shape == (4,) for v in (*frame.truth.values(), *frame.observed.values()))
    assert frame.battery_v.shape == frame.boot.shape == frame.clock_skew_ms.shape == (4,)
    assert frame.boot.dtype == np.int64 and frame.clock_skew_ms.dtype == np.int64
    frames = sim.run(10)
    assert isinstance(frames, Frames)
    assert frames.t_ms.dtype == np.int64 and frames.t_ms.shape == (10,)
    assert np.all(np.diff(frames.t_ms) == 60_000)
    assert frames.truth["do_mgl"].shape == frames.observed["ph"].shape == (10, 4)


def test_custom_scenario_object_is_accepted() -> None:
    custom = Scenario("calm", "normal with aerators all night", aerator_on_h=18.0)
    sim = PondSim(n_ponds=1, start=datetime(2026, 11, 1, 11, tzinfo=UTC), scenario=custom)
    assert sim.step().aerator_on.all()  # 18:01 WIB
    assert "normal" in SCENARIOS


def test_ponds_share_the_site_weather_unless_asked() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)

    def light_spread(independent: bool) -> float:
        sim = PondSim(n_ponds=3, start=start, step_s=600.0, seed=2,
                      independent_weather=independent)
        f = sim.weather.at(start.timestamp() + 5 * 3600)  # 12:00 WIB
        return float(np.ptp(np.broadcast_to(f.light, (3,))))

    assert light_spread(False) == 0.0
    assert light_spread(True) > 0.0
    sim = PondSim(n_ponds=3, start=start, step_s=600.0, seed=2, independent_weather=True)
    assert np.isfinite(sim.run(144).truth["do_mgl"]).all()
