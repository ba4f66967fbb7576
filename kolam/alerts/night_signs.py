"""What a night's DO readings say apart from the fit: single spikes, sudden jumps, the
probe's scatter, a bend away from the regime's model, a level stretch.

The dawn forecast (``kolam.alerts.forecast``) asks these before it trusts a fit: a jump
no pond's oxygen can make is a probe artefact, a bend is a new regime (an aerator
switched, a power cut), a level hour is a night held by blowers.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from kolam.alerts.night_fit import CS_MGL, NightFit, Series

_H_MS = 3_600_000
_MIN_MS = 60_000

JUMP_MGL = 2.0
"""A change this large within ``JUMP_MS`` is a probe artefact: night respiration takes
0.3–1.5 mg/L an hour and an aerator gives back less (DOMAIN.md, real-pond loggers)."""
JUMP_MS = 15 * _MIN_MS
MIN_BEND_MGL_H = 0.5
"""A change of regime bends the decline by at least this (mg/L/h): an aerator moves
kLa·(Cs − C) by ~0.5–2 mg/L/h; less is drift the regime's own fit follows."""
BREAK_SCORE = 15.0
"""A change of regime must explain this many noise variances of squared error."""
HINGE_BACK_H = 40 / 60
"""A bend is looked for this far back (h) from the newest reading."""
NOISE_FLOOR_MGL = 0.1
"""The least uncertainty a reading's level carries (mg/L) however smooth the series: a
galvanic or optical probe's drift, temperature compensation and fouling wander by about
this much over an hour (DOMAIN.md, sensors)."""


FLAT_SIGMAS = 2.0
"""The night is level when the last hour's decline is within this many standard errors of
none (the standard error counting the probe's minute-to-minute correlated noise)."""


def flat(x: Series, c: Series, members: list[tuple[float, NightFit, list[float]]]) -> bool:
    """Whether the regime's last hour is level within noise, its fitted rate now too."""
    i = bisect_left(x, -1.0)
    if len(x) - i < 20:
        return False
    xh, ch = x[i:], c[i:]
    slope, icpt, sxx = line(xh, ch)
    resid = [ci - (slope * xi + icpt) for xi, ci in zip(xh, ch, strict=True)]
    mean = sum(resid) / len(resid)
    std = math.sqrt(sum((e - mean) ** 2 for e in resid) / len(resid))
    noise = max(std, NOISE_FLOOR_MGL / 2)
    # Correlated readings: a third as many independent ones (as ``bend`` counts them).
    se = noise * math.sqrt(3.0 / sxx)
    fitted = sum(w * rate(f) for w, f, _ in members)
    return abs(slope) < FLAT_SIGMAS * se and abs(fitted) < FLAT_SIGMAS * se


def line(x: Series, y: Series) -> tuple[float, float, float]:
    """Least-squares straight line: (slope, intercept, Σ(x − x̄)²)."""
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((xi - mx) ** 2 for xi in x)
    sxy = sum((xi - mx) * (yi - my) for xi, yi in zip(x, y, strict=True))
    slope = sxy / sxx if sxx else 0.0
    return slope, my - slope * mx, sxx


def rate(f: NightFit) -> float:
    """The fitted model's dC/dt (mg/L/h) at its end."""
    c = f.c_end
    return -f.r_mgl_h * c / (f.k_mgl + c) + f.kla_h * (CS_MGL - c)


def despike(c: list[float]) -> list[float]:
    """Single readings off their neighbours' median by more than 1 mg/L replaced by it."""
    if len(c) < 5:
        return c
    pad = c[:2] + c + c[-2:]
    out = []
    for i, v in enumerate(c):
        med = sorted(pad[i:i + 5])[2]
        out.append(med if abs(v - med) > 1.0 else v)
    return out


def scatter(c: Series) -> float:
    """Robust reading-to-reading noise (mg/L): the median absolute first difference,
    scaled to a standard deviation of one reading."""
    d = [abs(b - a) for a, b in pairwise(c)]
    return median(d) * 1.4826 / math.sqrt(2.0) if d else 0.0


def slope_h(t: Sequence[int], c: Series) -> float:
    return line([(ti - t[-1]) / _H_MS for ti in t], c)[0]


def jump(t: Sequence[int], c: Series, since: int) -> tuple[int, float] | None:
    """The latest change of ≥ ``JUMP_MGL`` within ``JUMP_MS`` after ``since``: (time, size)."""
    i0 = bisect_left(t, since)
    t, c = t[i0:], c[i0:]
    if len(t) < 3:
        return None
    found: tuple[int, float] | None = None
    j = 0
    for i in range(1, len(t)):
        while t[i] - t[j] > JUMP_MS:
            j += 1
        if i - j < 1:
            continue
        window = c[j:i]
        hi, lo = max(window), min(window)
        if hi - c[i] >= JUMP_MGL:
            found = (int(t[i]), c[i] - hi)
        elif c[i] - lo >= JUMP_MGL:
            found = (int(t[i]), c[i] - lo)
    return found


def bend(x: Series, t: Sequence[int], resid: Series, n_new: int, rms: float) -> int | None:
    """Where the residuals bend away from zero (a hinge), if the bend is beyond noise.

    The newest ``n_new`` residuals are predictions, not fitted. Over the last hour, the
    hinge residual = a · (x − hinge)⁺ (hinge in the last ``HINGE_BACK_H``) that best
    explains them must remove more squared
    error than ``BREAK_SCORE`` times the regime's noise, bend by ``MIN_BEND_MGL_H`` or
    more, and the newest readings must lie on its side."""
    if n_new < 10:
        return None
    # Probe noise is correlated from minute to minute (a reading's error lasts a few
    # readings): count it three times over.
    noise2 = 3.0 * max(rms, NOISE_FLOOR_MGL) ** 2
    i = bisect_left(x, x[-1] - 1.0)
    xh, rh, th = x[i:], resid[i:], t[i:]
    best, best_gain = None, BREAK_SCORE * noise2
    signs = sum((r > 0.0) - (r < 0.0) for r in rh[-5:])
    # A change the prediction caught began in the tested stretch or just before it.
    first = bisect_left(xh, x[-1] - HINGE_BACK_H)
    for k in range(first, len(xh) - 6, 2):
        x0 = xh[k]
        dd = dr = 0.0
        for xi, ri in zip(xh[k + 1:], rh[k + 1:], strict=True):
            d = xi - x0
            if d > 0.0:
                dd += d * d
                dr += d * ri
        if dd <= 0.0:
            continue
        a, gain = dr / dd, dr * dr / dd
        if gain > best_gain and abs(a) >= MIN_BEND_MGL_H and signs * math.copysign(1.0, a) >= 3.0:
            best, best_gain = int(th[k]), gain
    return best
