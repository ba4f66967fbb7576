"""Today's average body weight between samplings, from a growth curve that slows.

Lele are sampled every week or two; between samplings they keep growing, so the newest
sampling's weight goes stale (13 days at 3–5 %/day leave it a third to a half low). The curve
used here lets the specific growth rate fall as the fish grow, as DOMAIN.md says it does
(SGR ~6–8 %/day at first, ~3 %/day later):

  SGR falling linearly with ln W   ⇔   the Gompertz curve
  d ln W / dt = b · (ln W∞ − ln W)  ⇔   ln W(t) = ln W0 + g · (1 − e^(−b·t)) / b

with ``g`` the SGR at stocking (per day) and ``b`` how fast it slows (per day); SGR at day t
is g·e^(−b·t). Among von Bertalanffy, Gompertz, Brody, Richards and logistic fits to
African catfish juveniles grown for 111 days in recirculation, Gompertz described growth
best (World Aquaculture Society meeting abstract, was.org/Meeting/Program/PaperDetail/158986).

Fit: for each ``b`` on a grid, ``c`` and ``g`` are the weighted linear least-squares fit
of ln W to the stocking weight (day 0) and the samplings; ``b`` minimises the weighted
squared residuals plus a penalty pulling it to the literature prior (a maximum a
posteriori fit). With one sampling
the fit keeps the prior's ``b`` and finds ``g``; with none the prior curve runs from the
seed weight. The estimate is anchored on the newest measured weight: the curve only says
how much the fish grew since.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

DAY_MS = 86_400_000

# Prior, from DOMAIN.md ("Production"): SGR falls linearly with ln W from 8 %/day at a
# 1.5 g seed (seed 1–2 g; SGR ~6–8 %/day at first) to 3 %/day at 120 g (market size
# 7–10 fish/kg = 100–143 g; SGR ~3 %/day later). That curve takes 1.5 g fish to 120 g in
# 86 days (DOMAIN.md: grow-out 50–60 days to 2.5–3 months) and 1 g fish to ~1.3 kg in
# 10 months (FAO AFFRIS, North African catfish growth: "from 1 g fingerlings to
# approximately 1 kg in 10 months"); tests/kolam/farming/test_growth.py checks both.
PRIOR_SEED_G = 1.5
PRIOR_SGR_AT_SEED = 0.08
PRIOR_MARKET_G = 120.0
PRIOR_SGR_AT_MARKET = 0.03
PRIOR_SLOWING_PER_DAY = (PRIOR_SGR_AT_SEED - PRIOR_SGR_AT_MARKET) / math.log(
    PRIOR_MARKET_G / PRIOR_SEED_G)
"""b of the prior: 0.0114/day."""
PRIOR_LN_ASYMPTOTE = math.log(PRIOR_SEED_G) + PRIOR_SGR_AT_SEED / PRIOR_SLOWING_PER_DAY
"""ln W∞ of the prior (W∞ ≈ 1.66 kg)."""

# The fit's noise and prior widths. A sampling of 20–30 fish whose weights vary by ~25 %
# (a typical coefficient of variation of a lele batch) gives a mean within ~5 %: residuals
# in ln W of 0.05. The prior's b is held within ±0.005/day: the demo data's curve
# (b ≈ 0.008) and the simulator's (SGR 8 − 3·log10 W %/day, b ≈ 0.013) both lie within.
LN_WEIGHT_SD = 0.05
SEED_LN_WEIGHT_SD = 0.2
"""The stocking weight is a batch figure ("5–7 cm, 1–2 g", DOMAIN.md): ±20 %."""
SLOWING_SD_PER_DAY = 0.005
LN_MAX_WEIGHT = math.log(60_000.0)
"""A cap for absurd samplings: the largest C. gariepinus recorded weighed 58.9 kg (FAO
AFFRIS, North African catfish growth)."""
SLOWING_GRID_PER_DAY = np.union1d(np.linspace(0.0, 0.05, 501), [PRIOR_SLOWING_PER_DAY])
"""b from 0 (constant SGR, plain exponential growth) to 0.05/day (SGR halving in 14 days),
in steps of 0.0001/day, and the prior's own b (kept exactly when one sampling says
nothing about the slowing)."""


class GrowthBasis(StrEnum):
    """What the growth curve stands on."""

    PRIOR = "prior"
    """No sampling yet: the literature curve from the stocking weight."""
    ONE_SAMPLING = "one_sampling"
    """One sampling sets the pace; the prior says how it slows."""
    FIT = "fit"
    """Two samplings or more: pace and slowing fitted (the slowing pulled to the prior)."""


@dataclass(frozen=True, slots=True)
class GrowthCurve:
    """ln W(t) = ln_w0 + g·(1 − e^(−b·t))/b, t in days since stocking (Gompertz)."""

    ln_w0: float
    sgr0_per_day: float
    """g: the specific growth rate at stocking, per day (0.07 = 7 %/day)."""
    slowing_per_day: float
    """b: SGR at day t is g·e^(−b·t)."""
    basis: GrowthBasis
    samplings: int

    def _gain(self, day: float) -> float:
        b = self.slowing_per_day
        return self.sgr0_per_day * (day if b == 0 else -math.expm1(-b * day) / b)

    def weight_at(self, day: float) -> float:
        """Average body weight (g) on ``day``, never above the largest lele on record."""
        return math.exp(min(self.ln_w0 + self._gain(day), LN_MAX_WEIGHT))

    def sgr_at(self, day: float) -> float:
        """Specific growth rate on ``day``, per day."""
        return self.sgr0_per_day * math.exp(-self.slowing_per_day * day)

    def day_reaching(self, weight_g: float) -> float | None:
        """The day the curve reaches ``weight_g``; None if it never does (it levels off
        below, or does not grow)."""
        need = math.log(weight_g) - self.ln_w0
        if need <= 0:
            return 0.0
        g, b = self.sgr0_per_day, self.slowing_per_day
        if g <= 0:
            return None
        if b == 0:
            return need / g
        left = 1 - b * need / g
        return None if left <= 0 else -math.log(left) / b

    def through(self, day: float, weight_g: float) -> GrowthCurve:
        """The same growth, shifted to pass through ``weight_g`` on ``day``."""
        shift = math.log(weight_g) - (self.ln_w0 + self._gain(day))
        return GrowthCurve(self.ln_w0 + shift, self.sgr0_per_day, self.slowing_per_day,
                           self.basis, self.samplings)


def prior_curve(seed_g: float) -> GrowthCurve:
    """The literature curve (see the module header) from a stocking weight."""
    g = max(0.0, PRIOR_SLOWING_PER_DAY * (PRIOR_LN_ASYMPTOTE - math.log(seed_g)))
    return GrowthCurve(math.log(seed_g), g, PRIOR_SLOWING_PER_DAY, GrowthBasis.PRIOR, 0)


def _shape(b: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """(1 − e^(−b·t))/b for every b (rows) and t (columns); t itself where b = 0."""
    bt = np.outer(b, t)
    safe_b = np.where(b > 0, b, 1.0)[:, None]
    return np.where(bt > 0, -np.expm1(-bt) / safe_b, np.broadcast_to(t, bt.shape))


def fit_curve(seed_g: float, days: Sequence[float] | NDArray[np.float64],
              weights_g: Sequence[float] | NDArray[np.float64]) -> GrowthCurve:
    """Fit the Gompertz curve to the stocking weight (day 0) and the samplings (days since
    stocking, average weights in g). Samplings on or before day 0 are ignored."""
    t = np.asarray(days, dtype=np.float64)
    w = np.asarray(weights_g, dtype=np.float64)
    keep = (t > 0) & (w > 0)
    t, w = t[keep], w[keep]
    if t.size == 0:
        return prior_curve(seed_g)
    # Weighted least squares of ln W = c + g·shape_b(t) for every b at once (closed-form
    # 2×2 normal equations), the stocking weight one observation among the others.
    tt = np.concatenate(([0.0], t))
    y = np.log(np.concatenate(([seed_g], w)))
    wt = np.concatenate(([SEED_LN_WEIGHT_SD ** -2], np.full(t.size, LN_WEIGHT_SD ** -2)))
    b = SLOWING_GRID_PER_DAY
    phi = _shape(b, tt)
    s0, sy = np.sum(wt), np.sum(wt * y)
    s1, s2, sfy = phi @ wt, (phi * phi) @ wt, phi @ (wt * y)
    det = s0 * s2 - s1 * s1
    g = (s0 * sfy - s1 * sy) / det
    c = (s2 * sy - s1 * sfy) / det
    # Fish do not shrink on a farm that feeds them: a negative pace becomes no growth.
    c = np.where(g > 0, c, sy / s0)
    g = np.maximum(g, 0.0)
    misfit = ((y - c[:, None] - g[:, None] * phi) ** 2) @ wt
    cost = misfit + ((b - PRIOR_SLOWING_PER_DAY) / SLOWING_SD_PER_DAY) ** 2
    best = int(np.argmin(cost))
    basis = GrowthBasis.ONE_SAMPLING if t.size == 1 else GrowthBasis.FIT
    return GrowthCurve(float(c[best]), float(g[best]), float(b[best]), basis, int(t.size))


@dataclass(frozen=True, slots=True)
class WeightEstimate:
    """The best average body weight on a day, and what it stands on."""

    abw_g: float
    """Estimated average body weight on ``day`` (g)."""
    sampled_g: float
    """The newest measured average weight: the newest sampling, else the seed weight."""
    sampled_day: float
    """Day (since stocking) of that measurement."""
    day: float
    curve: GrowthCurve
    """The fitted curve, passing through the newest measurement."""

    @property
    def age_d(self) -> float:
        """Days from the newest measurement to ``day``."""
        return max(0.0, self.day - self.sampled_day)

    @property
    def is_estimate(self) -> bool:
        """True when ``abw_g`` is grown from an older measurement, not measured that day."""
        return self.age_d > 0


def estimate_weight(seed_g: float, days: Sequence[float] | NDArray[np.float64],
                    weights_g: Sequence[float] | NDArray[np.float64],
                    day: float) -> WeightEstimate:
    """Average body weight on ``day`` (days since stocking) from the stocking weight and
    the samplings made up to then (days since stocking, average g, any order)."""
    t = np.asarray(days, dtype=np.float64)
    w = np.asarray(weights_g, dtype=np.float64)
    seen = (t <= day) & (w > 0)
    t, w = t[seen], w[seen]
    curve = fit_curve(seed_g, t, w)
    sampled_day, sampled_g = 0.0, seed_g
    if t.size:
        newest = int(np.argmax(t))
        sampled_day, sampled_g = float(t[newest]), float(w[newest])
    anchored = curve.through(sampled_day, sampled_g)
    return WeightEstimate(anchored.weight_at(day), sampled_g, sampled_day, day, anchored)
