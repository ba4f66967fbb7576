"""The dawn forecast told the aerators: a schedule, a confirmed switch, a failure."""

from __future__ import annotations

from collections.abc import Callable

from kolam.alerts.aerators import STOP_HOLD_S, AeratorPlan
from kolam.alerts.forecast import DawnEstimate, DawnForecast
from tests.kolam.alerts.test_forecast import DUSK, MIN, SUNRISE, at, night, true_min, wib

KEEP_ON = (22 * 60, 6 * 60)
Events = list[tuple[int, bool, bool]]


def _on_from(start: float, stop: float = 99.0, kla: float = 0.45) -> Callable[[float], float]:
    return lambda h: kla if start <= h < stop else 0.0


def run(ts: list[int], vs: list[float], events: Events = (),  # type: ignore[assignment]
        plan: AeratorPlan | None = None) -> tuple[DawnForecast, dict[int, DawnEstimate]]:
    """Feed in 5-minute batches, each relay event when the stream reaches it."""
    fc = DawnForecast(plan=plan)
    pending = sorted(events)
    seen: dict[int, DawnEstimate] = {}
    for i in range(0, len(ts), 5):
        while pending and pending[0][0] <= ts[i]:
            fc.aerator(*pending.pop(0))
        fc.add_many(ts[i:i + 5], vs[i:i + 5])
        if fc.estimate is not None:
            seen[ts[min(i + 4, len(ts) - 1)]] = fc.estimate
    return fc, seen


def test_the_keep_on_window_still_to_come_or_running() -> None:
    plan = AeratorPlan(KEEP_ON)
    assert plan.window_ms(wib(20.0), SUNRISE) == (wib(22.0), wib(30.0))
    assert plan.window_ms(wib(23.0), SUNRISE) == (wib(22.0), wib(30.0))
    # A window that ends at 02:00 leaves the dawn unaerated: no plan for the night.
    assert AeratorPlan((22 * 60, 2 * 60)).window_ms(wib(20.0), SUNRISE) is None
    assert AeratorPlan(None).window_ms(wib(20.0), SUNRISE) is None


def test_a_dense_pond_before_its_scheduled_aerator_is_not_warned() -> None:
    # Without its 22:00 aerator the pond would go below 2 mg/L before dawn: the evening
    # forecast, blind to the schedule, says so; told the schedule, it forecasts to 22:00.
    ts, obs, true = night(_on_from(22.0), r=1.2, k=1.0, c_dusk=7.0)
    assert true_min(ts, true) > 2.5
    _, blind = run(ts, obs)
    plain = at(blind, wib(21.0))
    assert plain.state == "forecast" and plain.do_mgl is not None and plain.do_mgl < 2.0
    events: Events = [(ts[0], False, False), (wib(22.0), True, False)]
    _, seen = run(ts, obs, events, AeratorPlan(KEEP_ON))
    evening = at(seen, wib(21.0))
    assert evening.state == "aerated" and evening.do_mgl is not None and evening.do_mgl > 3.0
    assert evening.reason is not None and "22:00" in evening.reason
    assert evening.why is not None and evening.why[1]["unaerated_mgl"] < 2.0
    aerated = at(seen, wib(23.0))
    assert aerated.state == "aerated" and aerated.do_mgl is not None and aerated.do_mgl > 2.5
    assert aerated.regime_start_ms is not None and aerated.regime_start_ms >= wib(22.0)


def test_a_confirmed_failure_refits_at_once_with_a_short_hold() -> None:
    ts, obs, true = night(_on_from(22.0, 25.0), r=1.2, k=1.0)
    assert true_min(ts, true) < 2.0
    events: Events = [(ts[0], False, False), (wib(22.0), True, False),
                      (wib(25.0), False, True)]
    fc, seen = run(ts, obs, events, AeratorPlan(KEEP_ON))
    before = at(seen, wib(25.0))
    assert before.state == "aerated" and before.do_mgl is not None and before.do_mgl > 3.0
    after = at(seen, wib(25.0) + 15 * MIN)
    assert after.state == "forecast" and after.do_mgl is not None and after.do_mgl < 2.0
    assert after.regime_start_ms is not None and after.regime_start_ms >= wib(25.0)
    # The night still running, a quarter of an hour after the failure: the rule's hold.
    cut = ts.index(wib(25.0) + 15 * MIN)
    fc, _ = run(ts[:cut], obs[:cut], events, AeratorPlan(KEEP_ON))
    assert fc.hold_s(1800.0) == STOP_HOLD_S
    # Blind to the relay the same night is not below 2 mg/L 15 minutes after the failure.
    _, blind = run(ts, obs)
    late = at(blind, wib(25.0) + 15 * MIN)
    assert late.do_mgl is None or late.do_mgl > 2.0


def test_a_control_loop_ends_the_fall_at_its_switch_on_level() -> None:
    # The loop switches the aerator on below 3 mg/L; while it is off the forecast
    # holds at that level, and says why.
    ts, obs, _ = night(r=1.2, k=1.0, c_dusk=7.0)
    events: Events = [(ts[0], False, False)]
    _, seen = run(ts, obs, events, AeratorPlan(None, do_on_mgl=3.0))
    est = at(seen, wib(21.0))
    assert est.state == "aerated" and est.do_mgl == 3.0
    assert est.why is not None and est.why[1]["do_on_mgl"] == 3.0
    # ...but not once the aerator has failed: then it is the unaerated night.
    _, failed = run(ts, obs, [(ts[0], True, False), (DUSK + 5 * MIN, False, True)],
                    AeratorPlan(None, do_on_mgl=3.0))
    gone = at(failed, wib(21.0))
    assert gone.state == "forecast" and gone.do_mgl is not None and gone.do_mgl < 2.0


def test_after_a_confirmed_stop_the_evening_says_how_the_pond_falls() -> None:
    # The 22:00 aerator cut at 01:00: the evening before it, without air, is the same
    # pond's breathing, so a forecast comes within minutes and follows the evening's
    # decline from the level the aerator left, steady until dawn (no new "regime" seen
    # in the fall itself).
    ts, obs, true = night(_on_from(22.0, 25.0), r=1.2, k=1.0)
    events: Events = [(ts[0], False, False), (wib(22.0), True, False),
                      (wib(25.0), False, True)]
    fc, seen = run(ts, obs, events, AeratorPlan(KEEP_ON))
    dawn = SUNRISE + fc.dawn_lag_ms
    first = min(t for t in seen if t >= wib(25.0) and seen[t].state == "forecast")
    assert first - wib(25.0) <= 10 * MIN
    # (Until the 4-hour window moves past the cut.)
    later = [seen[t] for t in seen if first <= t < wib(28.9)]
    for t in (first, wib(26.0), wib(27.5)):
        est = at(seen, t)
        truth = min(v for tt, v in zip(ts, true, strict=True) if t <= tt <= dawn)
        assert est.do_mgl is not None and abs(est.do_mgl - truth) < 0.6, (est, truth)
    assert all(e.regime_start_ms is not None and 0 <= e.regime_start_ms - wib(25.0) <= 2 * MIN
               for e in later)
    # Without the evening (the aerator ran from before dusk) the fit waits its 10 min.
    ts2, obs2, _ = night(_on_from(0.0, 25.0), r=1.2, k=1.0)
    _, seen2 = run(ts2, obs2, [(ts2[0], True, False), (wib(25.0), False, True)],
                   AeratorPlan(KEEP_ON))
    first2 = min(t for t in seen2 if t >= wib(25.0) and seen2[t].state == "forecast")
    assert first2 - wib(25.0) >= 10 * MIN
