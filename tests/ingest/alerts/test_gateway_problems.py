"""A gateway's "aerator not working" problems through the alert engine: ``aerator_failed``
raised once and cleared, whatever the relay says meanwhile and however often an event
arrives; the dawn forecast told the aerator moves no air."""

from __future__ import annotations

from itertools import count

from ingest.alerts.aerators import AeratorWatch
from ingest.alerts.engine import AlertEngine
from kolam.alerts.forecast import DawnForecast
from kolam.alerts.messages import render, short_text
from kolam.alerts.model import ActiveAlert, AlertKey, Severity, Transition
from kolam.config import AlertsConfig
from kolam.control import AeratorProblem
from kolam.protocol import DeviceRef, OutputState, RelayState
from tests.ingest.alerts.test_aerators import opened_view
from tests.kolam.alerts.test_forecast import MIN, wib

RELAY = DeviceRef("serang", "kolam-1", "relay-1")
KEY = "aerator_failed/relay-1/aerator-1"
_ids = count(1)


class Told(DawnForecast):
    """The forecast, recording what it is told of the aerators."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[int, bool, bool]] = []

    def aerator(self, t_ms: int, on: bool, failed: bool = False) -> None:
        self.told.append((t_ms, on, failed))
        super().aerator(t_ms, on, failed)


def problem(kind: str, raised: bool, t: int, **extra: object) -> AeratorProblem:
    return AeratorProblem(f"event-{next(_ids):04d}", "kolam-1", "relay-1", "aerator-1", kind,
                          raised, t, **extra)  # type: ignore[arg-type]


def running(since: int, amps: float = 2.1) -> RelayState:
    return RelayState({"aerator-1": OutputState(True, since, amps, "gateway:auto", "do_low")})


def engine_with_forecast() -> tuple[AlertEngine, Told]:
    engine = AlertEngine(AlertsConfig(), aerators=AeratorWatch())
    told = Told()
    engine._pond("serang", "kolam-1").forecast = told
    return engine, told


def changes(out: list[Transition]) -> list[tuple[str, str, int]]:
    return [(t.change.value, t.severity.value, t.t) for t in out if t.alert.key == KEY]


def test_do_still_falling_at_night_is_critical_once_and_clears() -> None:
    engine, told = engine_with_forecast()
    on = wib(1.0)
    assert engine.outputs([(RELAY, running(on), on)]) == []
    assert told.told[-1] == (on, True, False)
    raised = problem("do_still_falling", True, on + 20 * MIN, do_mgl=2.61,
                     switched_on_t=on, switched_on_do_mgl=2.9)
    out = engine.problems([("serang", raised, on + 21 * MIN)])
    assert changes(out) == [("raised", "critical", on + 20 * MIN)]
    assert out[0].detail == "do_still_falling: 2.90 -> 2.61 mg/L"
    assert out[0].device == "relay-1/aerator-1"
    assert told.told[-1] == (on + 20 * MIN, False, True)
    # The same event again (QoS 1 redelivery, the outbox's resend): nothing.
    assert engine.problems([("serang", raised, on + 22 * MIN)]) == []
    # The relay republishes its state (on, drawing current): the alert stays.
    assert engine.outputs([(RELAY, running(on, 2.0), on + 25 * MIN)]) == []
    assert told.told[-1][1:] == (False, True)
    cleared = problem("do_still_falling", False, on + 40 * MIN, do_mgl=3.2)
    assert changes(engine.problems([("serang", cleared, on + 41 * MIN)])) == [
        ("resolved", "critical", on + 40 * MIN)]
    assert told.told[-1] == (on + 40 * MIN, True, False)
    # The raise once more, after its clear: older than what was applied, nothing.
    assert engine.problems([("serang", raised, on + 45 * MIN)]) == []


def test_by_day_a_warning_and_an_unconfirmed_switch_off_is_never_critical() -> None:
    engine, told = engine_with_forecast()
    noon, night = wib(12.0) + 24 * 60 * MIN, wib(23.0)
    out = engine.problems([("serang", problem("no_current", True, noon), noon)])
    assert changes(out) == [("raised", "warning", noon)]
    assert told.told == [(noon, False, True)]
    engine2, told2 = engine_with_forecast()
    off = problem("not_confirmed", True, night, wanted=False)
    assert changes(engine2.problems([("serang", off, night)])) == [
        ("raised", "warning", night)]
    assert told2.told == [], "an unconfirmed command says nothing of the water"
    on = problem("not_confirmed", True, night + MIN, wanted=True)
    engine3, _ = engine_with_forecast()
    assert changes(engine3.problems([("serang", on, night + MIN)])) == [
        ("raised", "critical", night + MIN)]


def test_the_relays_failure_and_the_gateways_problem_are_one_alert() -> None:
    """A dead motor: the relay reports 0 A and the gateway ``no_current``; one alert,
    resolved only when both are over."""
    engine, _ = engine_with_forecast()
    on = wib(23.0)
    engine.outputs([(RELAY, running(on), on)])
    out = engine.outputs([(RELAY, running(on, 0.0), on + 5 * MIN)])
    out += engine.problems([("serang", problem("no_current", True, on + 4 * MIN),
                             on + 6 * MIN)])
    assert changes(out) == [("raised", "critical", on + 5 * MIN)]
    out = engine.outputs([(RELAY, running(on, 2.0), on + 7 * MIN)])
    assert changes(out) == [], "the gateway still holds its problem"
    out = engine.problems([("serang", problem("no_current", False, on + 7 * MIN),
                            on + 8 * MIN)])
    assert [c[0] for c in changes(out)] == ["resolved"]


def test_a_clear_after_an_ingest_restart_resolves_the_restored_alert() -> None:
    t = wib(2.0)
    restarted, _ = engine_with_forecast()
    restarted.restore([ActiveAlert(AlertKey("serang", "kolam-1", KEY), "aerator_failed",
                                   Severity.CRITICAL, t, t)])
    out = restarted.problems([("serang", problem("do_still_falling", False, t + 30 * MIN),
                               t + 31 * MIN)])
    assert [c[0] for c in changes(out)] == ["resolved"]


def test_the_message_says_why_in_both_languages() -> None:
    engine, _ = engine_with_forecast()
    t = wib(1.5)
    raised = engine.problems([("serang", problem(
        "do_still_falling", True, t, do_mgl=2.61, switched_on_do_mgl=2.9), t)])[0]
    view = opened_view(raised)
    subject_id, body_id = render(view, "opened", "id")
    subject_en, body_en = render(view, "opened", "en")
    assert "[KRITIS] Aerator relay-1/aerator-1 tidak bekerja" in subject_id
    assert "[CRITICAL] Aerator relay-1/aerator-1 is not working" in subject_en
    assert "Sebab: DO masih turun 20 menit setelah aerator menyala: 2.90 -> 2.61 mg/L" \
        in body_id
    assert "Why: DO still falling 20 minutes after the aerator started" in body_en
    sms = short_text({"rule": "aerator_failed", "event": "opened", "severity": "critical",
                      "pond": "kolam-1", "device": "relay-1/aerator-1",
                      "detail": raised.detail}, "id")
    assert sms.startswith("KRITIS kolam-1: Aerator relay-1/aerator-1: DO msh turun 20 mnt")
