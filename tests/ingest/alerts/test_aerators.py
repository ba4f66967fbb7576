"""Relay states through the alert engine: the forecast told its aerators, and a failed
aerator's own critical alert."""

from __future__ import annotations

from ingest.alerts.aerators import AeratorWatch
from ingest.alerts.engine import AlertEngine
from kolam.alerts.aerators import failure
from kolam.alerts.messages import AlertView, render
from kolam.alerts.model import Transition
from kolam.config import AlertsConfig, ControlLoop
from kolam.protocol import DeviceRef, OutputState, RelayState
from kolam.store.base import Row, SeriesKey
from tests.kolam.alerts.test_forecast import MIN, night, wib

RELAY = DeviceRef("serang", "kolam-1", "relay-1")
KEY = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
LOOP = ControlLoop.model_validate(
    {"pond": "kolam-1", "output": "relay-1/aerator-1", "keep_on": "22:00-06:00"})


def state(on: bool, since: int, by: str, amps: float | None = None) -> RelayState:
    return RelayState({"aerator-1": OutputState(on, since, amps, by, None)})


def feed(engine: AlertEngine, ts: list[int], vs: list[float],
         states: list[tuple[int, RelayState]]) -> list[Transition]:
    """One-minute readings in 5-reading batches, each relay state in the batch that
    reaches its time (before the batch's readings, as ingest hands them over)."""
    out: list[Transition] = []
    pending = sorted(states, key=lambda s: s[0])
    for i in range(0, len(ts), 5):
        now = ts[min(i + 4, len(ts) - 1)]
        due = []
        while pending and pending[0][0] <= ts[i]:
            due.append((RELAY, pending.pop(0)[1], ts[i]))
        out += engine.outputs(due)
        rows: list[Row] = [(KEY, t, v) for t, v in zip(ts[i:i + 5], vs[i:i + 5], strict=True)]
        out += engine.evaluate(rows, [], [], now)
    return out


def _night() -> tuple[list[int], list[float], list[tuple[int, RelayState]]]:
    """A dense pond aerated from 22:00 (keep_on), a power cut at 01:00, back at 03:00."""
    ts, obs, _ = night(lambda h: 0.45 if 22.0 <= h < 25.0 or h >= 27.0 else 0.0,
                       r=1.2, k=1.0, c_dusk=7.0)
    states = [(ts[0], state(False, ts[0], "gateway:auto")),
              (wib(22.0), state(True, wib(22.0), "gateway:auto", 2.1)),
              (wib(25.0), state(False, wib(25.0), "local:power")),
              (wib(27.0), state(True, wib(27.0), "local:farmer", 2.0))]
    return ts, obs, states


def test_a_power_cut_at_night_is_critical_and_the_forecast_warns_at_once() -> None:
    ts, obs, states = _night()
    engine = AlertEngine(AlertsConfig(), aerators=AeratorWatch([LOOP]))
    out = feed(engine, ts, obs, states)
    failed = [t for t in out if t.rule == "aerator_failed"]
    assert [(t.change.value, t.severity.value, t.t) for t in failed] == [
        ("raised", "critical", wib(25.0)), ("resolved", "critical", wib(27.0))]
    assert failed[0].alert.key == "aerator_failed/relay-1/aerator-1"
    assert failed[0].device == "relay-1/aerator-1" and failed[0].detail == "power cut"
    forecast = [t for t in out if t.rule == "do_forecast" and t.change.value == "raised"]
    # Nothing in the evening (the 22:00 aerator is scheduled); after the cut within 30 min.
    assert forecast and all(t.t > wib(25.0) for t in forecast)
    assert forecast[0].t - wib(25.0) <= 30 * MIN, (forecast[0].t - wib(25.0)) / MIN


def test_blind_to_the_relay_the_same_night_is_warned_in_the_evening_and_late() -> None:
    ts, obs, _ = _night()
    out = feed(AlertEngine(AlertsConfig()), ts, obs, [])
    raised = [t.t for t in out if t.rule == "do_forecast" and t.change.value == "raised"]
    assert raised and raised[0] < wib(22.0)
    assert not [t for t in out if t.rule == "aerator_failed"]


def test_a_motor_drawing_no_current_by_day_is_a_warning() -> None:
    engine = AlertEngine(AlertsConfig(), aerators=AeratorWatch([LOOP]))
    noon = wib(12.0)
    out = engine.outputs([(RELAY, state(True, noon - 60 * MIN, "gateway:auto", 2.0), noon)])
    out += engine.outputs([(RELAY, state(True, noon - 60 * MIN, "gateway:auto", 0.0),
                            noon + MIN)])
    assert [(t.change.value, t.severity.value, t.t) for t in out] == [
        ("raised", "warning", noon + MIN)]
    assert "0 A < 0.2 A" in out[0].detail
    # A person switching it off is not a failure: the alert clears.
    out = engine.outputs([(RELAY, state(False, noon + 5 * MIN, "user:budi"), noon + 5 * MIN)])
    assert [t.change.value for t in out] == ["resolved"]


def test_outputs_that_are_not_aerators_are_not_watched() -> None:
    engine = AlertEngine(AlertsConfig(), aerators=AeratorWatch([LOOP]))
    lamp = RelayState({"lamp-1": OutputState(False, wib(23.0), None, "local:power", None)})
    assert engine.outputs([(RELAY, lamp, wib(23.0))]) == []
    assert failure(OutputState(False, 0, None, "local:power", None)) == "power cut"
    assert failure(OutputState(True, 0, 1.5, "gateway:auto", None)) is None


def test_the_message_says_which_aerator_in_both_languages() -> None:
    ts, obs, states = _night()
    engine = AlertEngine(AlertsConfig(), aerators=AeratorWatch([LOOP]))
    raised = next(t for t in feed(engine, ts, obs, states) if t.rule == "aerator_failed")
    view = opened_view(raised)
    subject_id, body_id = render(view, "opened", "id")
    subject_en, body_en = render(view, "opened", "en")
    assert "[KRITIS] Aerator relay-1/aerator-1 mati" in subject_id
    assert "[CRITICAL] Aerator relay-1/aerator-1 has stopped" in subject_en
    assert "cadangan" in body_id and "spare aerator" in body_en
    assert "batas" not in body_id and "limit" not in body_en


def opened_view(raised: Transition) -> AlertView:
    """The open alert a transition made, as the notifier renders it (a Serang pond)."""
    return AlertView(1, "serang", "kolam-1", raised.rule, raised.alert.key,
                     raised.severity.value, "open", raised.metric, raised.device,
                     raised.value, raised.unit, raised.threshold, raised.since, raised.t,
                     raised.detail, False)
