"""The dawn DO forecast on hand-built nights: accuracy, reaction to a change, honesty."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest

from kolam.alerts.forecast import DAYTIME, DawnEstimate, DawnForecast
from kolam.alerts.night_fit import fit_dawn
from kolam.science.sun import last_sunset_ms, next_sunrise_ms

H = 3_600_000
MIN = 60_000
# 2025-11-10, Serang: the night after the sunset before 21:00 WIB (14:00Z).
DUSK = last_sunset_ms(1_762_783_200_000)
SUNRISE = next_sunrise_ms(DUSK)


def wib(hour: float) -> int:
    """Epoch ms of ``hour`` WIB on the night of DUSK (24.5 = 00:30 the next day)."""
    midnight = (DUSK + 7 * H) // (24 * H) * (24 * H) - 7 * H
    return int(midnight + hour * H)


def night(aerator: Callable[[float], float] = lambda h: 0.0, c_dusk: float = 9.0,
          r: float = 0.75, k: float = 1.5, kla: float = 0.03, noise: float = 0.08,
          seed: int = 1) -> tuple[list[int], list[float], list[float]]:
    """One-minute readings from 16:00 WIB to sunrise + 1 h of dC/dt = −R·C/(K+C) +
    (kLa + aerator(hour))·(7.8 − C), with AR(1) probe noise: (t, observed, true)."""
    rng = np.random.default_rng(seed)
    ts = list(range(wib(16.0), SUNRISE + H, MIN))
    c, err, obs, true = c_dusk, 0.0, [], []
    for t in ts:
        hour = (t - wib(0.0)) / H
        if t > DUSK:
            c += (-r * c / (k + c) + (kla + aerator(hour)) * (7.8 - c)) / 60.0
        err = 0.6 * err + rng.normal(0.0, noise * 0.8)
        true.append(c)
        obs.append(round(c + err, 2))
    return ts, obs, true


def run(ts: list[int], vs: list[float]) -> tuple[DawnForecast, dict[int, DawnEstimate]]:
    """Feed in 5-minute batches; the estimate after each batch, by batch end time."""
    fc = DawnForecast()
    seen: dict[int, DawnEstimate] = {}
    for i in range(0, len(ts), 5):
        fc.add_many(ts[i:i + 5], vs[i:i + 5])
        if fc.estimate is not None:
            seen[ts[min(i + 4, len(ts) - 1)]] = fc.estimate
    return fc, seen


def at(seen: dict[int, DawnEstimate], t: int) -> DawnEstimate:
    return seen[max(k for k in seen if k <= t)]


def true_min(ts: list[int], true: list[float]) -> float:
    return min(v for t, v in zip(ts, true, strict=True) if DUSK <= t <= SUNRISE + H)


def test_day_wait_then_forecast() -> None:
    ts, obs, _ = night()
    _, seen = run(ts, obs)
    assert at(seen, wib(17.0)).state == "day"
    assert at(seen, DUSK + 60 * MIN).state == "wait"
    est = at(seen, wib(22.0))
    assert est.state == "forecast" and est.do_mgl is not None
    assert est.sunrise_ms == SUNRISE and est.points > 100 and est.method == "night-balance"


@pytest.mark.parametrize(("r", "k"), [(0.75, 1.5), (0.5, 0.4), (1.0, 8.0)])
def test_a_steady_night_is_forecast_closer_as_dawn_nears(r: float, k: float) -> None:
    ts, obs, true = night(r=r, k=k)
    _, seen = run(ts, obs)
    lowest = true_min(ts, true)
    # Seven hours ahead the shape of the decline is still a guess; less so later.
    for hour, within in ((22.0, 0.75), (24.0, 0.65), (26.0, 0.4)):
        est = at(seen, wib(hour))
        assert est.state == "forecast" and est.do_mgl is not None
        assert abs(est.do_mgl - lowest) <= within, (hour, est.do_mgl, lowest)


def _off_at(hour: float, on: float = 22.0, kla: float = 0.45) -> Callable[[float], float]:
    return lambda h: kla if on <= h < hour else 0.0


def test_an_aerator_failing_at_0100_is_seen_within_30_minutes() -> None:
    # A dense pond that lives on its aerator from 22:00; it fails at 01:00.
    ts, obs, true = night(_off_at(25.0), r=1.2, k=1.0)
    _, seen = run(ts, obs)
    lowest = true_min(ts, true)
    before = at(seen, wib(25.0))
    assert lowest < 2.0 and before.do_mgl is not None and before.do_mgl > 3.0
    after = at(seen, wib(25.5))
    assert after.state == "forecast" and after.do_mgl is not None
    assert after.do_mgl < 2.0 and abs(after.do_mgl - lowest) < 0.7
    assert after.regime_start_ms is not None and abs(after.regime_start_ms - wib(25.0)) < 20 * MIN


def test_an_aerator_started_mid_night_lifts_the_forecast_within_30_minutes() -> None:
    ts, obs, true = night(lambda h: 0.5 if h >= 24.0 else 0.0, r=1.0, k=1.0, c_dusk=8.0)
    _, seen = run(ts, obs)
    before = at(seen, wib(24.0))
    assert before.do_mgl is not None and before.do_mgl < 1.5
    after = at(seen, wib(24.5))
    assert after.do_mgl is not None and after.do_mgl > before.do_mgl + 1.0
    assert abs(after.do_mgl - true_min(ts, true)) < 1.0


def test_the_do_forecast_signal_reaches_the_rule() -> None:
    ts, obs, _ = night(_off_at(25.0), r=1.2, k=1.0)
    fc = DawnForecast()
    out = fc.add_many(ts, obs)
    assert any(v == DAYTIME for _, v, _ in out)
    night_values = [(t, v) for t, v, _ in out if v != DAYTIME]
    # Aerated from 22:00 (the rule needs 30 min below 2 mg/L: the dip at 22:00 is short).
    assert min(v for t, v in night_values if wib(22.75) < t < wib(25.0)) > 2.5
    assert min(v for t, v in night_values if t > wib(25.5)) < 2.0


def test_do_rising_for_hours_after_dusk_is_unreliable() -> None:
    # A stratified pond: the night mixes supersaturated water up for three hours.
    ts, obs, _ = night()
    rng = np.random.default_rng(3)
    mixed = [v + (1.5 * min(max((t - DUSK) / H, 0.0), 3.0) if t > DUSK else 0.0)
             + rng.normal(0, 0.02) for t, v in zip(ts, obs, strict=True)]
    _, seen = run(ts, mixed)
    est = at(seen, wib(21.0))
    assert est.state == "unreliable" and est.do_mgl is None
    assert est.reason is not None and "rising" in est.reason


def test_an_erratic_probe_is_unreliable() -> None:
    ts, obs, _ = night()
    rng = np.random.default_rng(4)
    loose = [float(rng.choice([0.0, 15.0])) if t > wib(21.0) and rng.random() < 0.5 else v
             for t, v in zip(ts, obs, strict=True)]
    _, seen = run(ts, loose)
    est = at(seen, wib(23.0))
    assert est.state == "unreliable" and est.reason is not None and "erratic" in est.reason
    # ... and gives the alert rule nothing to act on while it is.
    assert not [v for t, v, _ in DawnForecast().add_many(ts, loose) if wib(23.0) <= t < SUNRISE]


def test_a_sudden_drop_that_recovers_is_an_artefact_not_a_crash() -> None:
    ts, obs, true = night()
    dropped = [v - 2.5 if wib(23.0) <= t < wib(23.4) else v for t, v in zip(ts, obs, strict=True)]
    _, seen = run(ts, dropped)
    during = at(seen, wib(23.2))
    assert during.state == "unreliable"
    assert during.reason is not None and "sudden drop" in during.reason
    # Once readings have settled again the forecast comes back, unmoved by the artefact.
    later = at(seen, wib(25.0))
    assert later.state == "forecast" and later.do_mgl is not None
    assert abs(later.do_mgl - true_min(ts, true)) < 0.6


def test_an_engine_sized_night_is_cheap() -> None:
    ts, obs, _ = night()
    started = time.process_time()
    DawnForecast().add_many(ts, obs)
    # ~1,000 readings and ~140 fits: a small fraction of a second of CPU per pond-night.
    assert time.process_time() - started < 1.0


def test_madenjian_exponential_reference() -> None:
    pts = [(i * MIN, 6.0 * 0.5 ** (i / 180)) for i in range(181)]
    assert fit_dawn(pts, 360 * MIN) == pytest.approx(1.5, rel=0.02)
    assert fit_dawn([(0, 3.0), (MIN, 3.2), (2 * MIN, 3.4)], 60 * MIN) == 3.4


def test_a_level_night_under_blowers_is_forecast_at_its_level() -> None:
    # Blowers all night hold DO where respiration meets aeration (0.6·C/(1+C) = 0.15·(7.8 −
    # C) at C ≈ 4.5): a decline projected from the noise would forecast a crash.
    ts, obs, true = night(lambda h: 0.12, c_dusk=4.5, r=0.6, k=1.0)
    _, seen = run(ts, obs)
    lowest = true_min(ts, true)
    for hour in (20.0, 22.0, 24.0):
        est = at(seen, wib(hour))
        assert est.state == "forecast" and est.do_mgl is not None
        assert abs(est.do_mgl - lowest) <= 0.25, (hour, est.do_mgl, lowest)
