"""Dawn DO forecast, scored side by side with its baselines on two independent night sets.

Methods: ``kolam`` (``kolam.alerts.forecast.DawnForecast``, as ingest runs it, without an
aerator signal), ``kolam-aerators`` (the same, told what the relay confirms — each switch
on, off or failing — and the gateway's ``keep_on`` schedule where the night has one, and
its warning held 10 min instead of 30 after a confirmed stop) against
``linear`` (Madenjian's straight line), ``persistence`` (the last reading) and ``exp-v1``
(the exponential Kolam used before), see ``bench/_baselines.py``.

Sets:
- ``simulator``: ``firmware_sim.pond.PondSim`` with ``independent_weather`` (every pond its
  own sky): ``normal`` (two seeds), ``aerator-failure`` with its power cut every 4th night
  and ``cloudy-crash`` with its overcast day and die-off every 5th day;
  ``aerator-never-starts`` (blowers tripped at 16:00 every 3rd day: foreseeable crashes);
- ``night_model``: ``bench/_nights.py``, a night model that is not the simulator (DO-
  dependent respiration with reaeration, straight-line declines, aerators on and off
  mid-night, an aerator failing at 01:00, power cuts), each night on its own;
- ``odd_nights`` (``_nights.ODD_KINDS``): mixing, erratic probes, artefact drops — scored
  for how often the forecast says ``unreliable`` and for false warnings.

Every method is fed the *observed* DO; its standing value at 20:00/22:00/00:00/02:00/04:00
WIB is compared with the *true* minimum still to come (that time to sunrise + 1 h): what the
forecast claims and the alert needs (a minimum already past at 02:00 is no forecast's; the
whole-night minimum is kept as ``mae_vs_whole_night_min_mgl``). Its output also
drives the ``do_forecast`` rule (below 2 mg/L for 30 min) to score the warning: lead time
before true DO first falls below 2 mg/L on sub-2 nights, false warnings on healthy nights
(true minimum ≥ 3 mg/L).

Usage: .venv/bin/python bench/dawn_forecast.py [--days 30] [--nights 100]
"""

from __future__ import annotations

import argparse
import math
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
from _baselines import BASELINES
from _common import write_results
from _nights import ODD_KINDS, SCORED_KINDS, Night, make_night

from firmware_sim.pond import SCENARIOS, AeratorOutage, PondSim, Scenario
from ingest.alerts.condition import Condition
from kolam.alerts.aerators import AeratorPlan
from kolam.alerts.defaults import DEFAULT_RULES
from kolam.alerts.forecast import DAYTIME, DawnForecast
from kolam.science.sun import next_sunrise_ms, next_sunset_ms

H = 3_600_000
MIN = 60_000
WIB_H = 7 * H
AT_HOURS = (20, 22, 0, 2, 4)
WARNABLE_AFTER_DUSK_H = 4.5
METHODS = ("kolam", "kolam-aerators", "linear", "persistence", "exp-v1")
AERATED = "kolam-aerators"
Events = Sequence[tuple[int, bool, bool]]
"""What a relay confirms: (t, on, failed)."""


class Forecaster(Protocol):
    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[tuple[int, float, int]]:
        ...


def _factory(method: str) -> Callable[[], Forecaster]:
    if method in ("kolam", AERATED):
        return DawnForecast
    return BASELINES[method]


@dataclass
class Run:
    """One method's output over one stream of readings, and Kolam's states."""

    t: np.ndarray
    v: np.ndarray
    warns: list[int]
    unreliable: list[int] = field(default_factory=list)
    clears: list[int] = field(default_factory=list)
    """When the warning cleared (the forecast back above 2.3 mg/L)."""


