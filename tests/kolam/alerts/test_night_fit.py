"""The pure-Python night fit against the numpy formulation it replaced, on random stretches,
and the forecast loading no numpy (ingest imports it)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from kolam.alerts.night_fit import (
    CS_MGL,
    HALF_LIFE_H,
    K_GRID_MGL,
    R_MAX,
    STILL_WATER,
    Prior,
    ensemble,
    ensemble_stretches,
    fit_night,
    fit_stretches,
    predict,
)


def _np_fit_k(x: np.ndarray, c: np.ndarray, kla: Prior, r: Prior | None,
              k: float) -> tuple[float, float, float, float, np.ndarray]:
    """The numpy version (weighted normal equations, ``np.linalg.solve``)."""
    def cumtrapz(y: np.ndarray) -> np.ndarray:
        out = np.zeros_like(y)
        out[1:] = np.cumsum((y[1:] + y[:-1]) * np.diff(x) / 2.0)
        return out

    g, h = cumtrapz(c / (k + c)), cumtrapz(CS_MGL - c)
    wt = np.exp((x - x[-1]) * (math.log(2.0) / HALF_LIFE_H))
    n = float(wt.sum())
    a = np.column_stack((np.ones_like(c), -g, h))
    ata = (a * wt[:, None]).T @ a
    atb = (a * wt[:, None]).T @ c
    for col, prior in ((2, kla), (1, r)):
        if prior is not None:
            ata[col, col] += prior.weight * n
            atb[col] += prior.weight * n * prior.value
    c0, r_h, kla_h = (float(v) for v in np.linalg.solve(ata, atb))
    if kla_h < 0.0 or r_h < 0.0:
        keep = [0, 1] if kla_h < 0.0 else [0, 2]
        sub = np.linalg.solve(ata[np.ix_(keep, keep)], atb[keep])
        vals = [0.0, 0.0, 0.0]
        for i, v in zip(keep, sub, strict=True):
            vals[i] = float(v)
        c0, r_h, kla_h = vals
        if r_h < 0.0 or kla_h < 0.0:
            c0, r_h, kla_h = float(c.mean()), 0.0, 0.0
    resid = c - (c0 - r_h * g + kla_h * h)
    rms = float(np.sqrt(np.average(resid ** 2, weights=wt)))
    return float(c[-1] - resid[-1]), min(r_h, R_MAX), kla_h, rms, resid


def _stretch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random night stretch: 10–240 one-minute readings of a decline (or a level or
    rising one), with probe noise and a few missing readings."""
    n = int(rng.integers(10, 240))
    x = np.sort(rng.choice(np.arange(n + 20), n, replace=False)).astype(float) / 60.0
    x -= x[-1]
    r, k, kla = rng.uniform(0.0, 2.0), rng.uniform(0.3, 10.0), rng.uniform(0.0, 0.5)
    c = np.empty(n)
    level = rng.uniform(1.0, 12.0)
    for i in range(n):
        if i:
            dt = x[i] - x[i - 1]
            level = max(level + dt * (-r * level / (k + level) + kla * (CS_MGL - level)), 0.0)
        c[i] = level
    return x, np.maximum(c + rng.normal(0.0, rng.uniform(0.01, 0.3), n), 0.0)


PRIORS = [(STILL_WATER, None), (Prior(0.0, 0.01), Prior(0.8, 5.0)), (Prior(0.04, 1000.0), None)]


