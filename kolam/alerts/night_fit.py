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
_H_MS = 3_600_000
_MIN_DO = 0.05

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


# ------------------------------------------------------------------ two stretches, one pond

Stretch = tuple[Series, Series, Prior]
"""Readings of one regime: hours (ascending, relative to the same "now" as the others), DO
(mg/L), and the pull on its kLa (still water for an unaerated stretch, a weak one for an
aerator's)."""


def fit_stretches(stretches: Sequence[Stretch],
                  k: float) -> tuple[NightFit, list[float], float, float]:
    """One respiration ``R`` (half-saturation ``k``) fitted to several stretches of the same
    night, each with its own start level and its own kLa: (the fit of the last stretch,
    its residuals, the weighted squared error of all, the sum of weights).

    An aerator changes kLa, not what the pond breathes. After a confirmed stop the short
    stretch since it cannot say how the decline will bend as DO falls (K) nor, for some
    minutes, how steep it is (R); the evening before the aerator started, without air, can.
    Fitted together they share R and K, so the forecast after a power cut follows the
    evening's decline from the level the aerator left (issue #14)."""
    n_s = len(stretches)
    cols = 2 * n_s + 1  # C0 of each, R, kLa of each
    ata = [[0.0] * cols for _ in range(cols)]
    atb = [0.0] * cols
    rows: list[tuple[float, list[tuple[int, float]], float]] = []
    weight_sum = 0.0
    for s, (x_h, c, kla) in enumerate(stretches):
        cc = [max(v, 0.0) for v in c]
        g = _cumtrapz([v / (k + v) for v in cc], x_h)
        h = _cumtrapz([CS_MGL - v for v in cc], x_h)
        # Recent readings count more within a stretch, but an earlier stretch is not worth
        # less for being earlier: it is the same pond's breathing, seen over more hours.
        wt = _weights(x_h)
        n_w = math.fsum(wt)
        weight_sum += n_w
        col_c0, col_kla = s, n_s + 1 + s
        for w, gi, hi, y in zip(wt, g, h, cc, strict=True):
            rows.append((w, [(col_c0, 1.0), (n_s, -gi), (col_kla, hi)], y))
        ata[col_kla][col_kla] += kla.weight * n_w
        atb[col_kla] += kla.weight * n_w * kla.value
    for w, terms, y in rows:
        for i, ai in terms:
            atb[i] += w * ai * y
            for j, aj in terms:
                ata[i][j] += w * ai * aj
    rates = list(range(n_s, cols))
    free = list(range(cols))
    for _ in range(cols):
        sol = _solve([[ata[i][j] for j in free] for i in free], [atb[i] for i in free])
        x = [0.0] * cols
        for i, v in zip(free, sol, strict=True):
            x[i] = v
        negative = [i for i in rates if i in free and x[i] < 0.0]
        if not negative:
            break
        # A bound is active: hold the most negative rate at zero and refit the rest.
        free.remove(min(negative, key=lambda i: x[i]))
    sse = last_sse = last_w = 0.0
    resid: list[float] = []
    first_last = len(rows) - len(stretches[-1][0])
    for idx, (w, terms, y) in enumerate(rows):
        e = y - math.fsum(a * x[i] for i, a in terms)
        sse += w * e * e
        if idx >= first_last:
            last_sse += w * e * e
            last_w += w
            resid.append(e)
    c_last = max(stretches[-1][1][-1], 0.0)
    fit = NightFit(c_last - resid[-1], min(x[n_s], R_MAX), x[cols - 1], k,
                   math.sqrt(last_sse / last_w) if last_w else 0.0)
    return fit, resid, sse, weight_sum


def ensemble_stretches(
        stretches: Sequence[Stretch]) -> list[tuple[float, NightFit, list[float]]]:
    """``fit_stretches`` for each of ``K_GRID_MGL``, weighted as ``ensemble`` weighs them
    (by how well each explains all the stretches): (weight, fit of the last stretch, its
    residuals)."""
    fits = [fit_stretches(stretches, k) for k in K_GRID_MGL]
    best = min(f[2] for f in fits)
    n = fits[0][3]
    noise2 = 3.0 * max(best / n, 0.05 ** 2)
    w = [math.exp(-(sse - best) / (2.0 * noise2)) for _, _, sse, _ in fits]
    total = math.fsum(w)
    return [(wi / total, f, res) for wi, (f, res, _, _) in zip(w, fits, strict=True)]


def fit_dawn(points: Sequence[tuple[int, float]], sunrise_ms: int) -> float:
    """DO (mg/L) at ``sunrise_ms`` from the exponential fitted to ``points`` (t ms, DO),
    Madenjian (1987). A rising or flat night predicts no lower than the last reading."""
    n = len(points)
    xs = [(t - points[-1][0]) / _H_MS for t, _ in points]
    ys = [math.log(max(v, _MIN_DO)) for _, v in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    last = points[-1][1]
    if slope >= 0:
        return last
    hours = (sunrise_ms - points[-1][0]) / _H_MS
    return min(last, math.exp(my - slope * mx + slope * hours))


def regime_fit(points: Sequence[tuple[int, float]]) -> NightFit:
    """The night model fitted to ``points`` (t ms, DO) as one regime (for plots and tests)."""
    last = points[-1][0]
    fit, _ = fit_night([(t - last) / _H_MS for t, _ in points], [v for _, v in points])
    return fit