def run(method: str, t_ms: np.ndarray, obs: np.ndarray, events: Events = (),
        plan: AeratorPlan | None = None) -> Run:
    """One method over one stream; ``kolam-aerators`` is also told ``events`` (each when
    the stream reaches it, as ingest is told a relay's state) and the ``plan``."""
    ok = ~np.isnan(obs)
    ts, vs = t_ms[ok].tolist(), obs[ok].tolist()
    fc = _factory(method)()
    aware = isinstance(fc, DawnForecast) and method == AERATED
    if aware:
        assert isinstance(fc, DawnForecast)
        fc.plan = plan
    pending = sorted(events) if aware else []
    rule = DEFAULT_RULES["do_forecast"]
    cond = Condition(rule)
    out_t: list[int] = []
    out_v: list[float] = []
    unreliable: list[int] = []
    changes = []
    # In ingest-sized batches of a minute or so; Kolam's states are read after each.
    i = 0
    while i < len(ts):
        j = min(i + 5, len(ts))
        while pending and pending[0][0] <= ts[i]:
            t_sw, on, failed = pending.pop(0)
            assert isinstance(fc, DawnForecast)
            fc.aerator(t_sw, on, failed)
        if pending:  # a switch inside the batch: the batch ends there
            j = max(i + 1, min(j, bisect_left(ts, pending[0][0], i)))
        got = fc.add_many(ts[i:j], vs[i:j])
        out_t += [g[0] for g in got]
        out_v += [g[1] for g in got]
        if isinstance(fc, DawnForecast):
            if fc.estimate is not None and fc.estimate.state == "unreliable":
                unreliable.append(ts[j - 1])
            cond.rule = replace(rule, min_duration_s=fc.hold_s(rule.min_duration_s))
        changes += [ch for ch in (cond.update(g[0], g[1]) for g in got) if ch is not None]
        i = j
    return Run(np.asarray(out_t, dtype=np.int64), np.asarray(out_v),
               [ch.t for ch in changes if ch.new == 1], unreliable,
               [ch.t for ch in changes if ch.new == 0])


@dataclass
class Scored:
    """One night, one method."""

    true_min: float
    first_below_2: float
    at: dict[str, float]
    truth_at: dict[str, float]
    """The true minimum still to come at each forecast time (that time to sunrise + 1 h)."""
    warned_t: float
    """The night's first warning."""
    change_ms: float
    reaction_min: float
    unreliable: bool
    dusk: float = math.nan
    switches: tuple[int, ...] = ()
    """Every change of the night's regime (aerator on, off or failing, power cut, bloom
    dying) between dusk and sunrise + 1 h."""
    at_ms: dict[str, int] = field(default_factory=dict)
    """When each forecast time falls."""
    warned_after_change_t: float = math.nan
    """The warning standing at the cause (then the cause's time) or the first one after it."""
    forecast_below_2_t: float = math.nan
    unaerated_min: float = math.nan
    """For a warning raised before the night's first aerator switch: the true minimum of
    the same night had the aerator never started (night model only)."""
    planned_at: dict[str, float] = field(default_factory=dict)
    """The true minimum still to come at each forecast time of the same night as its
    aerator plan intended (no failure, no power cut): what a forecast can know at that
    time. Equal to ``truth_at`` on nights without an unplanned stop (night model only)."""
    """When the forecast itself first said < 2 mg/L after the cause (the rule then waits
    its 30 min before it warns)."""

    def undisturbed_after(self, key: str) -> bool:
        """Nothing switched from the forecast time ``key`` to dawn: the night the forecast
        saw is the night still to come."""
        return all(sw < self.at_ms[key] for sw in self.switches)

    @property
    def sudden(self) -> bool:
        """A crash whose cause (power cut, die-off, aerator failing) came after dusk: no
        forecast at dusk could know it; the score is the time from cause to warning."""
        return not math.isnan(self.change_ms) and self.change_ms >= self.dusk


def _wib_hour_ms(dusk: int, hour: int) -> int:
    day = (dusk + WIB_H) // (24 * H)
    base = day * 24 * H - WIB_H
    return base + (hour if hour >= 12 else hour + 24) * H


