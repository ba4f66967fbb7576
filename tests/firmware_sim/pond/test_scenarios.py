"""Each scenario does what its name says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from firmware_sim.pond import SCENARIOS, AeratorOutage, PondSim
from firmware_sim.pond.sun import wib_days as wib_day
from firmware_sim.pond.sun import wib_hours as wib_hour
from tests.firmware_sim.pond.conftest import START

REQUIRED = ("normal", "cloudy-crash", "aerator-failure", "rain", "ammonia-build-up",
            "sensor-faults")


def _predawn_min(frames, day: int) -> np.ndarray:
    """Per-pond minimum DO between 00:00 and 07:00 WIB on the scenario's day `day`."""
    days = wib_day(frames.t_ms)
    mask = (days == days[0] + day) & (wib_hour(frames.t_ms) < 7.0)
    return frames.truth["do_mgl"][mask].min(axis=0)


def test_required_scenarios_exist() -> None:
    assert set(REQUIRED) <= set(SCENARIOS)
    for name, scenario in SCENARIOS.items():
        assert scenario.name == name and scenario.description


def test_normal_never_takes_do_below_2(simulate) -> None:
    _, frames = simulate("normal")
    assert frames.truth["do_mgl"].min() > 2.0


def test_cloudy_crash_kills_the_bloom_on_day_2(simulate) -> None:
    _, frames = simulate("cloudy-crash", days=4)
    die_offs = {(pond, kind) for pond, kind, _ in frames.incidents}
    assert die_offs == {(p, "plankton_die_off") for p in range(4)}
    day = wib_day(frames.t_ms) - wib_day(frames.t_ms)[0]
    do = frames.truth["do_mgl"]
    assert (do[day == 2].max(axis=0) < do[day == 1].max(axis=0) - 0.5).all()


def test_crash_scenarios_report_their_incident(simulate) -> None:
    _, frames = simulate("aerator-failure", days=4)
    assert {kind for _, kind, _ in frames.incidents} == {"aerator_failure"}
    assert not frames.aerator_on[wib_hour(frames.t_ms) == 23.5].all()


def test_several_outages_report_one_incident_each() -> None:
    """Three outages (one of them on pond 1 only, overlapping the first): one
    ``aerator_failure`` per pond and outage, at its start, not one per step."""
    base = SCENARIOS["aerator-failure"]
    outages = (AeratorOutage(day=0, start_h=20.0, duration_h=2.0),
               AeratorOutage(day=0, start_h=21.0, duration_h=2.0, ponds=(1,)),
               AeratorOutage(day=1, start_h=23.0, duration_h=1.0))
    scenario = replace(base, name="three-outages", aerator_outages=outages)
    frames = PondSim(2, START, 60.0, scenario, 1).run(2 * 1440)
    got = sorted((pond, wib_hour(np.array([t]))[0]) for pond, kind, t in frames.incidents
                 if kind == "aerator_failure")
    # Pond 1 is down from 20:00 to 23:00 without a break (the outages overlap): one incident.
    assert [(p, round(h, 2)) for p, h in got] == [(0, 20.0), (0, 23.0), (1, 20.0), (1, 23.0)]
    down = ~frames.aerator_on
    h = wib_hour(frames.t_ms)
    late = (wib_day(frames.t_ms) == wib_day(frames.t_ms)[0]) & (h > 22.1) & (h < 22.9)
    assert down[late, 1].all() and not down[late, 0].any()


def test_rain_cools_dilutes_and_fills(simulate) -> None:
    _, normal = simulate("normal")
    _, rain = simulate("rain")
    storm = (wib_day(rain.t_ms) == wib_day(rain.t_ms)[0] + 1)
    h = wib_hour(rain.t_ms)
    before, after = storm & (h > 14.5) & (h < 15.0), storm & (h > 17.0) & (h < 17.5)
    # The storm's effect: change across the storm against the same hours in `normal`.
    for key, lo, hi in (("temp_c", 1.0, 3.0), ("ph", 0.1, 1.5), ("tds_ppm", 5.0, 60.0)):
        def drop(frames, key=key):
            x = frames.truth[key]
            return x[before].mean(axis=0) - x[after].mean(axis=0)

        effect = drop(rain) - drop(normal)
        assert ((effect > lo) & (effect < hi)).all(), (key, effect)
    rise = rain.truth["level_cm"][after].mean(axis=0) - rain.truth["level_cm"][before].mean(0)
    assert (rise > 3.0).all()
    assert rain.truth["turbidity_ntu"].max() > normal.truth["turbidity_ntu"].max()


def test_ammonia_builds_up(simulate) -> None:
    _, frames = simulate("ammonia-build-up")
    tan = frames.truth["tan_mgl"]
    assert (tan[-1440:].mean(axis=0) > 2.0 * tan[:1440].mean(axis=0)).all()
    assert frames.truth["nh3_mgl"].max(axis=0).min() > 0.1  # every pond past the warning


def test_leak_drains_pond_zero_only(simulate) -> None:
    _, frames = simulate("leak", days=4)
    level = frames.truth["level_cm"]
    fall_6h = level[:-360] - level[360:]  # top-ups refill, so look at the fastest fall
    assert fall_6h[:, 0].max() > 5.0  # > 10 cm/day: DOMAIN.md's leak signature
    assert (fall_6h[:, 1:].max(axis=0) < 1.0).all()
    assert {(pond, kind) for pond, kind, _ in frames.incidents} == {(0, "leak")}
