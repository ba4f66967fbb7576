"""Dawn DO forecast error against the simulator's truth, over many simulated nights.

For each scenario and seed, PondSim runs 4 ponds for 30 days at 1-minute steps. The
forecast (``kolam.alerts.forecast.DawnForecast``) is fed the *observed* DO (sensor bias and
noise included); its value at fixed times of the night is compared with the *true* night
minimum (dusk to one hour after sunrise). The ``do_forecast`` rule (forecast < 2 mg/L held
for 30 min) is run as ingest runs it, and scored against nights whose true minimum fell
below 2 mg/L.

Usage: .venv/bin/python bench/dawn_forecast.py [--days 30]
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from _common import write_results

from firmware_sim.pond import SCENARIOS, AeratorOutage, DieOff, PondSim, Scenario, WeatherSpec
from kolam.alerts.condition import Condition
from kolam.alerts.forecast import DAYTIME, DawnForecast
from kolam.alerts.rules import DEFAULT_RULES
from kolam.sun import last_sunset_ms, next_sunrise_ms

H = 3_600_000
WIB_H = 7 * H
AT_HOURS = (20, 22, 0, 2, 4)  # WIB hours at which the standing forecast is scored


def scenarios(days: int) -> list[tuple[str, Scenario, int]]:
    base = SCENARIOS["aerator-failure"]
    power_cuts = replace(base, name="aerator-failure-repeated", aerator_outages=tuple(
        AeratorOutage(day=d, start_h=21.0, duration_h=10.0) for d in range(2, days, 4)))
    crash = replace(SCENARIOS["cloudy-crash"], name="cloudy-crash-repeated",
                    weather=WeatherSpec(overcast_days=tuple(range(2, days, 5))),
                    die_offs=tuple(DieOff(day=d, hour=12.0, share=0.35)
                                   for d in range(2, days, 5)))
    return [("normal", SCENARIOS["normal"], 1), ("normal", SCENARIOS["normal"], 2),
            ("aerator-failure-repeated", power_cuts, 3), ("cloudy-crash-repeated", crash, 4)]


def nights(name: str, scenario: Scenario, seed: int, days: int) -> list[dict[str, float]]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    sim = PondSim(4, start, 60.0, scenario, seed)
    f = sim.run(days * 1440)
    t_ms, true_do, obs = f.t_ms, f.truth["do_mgl"], f.observed["do_mgl"]
    out = []
    for p in range(4):
        fc = DawnForecast()
        cond = Condition(DEFAULT_RULES["do_forecast"])
        night: dict[str, float] = {}
        for i in range(len(t_ms)):
            t = int(t_ms[i])
            x = float(obs[i, p])
            value = None if math.isnan(x) else fc.add(t, x)
            if value is not None and value != DAYTIME:
                sunrise = fc.sunrise_ms
                key = sunrise // 86_400_000
                if night.get("key") != key:
                    if night.get("scored"):
                        out.append(night)
                    night = _night(name, seed, p, key, sunrise, t_ms, true_do[:, p])
                hour = ((t + WIB_H) // H) % 24
                if hour in AT_HOURS and f"at_{hour:02d}" not in night:
                    night[f"at_{hour:02d}"] = value
                ch = cond.update(t, value)
                if ch is not None and ch.new == 1 and "warned_h" not in night:
                    night["warned_h"] = (sunrise - t) / H
                    night["warned_t"] = t
            elif value == DAYTIME:
                cond.update(t, value)
        if night.get("scored"):
            out.append(night)
    return out


def _night(name: str, seed: int, pond: int, key: int, sunrise: int, t_ms: np.ndarray,
           do: np.ndarray) -> dict[str, float]:
    dusk = last_sunset_ms(sunrise - 6 * H)
    mask = (t_ms >= dusk) & (t_ms <= sunrise + H)
    scored = bool(mask.sum() > 600 and next_sunrise_ms(dusk) == sunrise)
    below = np.flatnonzero(mask & (do < 2.0))
    return {"scenario": name, "seed": seed, "pond": pond, "key": key, "sunrise": sunrise,  # type: ignore[dict-item]
            "true_min": float(do[mask].min()) if scored else math.nan,
            "first_below_2": float(t_ms[below[0]]) if below.size else math.nan,
            "scored": scored}


def summarise(rows: list[dict[str, float]]) -> dict[str, object]:
    by_time = {}
    for h in AT_HOURS:
        err = np.array([r[f"at_{h:02d}"] - r["true_min"] for r in rows if f"at_{h:02d}" in r])
        if err.size:
            by_time[f"{h:02d}:00 WIB"] = {
                "nights": int(err.size), "mae_mgl": round(float(np.abs(err).mean()), 2),
                "bias_mgl": round(float(err.mean()), 2),
                "rmse_mgl": round(float(np.sqrt((err ** 2).mean())), 2)}
    crash = [r for r in rows if r["true_min"] < 2.0]
    healthy = [r for r in rows if r["true_min"] >= 3.0]
    border = [r for r in rows if 2.0 <= r["true_min"] < 3.0]
    warned = [r for r in crash if "warned_h" in r]
    before = [(r["first_below_2"] - r["warned_t"]) / H for r in warned
              if not math.isnan(r["first_below_2"])]
    return {
        "nights": len(rows), "forecast_error_by_time": by_time,
        "crash_nights_true_min_below_2": len(crash),
        "crash_nights_warned": len(warned),
        "warning_hours_before_sunrise_median": round(float(np.median(
            [r["warned_h"] for r in warned])), 1) if warned else None,
        "warning_hours_before_do_below_2_median": round(float(np.median(before)), 1)
        if before else None,
        "warning_hours_before_do_below_2_min": round(float(np.min(before)), 1)
        if before else None,
        "healthy_nights_true_min_at_least_3": len(healthy),
        "healthy_nights_false_warnings": sum("warned_h" in r for r in healthy),
        "borderline_nights_2_to_3": len(border),
        "borderline_nights_warned": sum("warned_h" in r for r in border),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=30)
    args = ap.parse_args()
    started = time.perf_counter()
    rows: list[dict[str, float]] = []
    per: dict[str, object] = {}
    for name, scenario, seed in scenarios(args.days):
        got = nights(name, scenario, seed, args.days)
        per[f"{name} seed {seed}"] = summarise(got)
        rows += got
    write_results("dawn_forecast", {
        "days": args.days, "ponds": 4, "step_s": 60, "input": "observed DO (sensor model)",
        "all": summarise(rows), "by_run": per,
        "seconds": round(time.perf_counter() - started, 1)})


if __name__ == "__main__":
    main()
