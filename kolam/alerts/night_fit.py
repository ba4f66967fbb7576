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
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

K_GRID_MGL = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
"""Half-saturations of night respiration (mg/L) the fit chooses from. Pond models put the
DO limitation of plankton, sediment and fish respiration at 0.5–1 mg/L (the simulator's
``firmware_sim/pond/params.py`` uses 0.5 and 1.0); Madenjian (1987) found real ponds
decline closer to exponentially (respiration ∝ DO, K ≫ C). The readings weigh them."""
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


def _cumtrapz(y: F64, x: F64) -> F64:
    out = np.zeros_like(y)
    out[1:] = np.cumsum((y[1:] + y[:-1]) * np.diff(x) / 2.0)
    return out


@dataclass(frozen=True, slots=True)
class Prior:
    """A ridge pull of one rate toward ``value``, ``weight`` per reading, in (mg/L)² of
    squared residual per unit² of the rate: the data overrule it as the stretch grows."""

    value: float
    weight: float


STILL_WATER = Prior(KLA_PRIOR_H, KLA_RIDGE)


def fit_night(x_h: F64, c: F64, kla: Prior = STILL_WATER, r: Prior | None = None,
              k_mgl: float | None = None) -> tuple[NightFit, F64]:
    """Fit R and kLa to readings ``c`` (mg/L) at hours ``x_h`` (ascending, ≥ 3 points)
    with the half-saturation ``k_mgl`` (else the best-weighted of ``K_GRID_MGL``); also
    the residuals (reading − model). ``kla`` and ``r`` pull the rates toward what is
    known (still water; the respiration before an aerator was switched)."""
    if k_mgl is not None:
        return _fit_k(x_h, np.maximum(c, 0.0), kla, r, k_mgl)
    return max(ensemble(x_h, c, kla, r), key=lambda wf: wf[0])[1:]


def ensemble(x_h: F64, c: F64, kla: Prior = STILL_WATER,
             r: Prior | None = None) -> list[tuple[float, NightFit, F64]]:
    """One fit per half-saturation in ``K_GRID_MGL``, each with its weight (summing to 1):
    a few hours of noisy readings rarely tell a straight decline from an exponential one,
    so the forecast averages what each foresees, weighted by how well each fits."""
    c = np.maximum(c, 0.0)
    fits = [_fit_k(x_h, c, kla, r, k) for k in K_GRID_MGL]
    n = float(np.exp((x_h - x_h[-1]) * (math.log(2.0) / HALF_LIFE_H)).sum())
    sse = np.array([f[0].rms_mgl ** 2 for f in fits]) * n
    # Readings' errors last a few minutes: count the noise variance three times over.
    noise2 = 3.0 * max(float(sse.min()) / n, 0.05 ** 2)
    w = np.exp(-(sse - sse.min()) / (2.0 * noise2))
    w /= w.sum()
    return [(float(wi), f, res) for wi, (f, res) in zip(w, fits, strict=True)]


def _fit_k(x_h: F64, c: F64, kla: Prior, r: Prior | None, k: float) -> tuple[NightFit, F64]:
    g = _cumtrapz(c / (k + c), x_h)
    h = _cumtrapz(CS_MGL - c, x_h)
    # Recent readings count more: the night's rates drift as the water cools and the
    # plankton tires, and the dawn is nearer the present than the dusk.
    wt = np.exp((x_h - x_h[-1]) * (math.log(2.0) / HALF_LIFE_H))
    n = float(wt.sum())
    # Columns (C0, R, kLa): C ≈ C0 − R·G + kLa·H.
    a = np.column_stack((np.ones_like(c), -g, h))
    ata = (a * wt[:, None]).T @ a
    atb = (a * wt[:, None]).T @ c
    for col, prior in ((2, kla), (1, r)):
        if prior is not None:
            ata[col, col] += prior.weight * n
            atb[col] += prior.weight * n * prior.value
    c0, r_h, kla_h = _solve(ata, atb)
    if kla_h < 0.0 or r_h < 0.0:
        # A bound is active: refit the rest with it held at zero.
        keep = [0, 1] if kla_h < 0.0 else [0, 2]
        sub = _solve(ata[np.ix_(keep, keep)], atb[keep])
        vals = [0.0, 0.0, 0.0]
        for i, v in zip(keep, sub, strict=True):
            vals[i] = v
        c0, r_h, kla_h = vals
        if r_h < 0.0 or kla_h < 0.0:
            c0, r_h, kla_h = float(c.mean()), 0.0, 0.0
    resid = c - (c0 - r_h * g + kla_h * h)
    rms = float(np.sqrt(np.average(resid ** 2, weights=wt)))
    return NightFit(float(c[-1] - resid[-1]), min(r_h, R_MAX), kla_h, k, rms), resid


def _solve(ata: F64, atb: F64) -> list[float]:
    try:
        return [float(v) for v in np.linalg.solve(ata, atb)]
    except np.linalg.LinAlgError:
        return [float(v) for v in np.linalg.lstsq(ata, atb, rcond=None)[0]]


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


def predict(fit: NightFit, x_h: F64, c: F64) -> F64:
    """The fitted model's DO at hours ``x_h`` after the fit's end, stepped along the
    observed readings ``c`` (one-step form: each gap uses the readings it spans)."""
    out = np.empty_like(c)
    level = fit.c_end
    prev_x, prev_c = 0.0, fit.c_end
    for i, (x, ci) in enumerate(zip(x_h, c, strict=True)):
        dt = x - prev_x
        mid = max(0.5 * (prev_c + ci), 0.0)
        level += dt * (-fit.r_mgl_h * mid / (fit.k_mgl + mid) + fit.kla_h * (CS_MGL - mid))
        out[i] = level
        prev_x, prev_c = x, ci
    return out
