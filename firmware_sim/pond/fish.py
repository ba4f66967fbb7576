"""Lele husbandry: feeding table, growth, mortality and the delayed ammonia excretion."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kolam.farming import kpi

F64 = NDArray[np.float64]

# Meals at 07:00, 12:00 and 17:00 WIB (DOMAIN.md: 2–3 meals a day; kolam.farming.kpi.MEALS_PER_DAY).
MEAL_HOURS_WIB = (7.0, 12.0, 17.0)
assert len(MEAL_HOURS_WIB) == kpi.MEALS_PER_DAY
# The ration is the one Kolam advises (kolam.farming.kpi: DOMAIN.md's feeding table, cut ~50 % below
# 25 °C or when DO < 3 mg/L), so the simulated farmer and the KPI page agree.
FEED_CUT_FACTOR = kpi.FEED_CUT_FACTOR
FEED_CUT_BELOW_C = kpi.FEED_CUT_BELOW_C
FEED_CUT_BELOW_DO = kpi.FEED_CUT_BELOW_DO_MGL

# Growth is what the fish make of the feed they eat: g of live weight per g of feed eaten.
# With the table's rations a conversion of 1/0.95 grows 1.5 g seed to ~120 g (8 fish/kg) in
# 80–85 days, and the apparent FCR over the cycle (feed given, uneaten feed and the dead
# included) lands at 1.05–1.2, inside DOMAIN.md's 1.0–1.4 for ponds. In biofloc the fish
# also graze the floc's bacterial protein (Avnimelech 2007; IPB biofloc lele trials): FCR
# 0.8–1.0 (DOMAIN.md), so conversion 1/0.82.
FEED_CONVERSION_POND = 1.0 / 0.95
FEED_CONVERSION_BIOFLOC = 1.0 / 0.82
# Market size 7–10 fish/kg (DOMAIN.md): the farmer harvests at 8 fish/kg and restocks seed.
HARVEST_ABW_G = 125.0

# Baseline mortality 0.2 %/day gives ~85 % survival over an 80-day cycle (DOMAIN.md: 80–95 %).
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
    """Daily ration (% of body weight) of each pond, by kolam.farming.kpi's feeding table."""
    return np.array([kpi.feeding_rate_pct(float(w)) for w in abw_g], dtype=np.float64)


def grow_out(seed_g: F64, days: F64, conversion: F64) -> F64:
    """Average weight after `days` of table feeding at optimal temperature (daily steps)."""
    w = seed_g.copy()
    for d in range(int(np.ceil(days.max(initial=0.0)))):
        share = np.clip(days - d, 0.0, 1.0)
        w *= 1.0 + share * feeding_rate_pct(w) / 100.0 * conversion
    return w


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
