"""KPIs against cycles computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kolam.catalogue import METRICS
from kolam.farming.growth import PRIOR_SLOWING_PER_DAY, GrowthBasis
from kolam.farming.kpi import (
    DAY_MS,
    compliance_pct,
    cycle_kpis,
    feed_advice,
    feeding_rate_pct,
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


B = PRIOR_SLOWING_PER_DAY  # the prior's slowing: 0.05 / ln(120 / 1.5) = 0.011410 per day


def shape(t: float) -> float:
    """(1 − e^(−b·t)) / b: on the growth curve ln W(t) = ln W0 + g · shape(t)."""
    return (1 - math.exp(-B * t)) / B


# Cycle A, still active on day 50: 1000 fish of 2 g (2 kg); 60 kg feed; 50 dead; one
# sampling on day 40 of 20 fish weighing 1000 g (50 g); a partial harvest on day 45 of
# 20 kg graded 16 fish/kg (320 fish of 62.5 g) at Rp 22,000/kg; Rp 300,000 seed and
# Rp 810,000 other costs.
ACTIVE = CycleRecords(
    cycle(1, 1000, 2.0, 300_000),
    (feeding(1, 10), deaths(5, 30), feeding(10, 20), deaths(20, 20), feeding(40, 30),
     sampling(40, 20, 1000)),
    (harvest(45, 20, 320, final=False, measured=False, fish_per_kg=16, price=22_000),),
    (CostInfo(1, 1, day(2), CostCategory.FEED, 760_000, "2 sacks", "officer"),
     CostInfo(2, 1, day(3), CostCategory.OTHER, 50_000, "net", "officer")),
)
# One sampling: the curve keeps the prior's slowing b and passes through 2 g on day 0
# and 50 g on day 40: g = ln(50/2) / shape(40) = 3.2189 / 32.115 = 0.10023 per day.
G_A = math.log(25) / shape(40)
# Day 50: 50 g · e^(g · (shape(50) − shape(40))) = 50 · e^(0.10023 · 5.988) = 91.1 g.
ABW_A_50 = 50 * math.exp(G_A * (shape(50) - shape(40)))

# Cycle B, finished: 500 fish of 5 g (2.5 kg), 50 kg feed, 10 deaths recorded, final
# harvest on day 60 of 47 kg, 470 fish counted (20 lost unrecorded), Rp 20,000/kg.
FINISHED = CycleRecords(
    cycle(2, 500, 5.0, 150_000, ended=60),
    (feeding(1, 25), deaths(10, 10), feeding(30, 25)),
    (harvest(60, 47, 470, final=True, measured=True, fish_per_kg=None, price=20_000),),
    (),
)


def test_active_cycle_uses_todays_weight_not_the_sampling() -> None:
    k = cycle_kpis(ACTIVE, day(50), temp_c=24.0, do_mgl=5.0)
    assert k.active and k.day == 50
    assert (k.stocked_count, k.dead_count, k.harvested_count) == (1000, 50, 320)
    assert k.live_count == 630                      # 1000 − 50 − 320
    assert (k.abw_sampled_g, k.abw_sampled_at, k.sampling_age_d) == (50, day(40), 10)
    assert k.abw_is_estimate and k.growth_basis is GrowthBasis.ONE_SAMPLING
    assert round(ABW_A_50, 1) == 91.1
    assert k.abw_g == pytest.approx(ABW_A_50)
    assert k.biomass_kg == pytest.approx(630 * ABW_A_50 / 1000)       # 57.4 kg
    assert k.survival_pct == pytest.approx(95)      # (320 + 630) / 1000
    assert k.feed_kg == 60
    # FCR = 60 / (20 + 57.4 − 2) = 0.796; the day-40 weight would give 60 / 49.5 = 1.21.
    assert k.fcr == pytest.approx(60 / (20 + 630 * ABW_A_50 / 1000 - 2))
    assert k.fcr == pytest.approx(0.796, abs=0.001)
    # SGR and ADG over the 320 harvested (62.5 g on day 45) and the 630 standing (50 g on
    # day 40), weighted by number: (320 · 7.648 + 630 · 8.047) / 950 = 7.913 %/day.
    sgr_h, sgr_s = 100 * math.log(62.5 / 2) / 45, 100 * math.log(50 / 2) / 40
    assert k.sgr_pct_day == pytest.approx((320 * sgr_h + 630 * sgr_s) / 950)
    assert k.sgr_pct_day == pytest.approx(7.913, abs=0.001)
    assert k.adg_g_day == pytest.approx((320 * 60.5 / 45 + 630 * 48 / 40) / 950)
    # The curve's SGR today: g · e^(−b·50) = 0.10023 · 0.5652 = 5.67 %/day.
    assert k.growth_sgr_pct_day == pytest.approx(100 * G_A * math.exp(-B * 50))
    assert k.revenue_rp == 440_000                  # 20 kg × 22,000
    assert k.costs_rp == 1_110_000                  # 300,000 + 760,000 + 50,000
    assert k.margin_rp == -670_000
    # 125 g (8 fish/kg): shape(t) = shape(40) + ln(125/50) / g = 32.115 + 9.142 = 41.257,
    # t = −ln(1 − b · 41.257) / b = 55.76 days; still ahead on day 50.
    reach = -math.log(1 - B * (shape(40) + math.log(2.5) / G_A)) / B
    assert k.target_weight_g == 125 and reach == pytest.approx(55.76, abs=0.01)
    assert k.projected_harvest_at == pytest.approx(day(reach), abs=1000)
    assert not k.harvest_date_past
    # 91.1 g fish eat 3 %/day: 57.4 kg × 3 % = 1.72 kg, halved at 24 °C.
    feed = k.feed_today
    assert feed is not None and feed.rate_pct == 3 and feed.reduced
    assert feed.abw_g == k.abw_g and feed.abw_is_estimate and feed.sampling_age_d == 10
    assert feed.kg_per_day == pytest.approx(630 * ABW_A_50 / 1000 * 0.03 / 2)
    assert feed.kg_per_meal == pytest.approx(feed.kg_per_day / 3)
    assert "24.0 °C" in (feed.reason or "")


def test_a_projected_date_already_past_is_flagged() -> None:
    # Day 60: 50 g · e^(g · (shape(60) − shape(40))) = 50 · e^(0.10023 · 11.33) = 155.6 g,
    # past the 125 g target, reached on day 55.76.
    k = cycle_kpis(ACTIVE, day(60))
    assert k.abw_g == pytest.approx(50 * math.exp(G_A * (shape(60) - shape(40))))
    assert k.abw_g == pytest.approx(155.6, abs=0.05)
    assert k.projected_harvest_at == pytest.approx(day(55.76), abs=0.01 * DAY_MS)
    assert k.harvest_date_past
    assert not cycle_kpis(FINISHED, day(90)).harvest_date_past  # ended: no projection


def test_finished_cycle_counts_unrecorded_losses() -> None:
    k = cycle_kpis(FINISHED, day(90))
    assert not k.active and k.day == 60 and k.live_count == 0 and k.biomass_kg == 0
    assert k.survival_pct == pytest.approx(94)      # 470 / 500
    assert k.fcr == pytest.approx(50 / 44.5)        # 50 / (47 − 2.5)
    assert k.sgr_pct_day == pytest.approx(100 * math.log(100 / 5) / 60)  # 47 kg / 470 = 100 g
    assert k.adg_g_day == pytest.approx(95 / 60)
    # The final harvest weighed every fish left: its 100 g is the end weight, measured.
    assert k.abw_g == 100 and not k.abw_is_estimate and k.sampling_age_d == 0
    assert k.margin_rp == 940_000 - 150_000
    assert k.feed_today is None and k.projected_harvest_at is None


def test_sgr_and_adg_over_two_partial_harvests_and_the_final() -> None:
    # 1000 fish of 2 g; lots: day 40, 10 kg of 200 counted fish (50 g); day 50, 16 kg
    # graded 10 fish/kg (160 fish of 100 g); final on day 60, 64 kg of 600 counted fish
    # (106.67 g). SGR per lot: 100·ln(25)/40 = 8.047; 100·ln(50)/50 = 7.824;
    # 100·ln(53.33)/60 = 6.629 %/day; by number: (200·8.047 + 160·7.824 + 600·6.629)/960
    # = 7.123 %/day (the final lot alone would say 6.629).
    records = CycleRecords(
        cycle(4, 1000, 2.0, 0, ended=60), (feeding(1, 100),),
        (harvest(40, 10, 200, final=False, measured=True, fish_per_kg=None, price=0),
         harvest(50, 16, 160, final=False, measured=False, fish_per_kg=10, price=0),
         harvest(60, 64, 600, final=True, measured=True, fish_per_kg=None, price=0)),
        ())
    k = cycle_kpis(records, day(70))
    sgr = [100 * math.log(50 / 2) / 40, 100 * math.log(100 / 2) / 50,
           100 * math.log(64_000 / 600 / 2) / 60]
    assert k.sgr_pct_day == pytest.approx((200 * sgr[0] + 160 * sgr[1] + 600 * sgr[2]) / 960)
    assert k.sgr_pct_day == pytest.approx(7.123, abs=0.001)
    adg = [48 / 40, 98 / 50, (64_000 / 600 - 2) / 60]
    assert k.adg_g_day == pytest.approx((200 * adg[0] + 160 * adg[1] + 600 * adg[2]) / 960)
    assert k.survival_pct == 96 and k.abw_g == pytest.approx(64_000 / 600)


def test_team_kpis_aggregate_completed_cycles() -> None:
    t = team_kpis([cycle_kpis(ACTIVE, day(50)), cycle_kpis(FINISHED, day(90))])
    assert (t.cycles, t.completed) == (2, 1)
    assert t.harvested_kg == 67 and t.harvested_count == 790  # 320 + 470
    assert t.survival_pct == pytest.approx(94)      # completed cycles only
    assert t.fcr == pytest.approx(50 / 44.5)
    assert t.revenue_rp == 1_380_000 and t.costs_rp == 1_260_000


def test_no_samplings_grows_the_seed_weight_by_the_prior() -> None:
    records = CycleRecords(cycle(3, 100, 2.0, 0), (feeding(1, 1),), (), ())
    k = cycle_kpis(records, day(1))
    # Prior from 2 g: g = b · (ln W∞ − ln 2), ln W∞ = ln 1.5 + 0.08 / b = 7.416:
    # g = 0.01141 · 6.723 = 0.0767 per day; day 1: 2 · e^(0.0767 · shape(1)) = 2.16 g.
    g = B * (math.log(1.5) + 0.08 / B - math.log(2))
    assert k.abw_g == pytest.approx(2 * math.exp(g * shape(1)))
    assert k.abw_sampled_g == 2 and k.abw_sampled_at == T0 and k.sampling_age_d == 1
    assert k.growth_basis is GrowthBasis.PRIOR and k.sgr_pct_day is None
    assert k.projected_harvest_at is not None  # from the prior, labelled as such
    # 1 kg of feed for 100 × 0.16 g grown: FCR 62 on day 1 says little, but is the formula.
    assert k.fcr == pytest.approx(1 / (100 * (k.abw_g - 2) / 1000))


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


def test_compliance_share_of_time_in_optimal_band() -> None:
    out = compliance_pct({"temp_c": np.array([25.0, 26.0, 30.0, 31.0]),
                          "do_mgl": np.array([3.0, 4.0, 8.0, 9.0, 12.0]),
                          "tan_mgl": np.array([1.0]), "ph": np.array([])})
    assert out == {"temp_c": 50.0, "do_mgl": 80.0, "ph": None}
    assert "tan_mgl" not in out and METRICS["tan_mgl"].optimal.low is None