def score(r: Run, t_ms: np.ndarray, true_do: np.ndarray, dusk: int, sunrise: int,
          change_ms: int | None = None, odd: tuple[int, int] | None = None,
          switches: Sequence[int] = ()) -> Scored:
    m = (t_ms >= dusk) & (t_ms <= sunrise + H)
    true_min = float(true_do[m].min())
    below = np.flatnonzero(m & (true_do < 2.0))
    at: dict[str, float] = {}
    truth_at: dict[str, float] = {}
    at_ms: dict[str, int] = {}
    for h in AT_HOURS:
        when = _wib_hour_ms(dusk, h)
        if when >= sunrise:
            continue
        i = int(np.searchsorted(r.t, when, side="right")) - 1
        if i >= 0 and r.t[i] >= when - 10 * MIN and r.v[i] != DAYTIME:
            at[f"{h:02d}"] = float(r.v[i])
            truth_at[f"{h:02d}"] = float(true_do[m & (t_ms >= when)].min())
            at_ms[f"{h:02d}"] = when
    warned = [w for w in r.warns if dusk <= w < sunrise]
    reaction = math.nan
    if change_ms is not None:
        reaction = _reaction(r, change_ms, sunrise,
                             float(true_do[m & (t_ms >= change_ms)].min()))
    fc_below = math.nan
    if change_ms is not None:
        j = np.flatnonzero((r.t >= change_ms) & (r.t < sunrise) & (r.v < 2.0))
        fc_below = float(r.t[j[0]]) if j.size else math.nan
    unreliable = False
    if odd is not None:
        unreliable = any(odd[0] <= u <= odd[1] + 30 * MIN for u in r.unreliable)
    return Scored(true_min, float(t_ms[below[0]]) if below.size else math.nan, at, truth_at,
                  float(warned[0]) if warned else math.nan,
                  float(change_ms) if change_ms is not None else math.nan, reaction, unreliable,
                  float(dusk), tuple(int(s) for s in switches if dusk <= s <= sunrise + H),
                  at_ms, _standing_or_next(r, change_ms, sunrise), fc_below)


def _standing_or_next(r: Run, t: int | None, sunrise: int) -> float:
    """``t`` if a warning stands at ``t``, else the next warning before sunrise (NaN)."""
    if t is None:
        return math.nan
    ups = [w for w in r.warns if w <= t]
    downs = [c for c in r.clears if c <= t]
    if ups and (not downs or max(downs) < max(ups)):
        return float(t)
    nxt = [w for w in r.warns if t < w < sunrise]
    return float(nxt[0]) if nxt else math.nan


def _reaction(r: Run, change: int, sunrise: int, true_min: float) -> float:
    """Minutes after the change until the forecast has closed half its gap to the truth
    (NaN when the change did not open a gap of 1 mg/L)."""
    i = int(np.searchsorted(r.t, change, side="right")) - 1
    if i < 0 or r.v[i] == DAYTIME:
        return math.nan
    gap = abs(r.v[i] - true_min)
    if gap < 1.0:
        return math.nan
    for j in range(i + 1, len(r.t)):
        if r.t[j] >= sunrise:
            break
        if abs(r.v[j] - true_min) <= gap / 2:
            return float(r.t[j] - change) / MIN
    return math.inf


# ------------------------------------------------------------------ the two sets

def sim_scenarios(days: int) -> list[tuple[str, Scenario, int]]:
    """``normal`` twice, the two crash scenarios with their event repeated (the power cut
    every 4th night, the overcast day and bloom die-off every 5th day) — sudden crashes,
    their cause after dusk — and a foreseeable one: ponds 8–20 days into grow-out whose
    blowers trip at 16:00 every 3rd day and stay off until 07:00 (nobody resets them), so
    the night falls on its own, without aeration, from dusk."""
    base = SCENARIOS["aerator-failure"]
    cut = base.aerator_outages[0]
    power_cuts = replace(base, name="aerator-failure-repeated", aerator_outages=tuple(
        replace(cut, day=d) for d in range(cut.day, days, 4)))
    cloudy = SCENARIOS["cloudy-crash"]
    die = cloudy.die_offs[0]
    crash = replace(cloudy, name="cloudy-crash-repeated",
                    weather=replace(cloudy.weather, overcast_days=tuple(range(2, days, 5))),
                    die_offs=tuple(replace(die, day=d) for d in range(2, days, 5)))
    never = replace(SCENARIOS["normal"], name="aerator-never-starts", cycle_days=(8.0, 20.0),
                    aerator_outages=tuple(AeratorOutage(day=d, start_h=16.0, duration_h=15.0)
                                          for d in range(2, days, 3)))
    return [("normal", SCENARIOS["normal"], 1), ("normal", SCENARIOS["normal"], 2),
            ("aerator-failure-repeated", power_cuts, 3), ("cloudy-crash-repeated", crash, 4),
            ("aerator-never-starts", never, 5)]


