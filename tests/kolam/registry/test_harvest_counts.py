"""Harvest counts derived from the weight use today's estimated weight (real SQLite)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kolam.farming.kpi import DAY_MS, cycle_kpis, weight_estimate
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import (
    InvalidRecord,
    LogKind,
    NewCycle,
    NewHarvest,
    NewLog,
    NewTeam,
    Programme,
)
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.timeutil import now_ms

T0 = now_ms() - 100 * DAY_MS


def truth_g(t: float) -> float:
    """SGR falling linearly in time, 7 → 3 %/day over 90 days, from 1.5 g (135 g on day 90)."""
    return 1.5 * math.exp(0.07 * t - 0.5 * (0.04 / 90) * t * t)


@pytest.fixture
def farm(tmp_path: Path) -> tuple[Cycles, Entries, int]:
    registry = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    registry.ensure_pond("serang", "kolam-1")
    team = Teams(registry.engine).add_team("serang", NewTeam("Lele Jaya",
                                                             Programme.LELE_GROWOUT, T0))
    cycles, entries = Cycles(registry.engine), Entries(registry.engine)
    c = cycles.start("serang", "kolam-1", NewCycle(team.id, T0, 1000, 1.5))
    entries.add_log("serang", c.id, NewLog(LogKind.MORTALITY, T0 + DAY_MS, dead_count=50),
                    "officer")
    for d in range(14, 71, 14):  # days 14 … 70, on the curve
        entries.add_log("serang", c.id, NewLog(LogKind.SAMPLING, T0 + d * DAY_MS,
                                               sample_count=30,
                                               sample_weight_g=30 * truth_g(d)), "officer")
    return cycles, entries, c.id


def test_final_harvest_13_days_after_sampling_is_not_refused(
        farm: tuple[Cycles, Entries, int]) -> None:
    cycles, entries, c = farm
    # Day 83: the 950 fish left weigh 950 × 119.0 g = 113.1 kg. The day-70 sampling
    # (94.4 g) would derive 113.1 kg ÷ 94.4 g = 1198 fish, "more than the 950 alive".
    kg = 950 * truth_g(83) / 1000
    assert round(kg * 1000 / truth_g(70)) > 950
    h = entries.add_harvest("serang", c, NewHarvest(T0 + 83 * DAY_MS, kg, final=True),
                            "officer")
    assert not h.count_measured and h.count == pytest.approx(950, rel=0.05)
    k = cycle_kpis(cycles.records("serang", c), now_ms())
    assert not k.active and k.survival_pct == pytest.approx(100 * h.count / 1000)


def test_a_final_harvest_takes_every_fish_left(farm: tuple[Cycles, Entries, int]) -> None:
    _, entries, c = farm
    # Fish 20 % heavier than the estimate: 1.2 × 950 ≈ 1140 fish derived, but a final
    # harvest cannot take more than the 950 alive: the estimate was off, not the pond.
    kg = 1.2 * 950 * truth_g(83) / 1000
    h = entries.add_harvest("serang", c, NewHarvest(T0 + 83 * DAY_MS, kg, final=True),
                            "officer")
    assert h.count == 950 and not h.count_measured


def test_derived_count_uses_the_weight_on_the_harvest_day(
        farm: tuple[Cycles, Entries, int]) -> None:
    cycles, entries, c = farm
    # A partial harvest on day 77 of 10 kg: the count is kg ÷ today's estimate, the
    # estimate the KPIs show for that day, not kg ÷ the day-70 weight.
    h = entries.add_harvest("serang", c, NewHarvest(T0 + 77 * DAY_MS, 10.0), "officer")
    records = cycles.records("serang", c)
    est = weight_estimate(records, T0 + 77 * DAY_MS)
    assert est.sampled_day == 70 and est.abw_g == pytest.approx(truth_g(77), rel=0.05)
    assert h.count == round(10_000 / est.abw_g)
    assert h.count < round(10_000 / truth_g(70))


def test_a_partial_harvest_heavier_than_the_pond_is_still_refused(
        farm: tuple[Cycles, Entries, int]) -> None:
    _, entries, c = farm
    kg = 2 * 950 * truth_g(83) / 1000  # twice the fish standing
    with pytest.raises(InvalidRecord, match="give the count or the size grade"):
        entries.add_harvest("serang", c, NewHarvest(T0 + 83 * DAY_MS, kg), "officer")
    with pytest.raises(InvalidRecord, match="more than the 950 alive"):
        entries.add_harvest("serang", c, NewHarvest(T0 + 83 * DAY_MS, kg, final=True,
                                                    count=951), "officer")
