"""Key performance indicators of a grow-out cycle, computed with numpy from its records.

Formulas (DOMAIN.md, "Production"):
  biomass = live count × average body weight (ABW: today's estimate, ``kolam.farming.growth``,
            grown from the newest sampling by a fitted curve whose SGR falls as fish grow)
  survival = (harvested + alive) / stocked
  FCR = feed / (harvested kg + standing kg − stocked kg)
  SGR = 100 · (ln W_t − ln W_0) / days;  ADG = (W_t − W_0) / days, each averaged over the
        harvest lots and the fish still standing, weighted by their number
  harvest count = kg × fish/kg when not counted
  stocking density = live count / area (fish/m²) and biomass / (area × depth) (kg/m³), from
            the pond's record; none when the record has no area (DOMAIN.md: a tarpaulin pond
            holds 100–300 fish/m², earthen ponds 50–150 fish/m³, biofloc ~300–500 fish/m³)
Feeding rates (% body weight per day) and the ~50 % cut below 25 °C or DO < 3 mg/L are
the DOMAIN.md feeding table (SNI 6484 series; the same table drives the simulator).
Pure functions: no database, no clock; callers pass the records and "now".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from numpy.typing import NDArray

from kolam.catalogue import METRICS, Band
from kolam.farming.growth import DAY_MS as DAY_MS  # re-exported: days are counted here too
from kolam.farming.growth import GrowthBasis, WeightEstimate, estimate_weight
from kolam.farming.routine import FEED_CUT_FACTOR as FEED_CUT_FACTOR
from kolam.farming.routine import MEALS_PER_DAY as MEALS_PER_DAY
from kolam.registry.fields import Shown
from kolam.registry.records import CycleRecords, LogKind

# DOMAIN.md feeding table: < 5 g: 8–10; 5–20 g: 5–6; 20–50 g: 4; 50–100 g: 3; > 100 g: 2
# (% of body weight per day; midpoints where a range is given).
FEED_WEIGHT_EDGES_G = np.array([5.0, 20.0, 50.0, 100.0])
FEED_RATE_PCT = np.array([9.0, 5.5, 4.0, 3.0, 2.0])
FEED_CUT_BELOW_C = 25.0
FEED_CUT_BELOW_DO_MGL = 3.0
COMPLIANCE_METRICS = tuple(k for k, m in METRICS.items()
                           if m.optimal.low is not None or m.optimal.high is not None)
"""Metrics that have an optimal band to be compliant with."""


@dataclass(frozen=True, slots=True)
class FeedAdvice:
    abw_g: Annotated[float, Shown("Today's estimated average body weight the ration is for")]
    biomass_kg: float
    rate_pct: Annotated[float, Shown("% of body weight per day, from the feeding table")]
    kg_per_day: float
    kg_per_meal: Annotated[float, Shown("Three meals a day")]
    reduced: Annotated[bool, Shown("Halved for cold water (< 25 °C) or low DO (< 3 mg/L)")]
    reason: str | None
    abw_is_estimate: Annotated[bool, Shown(
        "abw_g is grown from an older sampling by the growth curve")] = False
    sampling_age_d: Annotated[float | None, Shown(
        "Days since the newest sampling (or the stocking) abw_g stands on")] = None


@dataclass(frozen=True, slots=True)
class CycleKpis:
    cycle_id: int
    active: bool
    day: Annotated[float, Shown("Days since stocking (to the end if ended)")]
    stocked_count: int
    stocked_kg: float
    dead_count: int
    harvested_count: int
    harvested_kg: float
    live_count: int
    abw_g: Annotated[float, Shown(
        "Best average body weight now (at the end once ended): the newest "
        "sampling grown to today by the fitted growth curve; used for biomass, "
        "FCR, today's feed and the harvest date")]
    abw_sampled_g: Annotated[float, Shown(
        "The newest measured average weight: newest sampling, else seed weight")]
    abw_sampled_at: Annotated[int, Shown(
        "When abw_sampled_g was measured (the stocking time before any sampling)")]
    sampling_age_d: Annotated[float, Shown("Days from abw_sampled_at to now (or the end)")]
    abw_is_estimate: Annotated[bool, Shown(
        "True when abw_g is an estimate grown from an older measurement")]
    growth_basis: Annotated[GrowthBasis, Shown(
        "prior: no sampling yet, literature curve; one_sampling: its pace, the "
        "prior's slowing; fit: pace and slowing fitted to the samplings")]
    growth_sgr_pct_day: Annotated[float, Shown(
        "The growth curve's specific growth rate today, %/day")]
    biomass_kg: float
    survival_pct: float
    feed_kg: float
    fcr: float | None
    sgr_pct_day: Annotated[float | None, Shown(
        "Over every harvest lot and the standing fish (newest sampling), "
        "weighted by number of fish")]
    adg_g_day: Annotated[float | None, Shown("Weighted like sgr_pct_day")]
    revenue_rp: float
    costs_rp: float
    margin_rp: float
    target_weight_g: float
    projected_harvest_at: Annotated[int | None, Shown(
        "When the growth curve reaches the target weight (active cycles)")]
    harvest_date_past: Annotated[bool, Shown(
        "projected_harvest_at is already past: the fish should be at target size")]
    feed_today: FeedAdvice | None
    fish_per_m2: Annotated[float | None, Shown(
        "Live fish per m² of the pond's area (its record's area_m2); null when the pond's "
        "area is not recorded (tarpaulin ponds hold 100–300 fish/m², DOMAIN.md)")] = None
    kg_per_m3: Annotated[float | None, Shown(
        "Biomass per m³ of water (area_m2 × depth_cm of the pond's record); null unless "
        "both are recorded")] = None


def stocking_density(fish: int, biomass_kg: float, area_m2: float | None,
                     depth_cm: float | None) -> tuple[float | None, float | None]:
    """(fish/m², kg/m³) of a pond of this area and depth; ``None`` for what its record
    lacks (an area, or a depth for the volume)."""
    if not area_m2 or area_m2 <= 0:
        return None, None
    per_m2 = fish / area_m2
    if not depth_cm or depth_cm <= 0:
        return per_m2, None
    return per_m2, biomass_kg / (area_m2 * depth_cm / 100)


def feeding_rate_pct(abw_g: float) -> float:
    """Daily ration in % of body weight for fish of this average weight."""
    return float(FEED_RATE_PCT[np.searchsorted(FEED_WEIGHT_EDGES_G, abw_g, side="right")])


def feed_advice(live_count: int, abw_g: float, temp_c: float | None,
                do_mgl: float | None, estimate: WeightEstimate | None = None) -> FeedAdvice:
    """Today's ration by the table, halved when the water is too cold or short of oxygen.

    ``abw_g`` should be today's weight (``weight_estimate``); ``estimate`` only labels it.
    """
    biomass = live_count * abw_g / 1000
    rate = feeding_rate_pct(abw_g)
    reasons = []
    if temp_c is not None and temp_c < FEED_CUT_BELOW_C:
        reasons.append(f"water {temp_c:.1f} °C < {FEED_CUT_BELOW_C:g} °C")
    if do_mgl is not None and do_mgl < FEED_CUT_BELOW_DO_MGL:
        reasons.append(f"DO {do_mgl:.1f} mg/L < {FEED_CUT_BELOW_DO_MGL:g} mg/L")
    kg = biomass * rate / 100 * (FEED_CUT_FACTOR if reasons else 1.0)
    return FeedAdvice(abw_g, biomass, rate, kg, kg / MEALS_PER_DAY, bool(reasons),
                      "; ".join(reasons) or None,
                      estimate.is_estimate if estimate is not None else False,
                      estimate.age_d if estimate is not None else None)


def in_band_share(values: NDArray[np.float64], band: Band) -> float | None:
    """Fraction of the values inside ``band`` (closed); None when there are none."""
    if values.size == 0:
        return None
    ok = np.ones(values.shape, dtype=bool)
    if band.low is not None:
        ok &= values >= band.low
    if band.high is not None:
        ok &= values <= band.high
    return float(np.mean(ok))


def compliance_pct(series: Mapping[str, NDArray[np.float64]]) -> dict[str, float | None]:
    """% of time in the optimal band per metric, from equally spaced values (bucket means)."""
    out: dict[str, float | None] = {}
    for key in COMPLIANCE_METRICS:
        if key in series:
            share = in_band_share(series[key], METRICS[key].optimal)
            out[key] = None if share is None else round(100 * share, 1)
    return out


def samplings(records: CycleRecords) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(days since stocking, average body weight g) of each sampling, oldest first."""
    c = records.cycle
    obs = sorted(((e.at - c.stocked_at) / DAY_MS, e.sample_weight_g / e.sample_count)
                 for e in records.logs
                 if e.kind is LogKind.SAMPLING and e.sample_weight_g and e.sample_count)
    arr = np.array(obs, dtype=np.float64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def weight_estimate(records: CycleRecords, at_ms: int) -> WeightEstimate:
    """The cycle's average body weight at ``at_ms``, from the stocking weight and the
    samplings made by then, grown by the fitted curve (``kolam.farming.growth``)."""
    c = records.cycle
    days, weights = samplings(records)
    return estimate_weight(c.seed_weight_g, days, weights,
                           max(0.0, (at_ms - c.stocked_at) / DAY_MS))


def _final_weight(records: CycleRecords, est: WeightEstimate) -> WeightEstimate:
    """The final harvest's mean weight when its fish were counted or graded: a weighing
    of every fish left, better than any estimate."""
    c = records.cycle
    for h in records.harvests:
        if h.final and h.count and (h.count_measured or h.fish_per_kg):
            day = (h.at - c.stocked_at) / DAY_MS
            w = h.kg * 1000 / h.count
            return WeightEstimate(w, w, day, day, est.curve.through(day, w))
    return est


def _growth_rates(records: CycleRecords, live: int,
                  est: WeightEstimate) -> tuple[float | None, float | None]:
    """(SGR %/day, ADG g/day) averaged over every harvest lot (kg ÷ count on its day) and
    the fish still standing (the newest sampling), weighted by the number of fish."""
    c = records.cycle
    lots = [(h.count, (h.at - c.stocked_at) / DAY_MS, h.kg * 1000 / h.count)
            for h in records.harvests if h.count > 0]
    if live and est.sampled_day > 0:
        lots.append((live, est.sampled_day, est.sampled_g))
    arr = np.array([lot for lot in lots if lot[1] > 0 and lot[2] > 0],
                   dtype=np.float64).reshape(-1, 3)
    if arr.size == 0:
        return None, None
    n, d, w = arr.T
    w0 = c.seed_weight_g
    sgr = float(np.average(100 * (np.log(w) - math.log(w0)) / d, weights=n))
    adg = float(np.average((w - w0) / d, weights=n))
    return sgr, adg


def cycle_kpis(records: CycleRecords, now_ms: int, temp_c: float | None = None,
               do_mgl: float | None = None, area_m2: float | None = None,
               depth_cm: float | None = None) -> CycleKpis:
    """Every KPI of one cycle as of ``now_ms`` (or its end), with today's feed if active,
    and the stocking density when the pond's ``area_m2`` (and ``depth_cm``) are given.

    Biomass, FCR, today's ration and the harvest date use today's estimated weight, not
    the newest sampling's: fish keep growing between samplings.
    """
    c = records.cycle
    logs = records.logs
    end = c.ended_at if c.ended_at is not None else now_ms
    day = max(0.0, (end - c.stocked_at) / DAY_MS)
    dead = int(sum(e.dead_count or 0 for e in logs if e.kind is LogKind.MORTALITY))
    feed = float(np.sum([e.feed_kg or 0.0 for e in logs if e.kind is LogKind.FEEDING]))
    h_count = int(sum(h.count for h in records.harvests))
    h_kg = float(np.sum([h.kg for h in records.harvests]))
    live = 0 if not c.active else max(0, c.seed_count - dead - h_count)
    est = weight_estimate(records, end)
    if not c.active:
        est = _final_weight(records, est)
    biomass = live * est.abw_g / 1000
    stocked_kg = c.seed_count * c.seed_weight_g / 1000
    gain = h_kg + biomass - stocked_kg
    sgr, adg = _growth_rates(records, live, est)
    revenue = float(np.sum([h.kg * h.price_per_kg_rp for h in records.harvests]))
    costs = c.seed_cost_rp + float(np.sum([x.amount_rp for x in records.costs]))
    target = 1000 / c.target_fish_per_kg
    per_m2, per_m3 = stocking_density(live, biomass, area_m2, depth_cm) if c.active \
        else (None, None)
    projected = None
    if c.active:
        reach = est.curve.day_reaching(target)
        if reach is not None:
            projected = c.stocked_at + round(reach * DAY_MS)
    return CycleKpis(
        cycle_id=c.id, active=c.active, day=round(day, 2), stocked_count=c.seed_count,
        stocked_kg=stocked_kg, dead_count=dead, harvested_count=h_count, harvested_kg=h_kg,
        live_count=live, abw_g=est.abw_g, abw_sampled_g=est.sampled_g,
        abw_sampled_at=c.stocked_at + round(est.sampled_day * DAY_MS),
        sampling_age_d=round(est.age_d, 2), abw_is_estimate=est.is_estimate,
        growth_basis=est.curve.basis, growth_sgr_pct_day=100 * est.curve.sgr_at(day),
        biomass_kg=biomass, survival_pct=100 * (h_count + live) / c.seed_count,
        feed_kg=feed, fcr=feed / gain if gain > 0 and feed > 0 else None,
        sgr_pct_day=sgr, adg_g_day=adg,
        revenue_rp=revenue, costs_rp=costs, margin_rp=revenue - costs,
        target_weight_g=target, projected_harvest_at=projected,
        harvest_date_past=projected is not None and projected < end,
        feed_today=feed_advice(live, est.abw_g, temp_c, do_mgl, est)
        if c.active and live else None, fish_per_m2=per_m2, kg_per_m3=per_m3)

@dataclass(frozen=True, slots=True)
class TeamKpis:
    cycles: int
    completed: int
    stocked_count: int
    harvested_count: int
    harvested_kg: float
    survival_pct: float | None
    """Over completed cycles: fish harvested / fish stocked."""
    fcr: float | None
    """Over completed cycles: all feed / all weight gained."""
    revenue_rp: float
    costs_rp: float
    margin_rp: float


def team_kpis(cycles: Sequence[CycleKpis]) -> TeamKpis:
    done = [k for k in cycles if not k.active]
    stocked_done = sum(k.stocked_count for k in done)
    gain = sum(k.harvested_kg - k.stocked_kg for k in done)
    feed = sum(k.feed_kg for k in done)
    revenue = float(np.sum([k.revenue_rp for k in cycles]))
    costs = float(np.sum([k.costs_rp for k in cycles]))
    return TeamKpis(
        cycles=len(cycles), completed=len(done),
        stocked_count=sum(k.stocked_count for k in cycles),
        harvested_count=sum(k.harvested_count for k in cycles),
        harvested_kg=float(np.sum([k.harvested_kg for k in cycles])),
        survival_pct=100 * sum(k.harvested_count for k in done) / stocked_done
        if stocked_done else None,
        fcr=feed / gain if gain > 0 and feed > 0 else None,
        revenue_rp=revenue, costs_rp=costs, margin_rp=revenue - costs)