def sim_set(days: int, ponds: int) -> dict[str, list[Scored]]:
    """Each scenario's ponds with weather of their own (``independent_weather``)."""
    out: dict[str, list[Scored]] = {m: [] for m in METHODS}
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for _, scenario, seed in sim_scenarios(days):
        f = PondSim(ponds, start, 60.0, scenario, seed,
                    independent_weather=True).run(days * 1440)
        for p in range(ponds):
            t_ms, true_do, obs = f.t_ms, f.truth["do_mgl"][:, p], f.observed["do_mgl"][:, p]
            nights = _sim_nights(int(t_ms[0]), int(t_ms[-1]))
            # The cause of a crash (the power cut, the bloom dying), when it falls at night.
            causes = sorted(e.t_ms for e in f.incidents if e.pond == p
                            and e.kind in ("aerator_failure", "plankton_die_off"))
            # The blowers' switches as a relay would confirm them: on back after an outage,
            # off (failed: a power cut) at its start. They run day and night otherwise.
            aer = f.aerator_on[:, p]
            flips = np.flatnonzero(aer[1:] != aer[:-1]) + 1
            events = [(int(t_ms[0]), bool(aer[0]), False)] + [
                (int(t_ms[k - 1]), bool(aer[k]), not bool(aer[k])) for k in flips]
            switches = sorted(set(causes) | {e[0] for e in events[1:]})
            for method in METHODS:
                r = run(method, t_ms, obs, events)
                out[method] += [score(r, t_ms, true_do, d, s, _cause(causes, d, s),
                                      switches=switches)
                                for d, s in nights]
    return out


def _cause(causes: list[int], dusk: int, sunrise: int) -> int | None:
    return next((c for c in causes if dusk <= c < sunrise), None)


def _sim_nights(first: int, last: int) -> list[tuple[int, int]]:
    """(dusk, sunrise) of every whole night between ``first`` and ``last``."""
    nights = []
    dusk = next_sunset_ms(first + 2 * H)
    while (sunrise := next_sunrise_ms(dusk)) + H <= last:
        nights.append((dusk, sunrise))
        dusk = next_sunset_ms(sunrise)
    return nights


def model_set(kinds: Sequence[str], n: int) -> dict[str, dict[str, list[Scored]]]:
    """By kind, by method."""
    out: dict[str, dict[str, list[Scored]]] = {}
    for kind in kinds:
        out[kind] = {m: [] for m in METHODS}
        for i in range(n):
            night: Night = make_night(kind, i)
            # The same night without its aerator: what a warning raised before the
            # aerator started was extrapolating.
            still = make_night(kind, i, aerators=False).true_do if night.switches_ms else None
            planned = make_night(kind, i, as_planned=True).true_do
            plan = AeratorPlan(night.keep_on) if night.keep_on is not None else None
            for method in METHODS:
                r = run(method, night.t_ms, night.obs_do, night.aerator_events, plan)
                sc = score(r, night.t_ms, night.true_do, night.dusk_ms, night.sunrise_ms,
                           night.change_ms, night.odd_ms, night.switches_ms)
                if still is not None and not math.isnan(sc.warned_t) \
                        and sc.warned_t < night.switches_ms[0]:
                    m = (night.t_ms >= night.dusk_ms) & (night.t_ms <= night.sunrise_ms + H)
                    sc.unaerated_min = float(still[m].min())
                night_m = (night.t_ms >= night.dusk_ms) & (night.t_ms <= night.sunrise_ms + H)
                sc.planned_at = {key: float(planned[night_m & (night.t_ms >= when)].min())
                                 for key, when in sc.at_ms.items()}
                out[kind][method].append(sc)
    return out


# ------------------------------------------------------------------ summaries

