"""A grow-out cycle from seed to harvest lands in DOMAIN.md's production ranges."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from firmware_sim.pond import PondSim
from firmware_sim.pond.params import POND_FISH_PER_M2
from kolam.alerts.defaults import DEFAULT_RULES

STEP_S = 600.0  # a coarse step keeps an 85-day cycle to a few seconds


def grow_out(scenario: str, days: int, seed: int) -> tuple[PondSim, dict[str, np.ndarray]]:
    sim = PondSim(n_ponds=4, start=datetime(2026, 11, 1, 17, tzinfo=UTC), step_s=STEP_S,
                  scenario=scenario, seed=seed, cycle_day=0.0)
    p = sim.params
    stocked_kg = p.initial_count * p.initial_abw_g / 1000.0
    do_min = np.full(4, np.inf)
    for _ in range(days):
        frames = sim.run(round(86400 / STEP_S))
        do_min = np.minimum(do_min, frames.truth["do_mgl"].min(axis=0))
    s = sim.model.s
    return sim, {
        "abw_g": s.abw_g,
        "survival": s.fish_count / p.stocked_count,
        "fcr": s.cum_feed_kg / (s.biomass_kg - stocked_kg),
        "do_min": do_min,
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_a_pond_cycle_reaches_market_size_with_domain_survival_and_fcr(seed: int) -> None:
    sim, out = grow_out("normal", 85, seed)
    p = sim.params
    density = p.stocked_count / p.area_m2
    assert ((density >= 100.0) & (density <= 300.0)).all(), density  # tarpaulin, DOMAIN.md
    assert ((p.seed_abw_g >= 1.0) & (p.seed_abw_g <= 2.0)).all()
    assert POND_FISH_PER_M2[0] >= 100.0
    fish_per_kg = 1000.0 / out["abw_g"]
    assert ((fish_per_kg >= 7.0) & (fish_per_kg <= 10.0)).all(), fish_per_kg
    assert ((out["survival"] >= 0.80) & (out["survival"] <= 0.95)).all(), out["survival"]
    assert ((out["fcr"] >= 1.0) & (out["fcr"] <= 1.4)).all(), out["fcr"]
    assert (out["do_min"] > 2.0).all(), out["do_min"]  # healthy all cycle, harvest included


def test_a_biofloc_cycle_converts_feed_better() -> None:
    sim, out = grow_out("biofloc", 75, 1)
    p = sim.params
    per_m3 = p.stocked_count / (p.area_m2 * p.target_level_cm / 100.0)
    assert ((per_m3 >= 300.0) & (per_m3 <= 500.0)).all(), per_m3
    fish_per_kg = 1000.0 / out["abw_g"]
    assert ((fish_per_kg >= 7.0) & (fish_per_kg <= 10.0)).all(), fish_per_kg
    assert ((out["survival"] >= 0.80) & (out["survival"] <= 0.95)).all(), out["survival"]
    assert ((out["fcr"] >= 0.8) & (out["fcr"] <= 1.0)).all(), out["fcr"]


def test_biofloc_ph_drifts_down_over_the_weeks() -> None:
    sim = PondSim(n_ponds=4, start=datetime(2026, 11, 1, 17, tzinfo=UTC), step_s=STEP_S,
                  scenario="biofloc", seed=1, cycle_day=0.0)
    week = round(7 * 86400 / STEP_S)
    first = sim.run(week).truth["ph"].mean(axis=0)
    sim.run(3 * week)
    fifth = sim.run(week).truth["ph"].mean(axis=0)
    assert (fifth < first - 0.3).all(), (first, fifth)


@pytest.mark.parametrize("seed", [1, 2])
def test_thirty_days_of_normal_stay_inside_every_warning_threshold(seed: int) -> None:
    # The healthy pond must not give Kolam's default water rules anything to warn about
    # (issue #14: zero critical alerts, at most one warning per pond-week).
    sim = PondSim(n_ponds=4, start=datetime(2026, 11, 1, 17, tzinfo=UTC), step_s=STEP_S,
                  scenario="normal", seed=seed)
    truth = sim.run(round(30 * 86400 / STEP_S)).truth
    checked = 0
    for rule in DEFAULT_RULES.values():
        if rule.signal not in truth or rule.warning is None:
            continue
        values = truth[rule.signal]
        outside = values < rule.warning if rule.direction == "below" else values > rule.warning
        assert not outside.any(), (rule.id, values.min(), values.max())
        checked += 1
    assert checked >= 6  # DO, temperature ×2, pH ×2, NH3-N, nitrite, TDS
