"""KPIs against cycles computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kolam.catalogue import METRICS
from kolam.kpi import (
    DAY_MS,
    compliance_pct,
    cycle_kpis,
    feed_advice,
    feeding_rate_pct,
    fit_growth,
    team_kpis,
)
from kolam.registry.records import (
    CostCategory,
    CostInfo,
    CycleInfo,
    CycleRecords,
    HarvestInfo,
    LogInfo,
    LogKind,
)

T0 = 1_767_225_600_000  # 2026-01-01T00:00Z


def day(d: float) -> int:
    return T0 + int(d * DAY_MS)


def cycle(id_: int, seed: int, seed_g: float, cost: float, ended: float | None = None,
          ) -> CycleInfo:
    return CycleInfo(id_, "serang", "kolam-1", 1, "Lele Jaya", T0, seed, seed_g, 3.0, "UPR",
                     cost, 8.0, day(ended) if ended is not None else None, None)


def feeding(d: float, kg: float) -> LogInfo:
    return LogInfo(LogKind.FEEDING, day(d), feed_kg=kg, protein_pct=31.0)


def deaths(d: float, n: int) -> LogInfo:
    return LogInfo(LogKind.MORTALITY, day(d), dead_count=n)


def sampling(d: float, n: int, grams: float) -> LogInfo:
    return LogInfo(LogKind.SAMPLING, day(d), sample_count=n, sample_weight_g=grams)


def harvest(d: float, kg: float, count: int, *, final: bool, measured: bool,
            fish_per_kg: float | None, price: float) -> HarvestInfo:
    return HarvestInfo(1, 1, day(d), final, kg, fish_per_kg, count, measured, "warung",
                       price, (), "officer")


# Cycle A, still active on day 60: 1000 fish of 2 g (2 kg), 60 kg feed, 50 dead,
# samplings 50 g on day 30 and 100 g on day 50, a partial harvest of 20 kg at 10 fish/kg
# (200 fish, Rp 22,000/kg) on day 55; Rp 300,000 seed, Rp 810,000 other costs.
ACTIVE = CycleRecords(
    cycle(1, 1000, 2.0, 300_000),
    (feeding(1, 10), deaths(5, 30), feeding(10, 20), deaths(20, 20), sampling(30, 30, 1500),
     feeding(40, 30), sampling(50, 20, 2000)),
    (harvest(55, 20, 200, final=False, measured=False, fish_per_kg=10, price=22_000),),
    (CostInfo(1, 1, day(2), CostCategory.FEED, 760_000, "2 sacks", "officer"),
     CostInfo(2, 1, day(3), CostCategory.OTHER, 50_000, "net", "officer")),
)

# Cycle B, finished: 500 fish of 5 g (2.5 kg), 50 kg feed, 10 deaths recorded, final
# harvest on day 60 of 47 kg, 470 fish counted (20 lost unrecorded), Rp 20,000/kg.
FINISHED = CycleRecords(
    cycle(2, 500, 5.0, 150_000, ended=60),
    (feeding(1, 25), deaths(10, 10), feeding(30, 25)),
    (harvest(60, 47, 470, final=True, measured=True, fish_per_kg=None, price=20_000),),
    (),
)


def test_active_cycle_with_partial_harvest_and_mortality() -> None:
    k = cycle_kpis(ACTIVE, day(60), temp_c=24.0, do_mgl=5.0)
    assert k.active and k.day == 60
    assert (k.stocked_count, k.dead_count, k.harvested_count) == (1000, 50, 200)
    assert k.live_count == 750                      # 1000 − 50 − 200
    assert k.abw_g == 100                           # 2000 g / 20 fish
    assert k.biomass_kg == pytest.approx(75)        # 750 × 100 g
    assert k.survival_pct == pytest.approx(95)      # (200 + 750) / 1000
    assert k.feed_kg == 60
    assert k.fcr == pytest.approx(60 / 93)          # 60 / (20 + 75 − 2)
    assert k.sgr_pct_day == pytest.approx(100 * math.log(50) / 50)  # ln(100/2)/50 days
    assert k.adg_g_day == pytest.approx(1.96)       # (100 − 2) / 50
    assert k.revenue_rp == 440_000                  # 20 kg × 22,000
    assert k.costs_rp == 1_110_000                  # 300,000 + 760,000 + 50,000
    assert k.margin_rp == -670_000
    # Growth fit on the two samplings: rate ln 2 / 20 per day; 125 g (8 fish/kg) is
    # reached ln(1.25) / rate days after day 50.
    reach = 50 + math.log(1.25) / (math.log(2) / 20)
    assert k.target_weight_g == 125
    assert k.projected_harvest_at == pytest.approx(day(reach), abs=1000)
    # 100 g fish eat 2 %/day: 75 kg × 2 % = 1.5 kg, halved at 24 °C.
    feed = k.feed_today
    assert feed is not None and feed.rate_pct == 2 and feed.reduced
    assert feed.kg_per_day == pytest.approx(0.75) and feed.kg_per_meal == pytest.approx(0.25)
    assert "24.0 °C" in (feed.reason or "")


def test_finished_cycle_counts_unrecorded_losses() -> None:
    k = cycle_kpis(FINISHED, day(90))
    assert not k.active and k.day == 60 and k.live_count == 0 and k.biomass_kg == 0
    assert k.survival_pct == pytest.approx(94)      # 470 / 500
    assert k.fcr == pytest.approx(50 / 44.5)        # 50 / (47 − 2.5)
    assert k.sgr_pct_day == pytest.approx(100 * math.log(100 / 5) / 60)  # 47 kg / 470 = 100 g
    assert k.adg_g_day == pytest.approx(95 / 60)
    assert k.margin_rp == 940_000 - 150_000
    assert k.feed_today is None and k.projected_harvest_at is None


def test_team_kpis_aggregate_completed_cycles() -> None:
    t = team_kpis([cycle_kpis(ACTIVE, day(60)), cycle_kpis(FINISHED, day(90))])
    assert (t.cycles, t.completed) == (2, 1)
    assert t.harvested_kg == 67 and t.harvested_count == 670
    assert t.survival_pct == pytest.approx(94)      # completed cycles only
    assert t.fcr == pytest.approx(50 / 44.5)
    assert t.revenue_rp == 1_380_000 and t.costs_rp == 1_260_000


def test_no_samplings_uses_seed_weight_and_has_no_growth() -> None:
    records = CycleRecords(cycle(3, 100, 2.0, 0), (feeding(1, 1),), (), ())
    k = cycle_kpis(records, day(1))
    assert k.abw_g == 2 and k.sgr_pct_day is None and k.projected_harvest_at is None
    assert k.fcr is None  # no weight gained yet


@pytest.mark.parametrize(("abw", "rate"), [(1, 9), (4.99, 9), (5, 5.5), (19.9, 5.5), (20, 4),
                                            (49, 4), (50, 3), (99, 3), (100, 2), (300, 2)])
def test_feeding_table(abw: float, rate: float) -> None:
    assert feeding_rate_pct(abw) == rate


def test_feed_cut_for_low_oxygen_only() -> None:
    normal = feed_advice(1000, 10.0, 28.0, 5.0)
    assert not normal.reduced and normal.kg_per_day == pytest.approx(0.55)  # 10 kg × 5.5 %
    low_do = feed_advice(1000, 10.0, 28.0, 2.5)
    assert low_do.reduced and low_do.kg_per_day == pytest.approx(0.275)
    assert feed_advice(1000, 10.0, None, None).reduced is False


def test_growth_fit_recovers_exponential_growth() -> None:
    days = [0, 10, 20, 30]
    g = fit_growth(days, [2 * math.exp(0.05 * d) for d in days])
    assert g is not None and g.rate_per_day == pytest.approx(0.05)
    assert g.day_reaching(2 * math.exp(2.0)) == pytest.approx(40)
    assert fit_growth([0], [2]) is None
    assert fit_growth([0, 10], [5, 4]).day_reaching(125) is None  # type: ignore[union-attr]


def test_compliance_share_of_time_in_optimal_band() -> None:
    out = compliance_pct({"temp_c": np.array([25.0, 26.0, 30.0, 31.0]),
                          "do_mgl": np.array([3.0, 4.0, 8.0, 9.0, 12.0]),
                          "tan_mgl": np.array([1.0]), "ph": np.array([])})
    assert out == {"temp_c": 50.0, "do_mgl": 80.0, "ph": None}
    assert "tan_mgl" not in out and METRICS["tan_mgl"].optimal.low is None