def summarise(rows: list[Scored]) -> dict[str, Any]:
    by_time = {}
    for h in AT_HOURS:
        key = f"{h:02d}"
        err = np.array([r.at[key] - r.truth_at[key] for r in rows if key in r.at])
        whole = np.array([r.at[key] - r.true_min for r in rows if key in r.at])
        calm = np.array([r.at[key] - r.truth_at[key] for r in rows
                         if key in r.at and r.undisturbed_after(key)])
        plan = np.array([r.at[key] - r.planned_at[key] for r in rows
                         if key in r.at and key in r.planned_at])
        # What no forecast made at this time can know: how far the night that happened
        # fell from the night as planned (a forecast exactly right about the plan errs by
        # this much).
        gap = np.array([r.truth_at[key] - r.planned_at[key] for r in rows
                        if key in r.at and key in r.planned_at])
        if err.size:
            by_time[f"{key}:00 WIB"] = {
                "nights": int(err.size), "mae_mgl": round(float(np.abs(err).mean()), 2),
                "bias_mgl": round(float(err.mean()), 2),
                "rmse_mgl": round(float(np.sqrt((err ** 2).mean())), 2),
                "mae_vs_whole_night_min_mgl": round(float(np.abs(whole).mean()), 2),
                # Nights where nothing is switched from this time to dawn: what a forecast
                # can know at this time is the night still to come.
                "undisturbed_nights": int(calm.size),
                "undisturbed_mae_mgl": round(float(np.abs(calm).mean()), 2)
                if calm.size else None,
                "undisturbed_bias_mgl": round(float(calm.mean()), 2) if calm.size else None}
            if plan.size:
                by_time[f"{key}:00 WIB"] |= {
                    "as_planned_nights": int(plan.size),
                    "as_planned_mae_mgl": round(float(np.abs(plan).mean()), 2),
                    "unforeseeable_mae_mgl": round(float(np.abs(gap).mean()), 2)}
    crash = [r for r in rows if r.true_min < 2.0]
    healthy = [r for r in rows if r.true_min >= 3.0]
    border = [r for r in rows if 2.0 <= r.true_min < 3.0]
    leads = [(r.first_below_2 - r.warned_t) / H if not math.isnan(r.warned_t) else -math.inf
             for r in crash]
    out: dict[str, Any] = {
        "nights": len(rows), "forecast_error_by_time": by_time,
        "sub2_nights": len(crash),
        "sub2_warned": sum(not math.isnan(r.warned_t) for r in crash),
        "sub2_warned_2h_ahead": sum(x >= 2.0 for x in leads),
        "sub2_warned_2h_ahead_share": round(sum(x >= 2.0 for x in leads) / len(crash), 3)
        if crash else None,
        "lead_h_before_do_below_2_median": round(float(np.median(leads)), 1)
        if crash else None,
        "lead_h_before_do_below_2_p5": round(float(np.percentile(leads, 5)), 1)
        if crash else None,
        "healthy_nights": len(healthy),
        "healthy_false_warnings": sum(not math.isnan(r.warned_t) for r in healthy),
        "healthy_false_warning_share": round(
            sum(not math.isnan(r.warned_t) for r in healthy) / len(healthy), 3)
        if healthy else None,
        "borderline_nights_2_to_3": len(border),
        "borderline_warned": sum(not math.isnan(r.warned_t) for r in border),
        # False warnings raised before an aerator was started, of a night that without it
        # would have gone below 2 mg/L: right about the pond as it was when warned.
        "healthy_false_warnings_before_aerator_right_without_it": sum(
            r.unaerated_min < 2.0 for r in healthy if not math.isnan(r.warned_t)),
        "healthy_false_warnings_before_aerator": sum(
            not math.isnan(r.unaerated_min) for r in healthy if not math.isnan(r.warned_t)),
    }
    # Foreseeable crashes (no cause after dusk: the night's own decline, an aerator that
    # never started) must be warned 2 h ahead; sudden ones (a power cut, a die-off, an
    # aerator failing after dusk) cannot be, and are scored from their cause.
    seen = [x for r, x in zip(crash, leads, strict=True) if not r.sudden]
    out["foreseeable_sub2_nights"] = len(seen)
    out["foreseeable_warned_2h_ahead"] = sum(x >= 2.0 for x in seen)
    out["foreseeable_warned_2h_ahead_share"] = round(
        sum(x >= 2.0 for x in seen) / len(seen), 3) if seen else None
    out["foreseeable_lead_h_median"] = round(float(np.median(seen)), 1) if seen else None
    out["foreseeable_lead_h_p5"] = round(float(np.percentile(seen, 5)), 1) if seen else None
    # A warning 2 h ahead is possible only when DO crosses 2 mg/L at least 4.5 h after
    # dusk: the first forecast needs 30 min after dusk and 90 min of readings, the rule
    # then holds it below 2 mg/L for 30 min, and 2 h more is the lead.
    late = [x for r, x in zip(crash, leads, strict=True)
            if not r.sudden and r.first_below_2 - r.dusk >= WARNABLE_AFTER_DUSK_H * H]
    out["foreseeable_warnable_sub2_nights"] = len(late)
    out["foreseeable_warnable_warned_2h_ahead"] = sum(x >= 2.0 for x in late)
    out["foreseeable_warnable_warned_2h_ahead_share"] = round(
        sum(x >= 2.0 for x in late) / len(late), 3) if late else None
    out["foreseeable_below_2_h_after_dusk_median"] = round(float(np.median(
        [(r.first_below_2 - r.dusk) / H for r in crash if not r.sudden])), 1) if seen else None
    sudden = [r for r in crash if r.sudden]
    # A warning standing when the cause came counts as 0 min; one raised earlier in the
    # evening and cleared before the cause does not count.
    after_cause = [(r.warned_after_change_t - r.change_ms) / MIN
                   if not math.isnan(r.warned_after_change_t) else math.inf for r in sudden]
    out["sudden_sub2_nights"] = len(sudden)
    out["sudden_cause_to_below_2_min_median"] = round(float(np.median(
        [(r.first_below_2 - r.change_ms) / MIN for r in sudden])), 0) if sudden else None
    # A warning already standing before the cause counts as 0 min (the pond was warned).
    out["sudden_warned_min_after_cause_median"] = round(float(np.median(after_cause)), 0) \
        if sudden else None
    out["sudden_warned_within_30_min_share"] = round(
        sum(x <= 30 for x in after_cause) / len(sudden), 3) if sudden else None
    fc_after = [max((r.forecast_below_2_t - r.change_ms) / MIN, 0.0)
                if not math.isnan(r.forecast_below_2_t) else math.inf for r in sudden]
    out["sudden_forecast_below_2_min_after_cause_median"] = round(
        float(np.median(fc_after)), 0) if sudden else None
    out["sudden_forecast_below_2_within_30_min_share"] = round(
        sum(x <= 30 for x in fc_after) / len(sudden), 3) if sudden else None
    # From the warning standing at the cause or raised after it (an evening warning that
    # cleared before the cause is no warning of it).
    out["sudden_warned_2h_ahead"] = sum(
        (r.first_below_2 - r.warned_after_change_t) / H >= 2.0 for r in sudden
        if not math.isnan(r.warned_after_change_t))
    caused = [r for r in crash if not math.isnan(r.change_ms)]
    if caused:
        # A cut at 23:00 in a dense pond takes DO below 2 mg/L within about an hour: no
        # forecast can warn 2 h before that; what it can do is warn soon after the cause.
        after = [(r.warned_t - r.change_ms) / MIN if not math.isnan(r.warned_t) else math.inf
                 for r in caused]
        out["sub2_nights_with_cause"] = len(caused)
        out["cause_to_below_2_min_median"] = round(float(np.median(
            [(r.first_below_2 - r.change_ms) / MIN for r in caused])), 0)
        out["warned_min_after_cause_median"] = round(float(np.median(after)), 0)
        out["warned_within_30_min_of_cause_share"] = round(
            sum(x <= 30 for x in after) / len(caused), 3)
        out["warned_before_do_below_2_share"] = round(sum(
            not math.isnan(r.warned_t) and r.warned_t <= r.first_below_2 for r in caused)
            / len(caused), 3)
    changed = [r for r in rows if not math.isnan(r.change_ms)]
    reacted = [r.reaction_min for r in changed if not math.isnan(r.reaction_min)]
    if reacted:
        out["change_nights_with_1mgl_gap"] = len(reacted)
        out["reaction_min_median"] = round(float(np.median(reacted)), 0)
        out["reacted_within_30_min_share"] = round(sum(x <= 30 for x in reacted)
                                                   / len(reacted), 3)
    return out


