"""KPIs of a cycle sampled every 14 days, against the truth they were sampled from."""

from __future__ import annotations

import math

import pytest

from kolam.farming.kpi import DAY_MS, cycle_kpis, feeding_rate_pct
from kolam.farming.monthly import _cycle_month
from kolam.registry.records import CycleInfo, CycleRecords, LogInfo, LogKind

T0 = 1_767_225_600_000  # 2026-01-01T00:00Z
FISH = 1000
SEED_G = 1.5
FCR_TRUE = 1.0


def truth_g(t: float) -> float:
    """SGR falling linearly in time from 7 %/day to 3 %/day on day 90 (DOMAIN.md: 6–8 →
    ~3 %/day); 1.5 g → 135 g in 90 days (market size 7–10 fish/kg). Not the Gompertz
    shape Kolam fits."""
    return SEED_G * math.exp(0.07 * t - 0.5 * (0.04 / 90) * t * t)


def records_until(now_d: int) -> CycleRecords:
    """No deaths; every day d the fish get FCR_TRUE × what they gain that day, so the feed
    up to day D is FCR_TRUE · FISH · (W(D) − W(0)) and the true FCR is exactly 1.0.
    30 fish are weighed every 14 days, exactly on the curve."""
    cycle = CycleInfo(1, "serang", "kolam-1", 1, "Lele Jaya", T0, FISH, SEED_G, 3.0, "UPR",
                      0.0, 8.0, None, None)
    logs = [LogInfo(LogKind.FEEDING, T0 + d * DAY_MS + 1,
                    feed_kg=FCR_TRUE * FISH * (truth_g(d + 1) - truth_g(d)) / 1000)
            for d in range(now_d)]
    logs += [LogInfo(LogKind.SAMPLING, T0 + d * DAY_MS, sample_count=30,
                     sample_weight_g=30 * truth_g(d)) for d in range(14, now_d + 1, 14)]
    return CycleRecords(cycle, tuple(sorted(logs, key=lambda e: e.at)), (), ())


DAYS = range(15, 91)


@pytest.mark.parametrize("now_d", DAYS)
def test_fcr_biomass_and_ration_stay_true_between_samplings(now_d: int) -> None:
    k = cycle_kpis(records_until(now_d), T0 + now_d * DAY_MS)
    true_biomass = FISH * truth_g(now_d) / 1000
    assert k.sampling_age_d == now_d % 14 and k.abw_is_estimate == (now_d % 14 > 0)
    assert k.abw_g == pytest.approx(truth_g(now_d), rel=0.10)
    assert k.biomass_kg == pytest.approx(true_biomass, rel=0.10)
    assert k.fcr == pytest.approx(FCR_TRUE, rel=0.10)
    feed = k.feed_today
    assert feed is not None and feed.biomass_kg == pytest.approx(true_biomass, rel=0.10)
    assert feed.rate_pct == feeding_rate_pct(k.abw_g)
    assert feed.kg_per_day == pytest.approx(feed.biomass_kg * feed.rate_pct / 100)


def test_the_newest_sampling_alone_would_have_been_far_off() -> None:
    """What the KPIs read before: FCR up to ~2× too high, the ration a third too low."""
    worst_fcr = worst_ration = 1.0
    for now_d in DAYS:
        k = cycle_kpis(records_until(now_d), T0 + now_d * DAY_MS)
        stale_biomass = FISH * k.abw_sampled_g / 1000
        stale_fcr = k.feed_kg / (stale_biomass - FISH * SEED_G / 1000)
        worst_fcr = max(worst_fcr, stale_fcr / FCR_TRUE)
        w = truth_g(now_d)
        true_ration = FISH * w / 1000 * feeding_rate_pct(w)
        worst_ration = min(worst_ration, stale_biomass * feeding_rate_pct(k.abw_sampled_g)
                           / true_ration)
    assert worst_fcr > 1.8
    assert worst_ration < 0.7


def test_harvest_date_from_the_third_sampling_on_is_within_3_days() -> None:
    # The truth reaches the 125 g target (8 fish/kg) when 0.07·t − ½·(0.04/90)·t² =
    # ln(125/1.5) = 4.423: t = (0.07 − √(0.0049 − 4·0.000222·4.423)) / 0.000444 = 87.5.
    a = 0.5 * 0.04 / 90
    truth_day = (0.07 - math.sqrt(0.07 ** 2 - 4 * a * math.log(125 / 1.5))) / (2 * a)
    assert truth_day == pytest.approx(87.5, abs=0.1)
    for now_d in range(42, 87):
        k = cycle_kpis(records_until(now_d), T0 + now_d * DAY_MS)
        assert k.projected_harvest_at is not None and not k.harvest_date_past
        assert (k.projected_harvest_at - T0) / DAY_MS == pytest.approx(truth_day, abs=3)
        # Constant exponential growth through the newest samplings: 4–13 days early
        # until the day-84 sampling, 3.5 days before the target.
        days = [float(d) for d in range(14, now_d + 1, 14)][-4:]
        rate = (math.log(truth_g(days[-1])) - math.log(truth_g(days[0]))) / (days[-1] - days[0])
        exponential_day = days[-1] + math.log(125 / truth_g(days[-1])) / rate
        assert truth_day - exponential_day > (4 if now_d < 84 else 0)
    k = cycle_kpis(records_until(90), T0 + 90 * DAY_MS)
    assert k.harvest_date_past  # day 90: 135 g, the 125 g date is behind us


def test_monthly_report_fcr_uses_the_weight_at_the_months_end() -> None:
    # A month ending on day 41, 13 days after the day-28 sampling: the feed up to then is
    # FISH · (W(41) − W(0)), so the true cycle-to-date FCR is 1.0.
    end = T0 + 41 * DAY_MS
    row = _cycle_month(records_until(90), T0, end, T0 + 90 * DAY_MS)
    assert row.fcr == pytest.approx(FCR_TRUE, rel=0.10)
    # The day-28 weight would have read 1.0 · (W(41) − 1.5) / (W(28) − 1.5) = 2.2.
    assert (truth_g(41) - SEED_G) / (truth_g(28) - SEED_G) > 2
