"""Lele husbandry: feeding table, growth, mortality and the delayed ammonia excretion."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

# Meals at 07:00, 12:00 and 17:00 WIB (DOMAIN.md: 2–3 meals a day).
MEAL_HOURS_WIB = (7.0, 12.0, 17.0)

# Feeding rate (% body weight/day) by average body weight (DOMAIN.md table):
# < 5 g: 8–10; 5–20 g: 5–6; 20–50 g: 4; 50–100 g: 3; > 100 g: 2.
_FEED_WEIGHT_EDGES_G = np.array([5.0, 20.0, 50.0, 100.0])
_FEED_PCT = np.array([9.0, 5.5, 4.0, 3.0, 2.0])
# Cut about 50 % below 25 °C or when DO < 3 mg/L (DOMAIN.md).
FEED_CUT_FACTOR = 0.5
FEED_CUT_BELOW_C = 25.0
FEED_CUT_BELOW_DO = 3.0

# Baseline mortality 0.2 %/day gives ~89 % survival over 60 days (DOMAIN.md: 80–95 %).
MORTALITY_BASE_PER_D = 0.002
# Extra deaths when DO stays below 1 mg/L or NH3-N above the 0.34 mg/L critical level.
MORTALITY_HYPOXIA_PER_D = 0.05
MORTALITY_NH3_PER_D = 0.02
NH3_CRITICAL_MGL = 0.34  # DOMAIN.md

# Excretion after a meal: Erlang(k=3, scale 2.5 h) peaks at (k−1)·2.5 = 5 h, matching
# "ammonia excretion peaks 4–6 h after each feeding" (DOMAIN.md); cut at 24 h.
_EXCRETION_SHAPE = 3
_EXCRETION_SCALE_H = 2.5
EXCRETION_SPAN_H = 24.0


def feeding_rate_pct(abw_g: F64) -> F64:
    """Daily ration as % of body weight for each pond's average body weight."""
    return _FEED_PCT[np.searchsorted(_FEED_WEIGHT_EDGES_G, abw_g, side="right")]


def sgr_pct_per_day(abw_g: F64) -> F64:
    """Specific growth rate (%/day): 8 at 1 g, 5 at 10 g, 2 at 100 g (DOMAIN.md: 6–8 → ~3)."""
    return np.clip(8.0 - 3.0 * np.log10(np.maximum(abw_g, 1.0)), 1.5, 8.0)


def temperature_growth_factor(temp_c: F64) -> F64:
    """1 within the optimal 26–32 °C, falling linearly to 0 at 20 and 38 °C."""
    return np.clip(np.minimum((temp_c - 20.0) / 6.0, (38.0 - temp_c) / 6.0), 0.0, 1.0)


def _erlang_cdf(x_h: float) -> float:
    if x_h <= 0.0:
        return 0.0
    z = min(x_h, EXCRETION_SPAN_H) / _EXCRETION_SCALE_H
    term, total = 1.0, 0.0
    for n in range(_EXCRETION_SHAPE):
        if n:
            term *= z / n
        total += term
    return 1.0 - math.exp(-z) * total


_CDF_AT_SPAN = _erlang_cdf(EXCRETION_SPAN_H)


def excreted_share(since_meal_h: float, dt_h: float) -> float:
    """Share of a meal's TAN excreted between since_meal_h and since_meal_h + dt_h.

    The truncated kernel is renormalised, so each meal's shares sum to exactly 1.
    """
    return (_erlang_cdf(since_meal_h + dt_h) - _erlang_cdf(since_meal_h)) / _CDF_AT_SPAN