def summarise_odd(rows: list[Scored]) -> dict[str, Any]:
    healthy = [r for r in rows if r.true_min >= 3.0]
    return {"nights": len(rows), "said_unreliable": sum(r.unreliable for r in rows),
            "healthy_nights": len(healthy),
            "healthy_false_warnings": sum(not math.isnan(r.warned_t) for r in healthy),
            "sub2_nights": sum(r.true_min < 2.0 for r in rows),
            "sub2_warned": sum(r.true_min < 2.0 and not math.isnan(r.warned_t) for r in rows)}


def table(sets: dict[str, dict[str, Any]]) -> str:
    """The Markdown table docs/alerts.md shows."""
    lines = ["| set | method | MAE 20:00 | MAE 22:00 | MAE 00:00 | MAE 02:00 | MAE 22:00 "
             "undisturbed | MAE 22:00 vs the night as planned (what no forecast could know) "
             "| sub-2 nights warned ≥ 2 h ahead | foreseeable sub-2 warned ≥ 2 h "
             "ahead | sudden sub-2 warned ≤ 30 min after the cause | healthy nights falsely "
             "warned |", "|---" * 12 + "|"]
    for name, by_method in sets.items():
        for method, s in by_method.items():
            by = s["forecast_error_by_time"]
            mae = [by.get(f"{h}:00 WIB", {}).get("mae_mgl", "–") for h in ("20", "22", "00", "02")]
            calm = by.get("22:00 WIB", {})
            sudden = round(s["sudden_warned_within_30_min_share"] * s["sudden_sub2_nights"]) \
                if s["sudden_sub2_nights"] else 0
            lines.append(
                f"| {name} | {method} | " + " | ".join(str(x) for x in mae)
                + f" | {calm.get('undisturbed_mae_mgl', '–')} ({calm.get('undisturbed_nights', 0)}"
                " nights)"
                + (f" | {calm['as_planned_mae_mgl']} ({calm['unforeseeable_mae_mgl']})"
                   if "as_planned_mae_mgl" in calm else " | –")
                + f" | {s['sub2_warned_2h_ahead']}/{s['sub2_nights']} "
                f"| {s['foreseeable_warned_2h_ahead']}/{s['foreseeable_sub2_nights']} "
                f"({s['foreseeable_warnable_warned_2h_ahead']}/"
                f"{s['foreseeable_warnable_sub2_nights']} crossing ≥ 4.5 h after dusk) "
                f"| {sudden}/{s['sudden_sub2_nights']} "
                f"| {s['healthy_false_warnings']}/{s['healthy_nights']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=30, help="simulated days per pond")
    ap.add_argument("--ponds", type=int, default=4, help="ponds per simulator scenario")
    ap.add_argument("--nights", type=int, default=100, help="model nights per kind")
    args = ap.parse_args()
    started = time.perf_counter()
    sim = sim_set(args.days, args.ponds)
    model = model_set(SCORED_KINDS, args.nights)
    odd = model_set(ODD_KINDS, max(args.nights // 2, 1))
    flat = {m: [r for kind in model.values() for r in kind[m]] for m in METHODS}
    sets = {"simulator": {m: summarise(sim[m]) for m in METHODS},
            "night_model": {m: summarise(flat[m]) for m in METHODS}}
    write_results("dawn_forecast", {
        "simulator": {"days": args.days, "ponds_per_scenario": args.ponds, "step_s": 60,
                      "scenarios": [f"{n} seed {s}" for n, _, s in sim_scenarios(args.days)],
                      "weather": "independent per pond (PondSim independent_weather=True)"},
        "night_model": {"nights_per_kind": args.nights, "kinds": list(SCORED_KINDS)},
        "input": "observed DO (sensor model)",
        "sets": sets,
        "night_model_by_kind": {k: {m: summarise(v[m]) for m in METHODS}
                                for k, v in model.items()},
        "odd_nights": {k: {m: summarise_odd(v[m]) for m in METHODS} for k, v in odd.items()},
        "table_markdown": table(sets),
        "seconds": round(time.perf_counter() - started, 1)})
    print(table(sets))


if __name__ == "__main__":
    main()
