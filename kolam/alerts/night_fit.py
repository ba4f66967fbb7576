"""The night oxygen model behind the dawn forecast, fitted to a stretch of readings.

After dusk photosynthesis stops and a pond's DO follows its mass balance (DOMAIN.md):

    dC/dt = −R · C / (K + C) + kLa · (Cs − C)

respiration R (plankton, sediment, fish; mg/L/h) slowing as DO runs out, and oxygen
crossing the surface and from any aerator (kLa, 1/h) toward saturation Cs. Madenjian's
(1987) exponential decay is the case K ≫ C, kLa = 0; a straight-line decline is C ≫ K with
kLa = 0; an aerator or a power cut changes kLa mid-night, which the caller handles by
refitting from the change. Written in integral form the model is linear in (C0, R, kLa):

    C(t) = C0 − R · ∫ C/(K + C) dt + kLa · ∫ (Cs − C) dt

so one small least-squares solve over the observed readings fits it, with a ridge pull of
kLa toward still-water reaeration so that a short or flat stretch, which cannot tell R
from kLa, still gives a sane answer. The fitted rates are then integrated forward to dawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Plain lists and the math module: ingest runs this every five minutes per pond, and a
# 3 × 3 solve is no reason to load numpy into the ingest process (peak RSS target 150 MB).
Series = Sequence[float]

K_GRID_MGL = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
"""Half-saturations of night respiration (mg/L) the fit chooses from. Pond models put the
DO limitation of plankton, sediment and fish respiration at 0.5–1 mg/L (the simulator's
``firmware_sim/pond/params.py`` uses 0.5 and 1.0); Madenjian (1987) found real ponds
decline closer to exponentially (respiration ∝ DO, K ≫ C). The readings weigh them.
Tried and rejected (issue #14): adding 0.1 and 0.25 for straight-line declines took the
22:00 error of the night model's ``linear`` nights from 0.51 to 0.41 mg/L, but a regime
after a change inherits the chosen K, and dense ponds' evening forecasts then ran to
0 mg/L (projected straight down) and jumped by several mg/L from one fit to the next."""
CS_MGL = 7.83
"""DO saturation used for reaeration (mg/L): fresh water at 28 °C, the middle of a Serang
night (DOMAIN.md). 25–30 °C moves it by ±0.3 mg/L, small against the deficit at night."""
KLA_PRIOR_H = 0.04
"""Still-water surface reaeration of a ~1 m pond (1/h): a transfer velocity of ~0.02–0.04
m/h over 0.8–1 m of water (the simulator's ``K_L_M_H`` = 0.022 m/h at 0.8 m)."""
KLA_RIDGE = 40.0
"""How strongly kLa is pulled toward ``KLA_PRIOR_H`` (per point, (mg/L)² per (1/h)²): a
0.1/h departure costs as much as a 0.6 mg/L residual on one point."""
R_MAX = 4.0
"""A larger respiration (mg/L/h) is no pond's: the stretch is not a night decline."""
STEP_H = 1.0 / 12.0
HALF_LIFE_H = 1.5
"""Readings this old weigh half as much as the newest in a fit."""


@dataclass(frozen=True, slots=True)
class NightFit:
    """Fitted night rates over a stretch of readings and the model's level at its end."""

    c_end: float
    """The model's DO (mg/L) at the last reading: a smoothed "now"."""
    r_mgl_h: float
    kla_h: float
    k_mgl: float
    rms_mgl: float


def _cumtrapz(y: Series, x: Series) -> list[float]:
    out = [0.0] * len(y)
    acc = 0.0
    for i in range(1, len(y)):
        acc += (y[i] + y[i - 1]) * (x[i] - x[i - 1]) / 2.0
        out[i] = acc
    return out


def _weights(x_h: Series) -> list[float]:
    """Recent readings count more (``HALF_LIFE_H``)."""
    last, rate = x_h[-1], math.log(2.0) / HALF_LIFE_H
    return [math.exp((x - last) * rate) for x in x_h]


@dataclass(frozen=True, slots=True)
class Prior:
    """A ridge pull of one rate toward ``value``, ``weight`` per reading, in (mg/L)² of
    squared residual per unit² of the rate: the data overrule it as the stretch grows."""

    value: float
    weight: float


STILL_WATER = Prior(KLA_PRIOR_H, KLA_RIDGE)


def fit_night(x_h: Series, c: Series, kla: Prior = STILL_WATER, r: Prior | None = None,
              k_mgl: float | None = None) -> tuple[NightFit, list[float]]:
    """Fit R and kLa to readings ``c`` (mg/L) at hours ``x_h`` (ascending, ≥ 3 points)
    with the half-saturation ``k_mgl`` (else the best-weighted of ``K_GRID_MGL``); also
    the residuals (reading − model). ``kla`` and ``r`` pull the rates toward what is
    known (still water; the respiration before an aerator was switched)."""
    if k_mgl is not None:
        return _fit_k(x_h, [max(v, 0.0) for v in c], kla, r, k_mgl)
    return max(ensemble(x_h, c, kla, r), key=lambda wf: wf[0])[1:]


def ensemble(x_h: Series, c: Series, kla: Prior = STILL_WATER,
             r: Prior | None = None) -> list[tuple[float, NightFit, list[float]]]:
    """One fit per half-saturation in ``K_GRID_MGL``, each with its weight (summing to 1):
    a few hours of noisy readings rarely tell a straight decline from an exponential one,
    so the forecast averages what each foresees, weighted by how well each fits."""
    cc = [max(v, 0.0) for v in c]
    fits = [_fit_k(x_h, cc, kla, r, k) for k in K_GRID_MGL]
    n = math.fsum(_weights(x_h))
    sse = [f[0].rms_mgl ** 2 * n for f in fits]
    best = min(sse)
    # Readings' errors last a few minutes: count the noise variance three times over.
    noise2 = 3.0 * max(best / n, 0.05 ** 2)
    w = [math.exp(-(e - best) / (2.0 * noise2)) for e in sse]
    total = math.fsum(w)
    return [(wi / total, f, res) for wi, (f, res) in zip(w, fits, strict=True)]


def _fit_k(x_h: Series, c: Series, kla: Prior, r: Prior | None,
           k: float) -> tuple[NightFit, list[float]]:
    g = _cumtrapz([v / (k + v) for v in c], x_h)
    h = _cumtrapz([CS_MGL - v for v in c], x_h)
    # Recent readings count more: the night's rates drift as the water cools and the
    # plankton tires, and the dawn is nearer the present than the dusk.
    wt = _weights(x_h)
    # Columns (C0, R, kLa): C ≈ C0 − R·G + kLa·H; the weighted normal equations by hand.
    n = sg = sh = sgg = sgh = shh = b0 = bg = bh = 0.0
    for w, gi, hi, y in zip(wt, g, h, c, strict=True):
        wg, wh = w * gi, w * hi
        n += w
        sg += wg
        sh += wh
        sgg += wg * gi
        sgh += wg * hi
        shh += wh * hi
        b0 += w * y
        bg += wg * y
        bh += wh * y
    ata = [[n, -sg, sh], [-sg, sgg, -sgh], [sh, -sgh, shh]]
    atb = [b0, -bg, bh]
    for col, prior in ((2, kla), (1, r)):
        if prior is not None:
            ata[col][col] += prior.weight * n
            atb[col] += prior.weight * n * prior.value
    c0, r_h, kla_h = _solve(ata, atb)
    if kla_h < 0.0 or r_h < 0.0:
        # A bound is active: refit the rest with it held at zero.
        keep = [0, 1] if kla_h < 0.0 else [0, 2]
        sub = _solve([[ata[i][j] for j in keep] for i in keep], [atb[i] for i in keep])
        vals = [0.0, 0.0, 0.0]
        for i, v in zip(keep, sub, strict=True):
            vals[i] = v
        c0, r_h, kla_h = vals
        if r_h < 0.0 or kla_h < 0.0:
            c0, r_h, kla_h = math.fsum(c) / len(c), 0.0, 0.0
    resid = [y - (c0 - r_h * gi + kla_h * hi) for y, gi, hi in zip(c, g, h, strict=True)]
    rms = math.sqrt(sum(w * e * e for w, e in zip(wt, resid, strict=True)) / n)
    return NightFit(c[-1] - resid[-1], min(r_h, R_MAX), kla_h, k, rms), resid


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """``a · x = b`` for a small symmetric system: Gaussian elimination with partial
    pivoting. A singular system (a column the readings cannot tell from the others) holds
    that rate at 0 and solves for the rest."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    scale = max((abs(v) for row in a for v in row), default=0.0) or 1.0
    pivots: list[int] = []
    row = 0
    for col in range(n):
        p = max(range(row, n), key=lambda i: abs(m[i][col]), default=None)
        if p is None or abs(m[p][col]) <= 1e-12 * scale:
            continue
        m[row], m[p] = m[p], m[row]
        for i in range(n):
            if i != row and m[i][col] != 0.0:
                f = m[i][col] / m[row][col]
                m[i] = [vi - f * vr for vi, vr in zip(m[i], m[row], strict=True)]
        pivots.append(col)
        row += 1
    x = [0.0] * n
    for i, col in enumerate(pivots):
        x[col] = m[i][n] / m[i][col]
    return x


def project(fit: NightFit, hours: float) -> float:
    """The lowest DO (mg/L) the fitted night reaches within ``hours`` from its end."""
    c, low, left = fit.c_end, fit.c_end, hours
    r, kla, k = fit.r_mgl_h, fit.kla_h, fit.k_mgl
    while left > 1e-9:
        dt = min(STEP_H, left)
        # Midpoint (RK2) steps: the decline bends within an hour near K.
        k1 = -r * c / (k + c) + kla * (CS_MGL - c)
        cm = max(c + 0.5 * dt * k1, 0.0)
        k2 = -r * cm / (k + cm) + kla * (CS_MGL - cm)
        c = max(c + dt * k2, 0.0)
        low = min(low, c)
        left -= dt
    return low


def predict(fit: NightFit, x_h: Series, c: Series) -> list[float]:
    """The fitted model's DO at hours ``x_h`` after the fit's end, stepped along the
    observed readings ``c`` (one-step form: each gap uses the readings it spans)."""
    out: list[float] = []
    level = fit.c_end
    prev_x, prev_c = 0.0, fit.c_end
    for x, ci in zip(x_h, c, strict=True):
        dt = x - prev_x
        mid = max(0.5 * (prev_c + ci), 0.0)
        level += dt * (-fit.r_mgl_h * mid / (fit.k_mgl + mid) + fit.kla_h * (CS_MGL - mid))
        out.append(level)
        prev_x, prev_c = x, ci
    return out
