"""Daily cycles and mass balances of the pond model under the `normal` scenario."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from firmware_sim.pond import PondSim, do_saturation_mgl, fish
from firmware_sim.pond.params import TAN_PER_FEED_PROTEIN
from firmware_sim.pond.sun import wib_days as wib_day
from firmware_sim.pond.sun import wib_hours as wib_hour
from kolam.farming import kpi

STEPS_PER_DAY = 1440


def full_days(t_ms: np.ndarray) -> list[np.ndarray]:
    """Boolean masks of the complete WIB days covered by t_ms."""
    day = wib_day(t_ms)
    return [day == d for d in np.unique(day) if (day == d).sum() == STEPS_PER_DAY]


def test_do_is_lowest_at_night_and_highest_in_the_afternoon(simulate) -> None:
    # Blowers run day and night, so at night DO settles towards the aerator's equilibrium
    # with the night's demand instead of falling to the classic green-pond dawn minimum.
    _, frames = simulate("normal")
    do, hour = frames.truth["do_mgl"], wib_hour(frames.t_ms)
    days = full_days(frames.t_ms)
    assert len(days) >= 6
    for day in days:
        h = hour[day]
        t_min = h[do[day].argmin(axis=0)]
        t_max = h[do[day].argmax(axis=0)]
        assert ((t_min >= 18.0) | (t_min <= 7.0)).all(), t_min
        assert ((t_max >= 10.0) & (t_max <= 16.0)).all(), t_max


def test_afternoon_supersaturation_is_modest_in_a_dense_pond(simulate) -> None:
    _, frames = simulate("normal")
    t = frames.truth
    saturation = t["do_mgl"] / do_saturation_mgl(t["temp_c"])
    assert saturation.max() < 1.3  # not the 170 % of a thin, unstocked green pond
    assert (t["do_mgl"].min(axis=0) > 3.0).all()


def test_temperature_mean_and_swing(simulate) -> None:
    _, frames = simulate("normal")
    temp, hour = frames.truth["temp_c"], wib_hour(frames.t_ms)
    for day in full_days(frames.t_ms):
        mean = temp[day].mean(axis=0)
        swing = temp[day].max(axis=0) - temp[day].min(axis=0)
        assert ((mean > 26.0) & (mean < 31.0)).all(), mean
        assert ((swing > 1.0) & (swing < 4.0)).all(), swing
        peak = hour[day][temp[day].argmax(axis=0)]
        assert ((peak >= 12.5) & (peak <= 15.0)).all(), peak


def test_ph_stays_in_the_optimal_band_with_an_afternoon_high(simulate) -> None:
    _, frames = simulate("normal")
    ph, hour = frames.truth["ph"], wib_hour(frames.t_ms)
    assert ph.min() > 6.5 and ph.max() < 8.5  # DOMAIN.md optimal band, never a warning
    for day in full_days(frames.t_ms):
        peak = hour[day][ph[day].argmax(axis=0)]
        assert ((peak >= 10.0) & (peak <= 17.0)).all(), peak
        swing = ph[day].max(axis=0) - ph[day].min(axis=0)
        assert ((swing > 0.2) & (swing < 1.5)).all(), swing


def test_other_metrics_stay_plausible(simulate) -> None:
    _, frames = simulate("normal")
    t = frames.truth
    for key, lo, hi in (("tan_mgl", 0.0, 2.0), ("no2_mgl", 0.0, 0.5), ("tds_ppm", 100.0, 600.0),
                        ("turbidity_ntu", 5.0, 100.0), ("level_cm", 50.0, 120.0)):
        assert t[key].min() > lo and t[key].max() < hi, key
    assert t["nh3_mgl"].max() < 0.34  # never the DOMAIN.md critical level


def _pending_tan_g(sim: PondSim) -> np.ndarray:
    """TAN of past meals not yet excreted."""
    pending = np.zeros(sim.n_ponds)
    for t_meal, tan_g in sim.model.s.meals:
        since_h = (sim.t_s - t_meal) / 3600.0
        pending += tan_g * (1.0 - fish.excreted_share(0.0, since_h))
    return pending


def test_tan_excretion_conserves_feed_nitrogen() -> None:
    sim = PondSim(n_ponds=3, start=datetime(2026, 11, 1, tzinfo=UTC), seed=4)
    s, protein = sim.model.s, sim.params.feed_protein
    before = _pending_tan_g(sim)
    sim.run(3 * 1440)
    fed_tan_g = s.cum_feed_kg * protein * TAN_PER_FEED_PROTEIN * 1000.0
    np.testing.assert_allclose(s.cum_tan_excreted_g + _pending_tan_g(sim) - before, fed_tan_g,
                               rtol=1e-9)


def test_daily_tan_production_is_feed_times_protein_times_0_092() -> None:
    sim = PondSim(n_ponds=3, start=datetime(2026, 11, 1, 17, tzinfo=UTC), seed=4)  # 00:00 WIB
    s, protein = sim.model.s, sim.params.feed_protein
    sim.run(1440)
    feed0, tan0 = s.cum_feed_kg.copy(), s.cum_tan_excreted_g.copy()
    sim.run(1440)
    feed_kg, tan_g = s.cum_feed_kg - feed0, s.cum_tan_excreted_g - tan0
    assert (feed_kg > 0).all()
    # A day's excretion lags its meals by hours, so it tracks the day's feed to within the
    # day-to-day growth of the ration (a few %).
    np.testing.assert_allclose(tan_g, feed_kg * protein * TAN_PER_FEED_PROTEIN * 1000.0,
                               rtol=0.05)


def test_excretion_peaks_four_to_six_hours_after_a_meal() -> None:
    hours = np.arange(0.0, 24.0, 0.25)
    rate = np.array([fish.excreted_share(h, 0.25) for h in hours])
    assert 4.0 <= hours[rate.argmax()] <= 6.0
    assert rate.sum() == pytest.approx(1.0)


def test_fish_grow_and_a_few_die(simulate) -> None:
    sim, _ = simulate("normal")
    p, s = sim.params, sim.model.s
    assert (s.abw_g > p.initial_abw_g * 1.1).all()  # a week of growth at 3–5 %/day
    survival = s.fish_count / p.initial_count
    assert ((survival > 0.95) & (survival < 1.0)).all()


def test_feeding_rate_is_kolams_own_table() -> None:
    abw = np.array([2.0, 10.0, 30.0, 70.0, 150.0])
    np.testing.assert_array_equal(fish.feeding_rate_pct(abw),
                                  [kpi.feeding_rate_pct(w) for w in abw])


@pytest.mark.parametrize("step_s", [60.0, 300.0, 600.0])
@pytest.mark.parametrize("start_hour_utc", [17, 3, 9])
def test_three_meals_a_day_whatever_the_step_and_start(step_s: float,
                                                        start_hour_utc: int) -> None:
    sim = PondSim(n_ponds=1, start=datetime(2026, 11, 1, start_hour_utc, tzinfo=UTC),
                  step_s=step_s, seed=1)
    t0 = sim.t_s
    sim.run(round(86400 / step_s))
    served = sorted(t for t, _ in sim.model.s.meals if t >= t0)
    assert len(served) == len(fish.MEAL_HOURS_WIB)
    assert sorted(wib_hour(np.array(served, dtype=np.int64) * 1000)) == list(fish.MEAL_HOURS_WIB)