@pytest.mark.parametrize("seed", range(40))
def test_the_fit_equals_the_numpy_solve(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, c = _stretch(rng)
    for kla, r in PRIORS:
        for k in K_GRID_MGL:
            want = _np_fit_k(x, c, kla, r, k)
            fit, resid = fit_night(x.tolist(), c.tolist(), kla, r, k)
            got = (fit.c_end, fit.r_mgl_h, fit.kla_h, fit.rms_mgl)
            assert got == pytest.approx(want[:4], abs=1e-6, rel=1e-9), (kla, r, k)
            assert np.allclose(resid, want[4], atol=1e-6, rtol=0)


@pytest.mark.parametrize("seed", range(10))
def test_the_ensemble_weights_and_the_prediction_equal_numpy(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    x, c = _stretch(rng)
    members = ensemble(x.tolist(), c.tolist())
    fits = [_np_fit_k(x, c, STILL_WATER, None, k) for k in K_GRID_MGL]
    n = float(np.exp((x - x[-1]) * (math.log(2.0) / HALF_LIFE_H)).sum())
    sse = np.array([f[3] ** 2 for f in fits]) * n
    w = np.exp(-(sse - sse.min()) / (2.0 * 3.0 * max(float(sse.min()) / n, 0.05 ** 2)))
    w /= w.sum()
    assert [m[0] for m in members] == pytest.approx(w.tolist(), abs=1e-6)
    fit = members[0][1]
    ahead = np.arange(1, 31) / 60.0
    level, prev, want = fit.c_end, fit.c_end, []
    for xi, ci in zip(np.diff(np.concatenate(([0.0], ahead))), c[:30], strict=False):
        mid = max(0.5 * (prev + ci), 0.0)
        level += xi * (-fit.r_mgl_h * mid / (fit.k_mgl + mid) + fit.kla_h * (CS_MGL - mid))
        want.append(level)
        prev = ci
    got = predict(fit, ahead[:len(want)].tolist(), c[:len(want)].tolist())
    assert got == pytest.approx(want, abs=1e-9)


def test_a_singular_stretch_still_gives_an_answer() -> None:
    # Every reading equal: the columns cannot be told apart; no exception, a level fit.
    fit, resid = fit_night([i / 60.0 - 1.0 for i in range(61)], [5.0] * 61, k_mgl=1.0)
    assert fit.c_end == pytest.approx(5.0, abs=0.05) and max(map(abs, resid)) < 0.05


def test_the_forecast_loads_no_numpy() -> None:
    code = ("import sys; import kolam.alerts.forecast, kolam.alerts.night_fit; "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def _decline(c0: float, hours: float, r: float, k: float, kla: float) -> list[float]:
    c, out = c0, []
    for _ in range(int(hours * 60)):
        out.append(c)
        c += (-r * c / (k + c) + kla * (CS_MGL - c)) / 60.0
    return out


def test_two_stretches_of_one_pond_share_its_respiration() -> None:
    # An evening without air from 9 mg/L, then (after three aerated hours) ten minutes
    # since a power cut from 5.4 mg/L: fitted together, the K the pond really has gives
    # the best fit and R comes back; the ten minutes alone cannot say R.
    evening = _decline(9.0, 2.0, r=1.2, k=1.0, kla=0.04)
    since = _decline(5.4, 10 / 60, r=1.2, k=1.0, kla=0.04)
    x_e = [-(3.0 + (len(evening) - i) / 60) for i in range(len(evening))]
    x_s = [-(len(since) - 1 - i) / 60 for i in range(len(since))]
    fit, resid, _, _ = fit_stretches([(x_e, evening, STILL_WATER), (x_s, since, STILL_WATER)],
                                     1.0)
    assert fit.r_mgl_h == pytest.approx(1.2, rel=0.02)
    assert fit.c_end == pytest.approx(since[-1], abs=0.01)
    assert len(resid) == len(since) and max(map(abs, resid)) < 0.01
    members = ensemble_stretches([(x_e, evening, STILL_WATER), (x_s, since, STILL_WATER)])
    assert sum(w for w, _, _ in members) == pytest.approx(1.0)
    alone = fit_night(x_s, since, STILL_WATER, None, 1.0)[0]
    assert abs(alone.r_mgl_h - 1.2) > abs(fit.r_mgl_h - 1.2)


def test_a_rate_the_stretches_drive_negative_is_held_at_zero() -> None:
    # Two level stretches with DO above saturation: no respiration, no negative kLa.
    x = [-(i / 60) for i in range(30, 0, -1)]
    fit, _, _, _ = fit_stretches([(x, [9.0] * 30, STILL_WATER), (x, [9.0] * 30, STILL_WATER)],
                                 1.0)
    assert fit.r_mgl_h >= 0.0 and fit.kla_h >= 0.0
