"""The control loop's rules, one at a time (pure logic: gateway.control, gateway.controller)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.control import (
    CONFIRM_AFTER_S,
    FALLING_AFTER_MS,
    FLATLINE_MS,
    RESEND_AFTER_S,
    STATE_WAIT_S,
    Loop,
    Problem,
    Want,
    Why,
    do_fault_times,
    in_window,
)
from gateway.controller import Controller, control_topic
from kolam.config import ControlLoop, GatewayConfig
from kolam.protocol import (
    DeviceRef,
    OutputState,
    PondRef,
    Reason,
    Rejected,
    RelayState,
    Sample,
    decode_command,
    decode_telemetry,
)

WIB = timezone(timedelta(hours=7))
NIGHT = int(datetime(2026, 11, 20, 23, 0, tzinfo=WIB).timestamp() * 1000)
DAY = int(datetime(2026, 11, 21, 14, 0, tzinfo=WIB).timestamp() * 1000)
MIN = 60_000
RELAY = DeviceRef("serang", "kolam-1", "relay-1")
SENSOR = DeviceRef("serang", "kolam-1", "node-1")


def make_loop(start: int = DAY, **cfg: Any) -> Loop:
    c = ControlLoop.model_validate({"pond": "kolam-1", "output": "relay-1/aerator-1"} | cfg)
    return Loop(c, RELAY, ZoneInfo("Asia/Jakarta"), start, 0.0)


def on_since(t: int, amps: float | None = None) -> OutputState:
    return OutputState(True, t, amps)


def off_since(t: int) -> OutputState:
    return OutputState(False, t)


def test_hysteresis_between_do_on_and_do_off() -> None:
    loop = make_loop()
    loop.observe_state(off_since(DAY - 60 * MIN))
    loop.observe_do(DAY, 2.9)
    assert loop.decide(DAY, 1.0) == Want(True, Why.DO_LOW)
    loop.sent(Want(True, Why.DO_LOW), 1.0)
    loop.observe_state(on_since(DAY))
    for k, do in enumerate((3.5, 4.5, 5.0), 1):
        loop.observe_do(DAY + k * 11 * MIN, do)
        assert loop.decide(DAY + k * 11 * MIN, 2.0) is None  # in the band: as it is
    loop.observe_do(DAY + 40 * MIN, 5.1)
    assert loop.decide(DAY + 40 * MIN, 3.0) == Want(False, Why.DO_OK)


def test_motor_protection_min_on_and_min_off() -> None:
    loop = make_loop(min_on_s=600, min_off_s=300)
    loop.observe_state(on_since(DAY - 5 * MIN))
    loop.observe_do(DAY, 6.0)
    assert loop.decide(DAY, 1.0) is None  # on for 5 of its 10 minutes
    loop.observe_do(DAY + 5 * MIN, 6.0)
    assert loop.decide(DAY + 5 * MIN, 1.0) == Want(False, Why.DO_OK)
    loop.observe_state(off_since(DAY + 5 * MIN))
    loop.observe_do(DAY + 7 * MIN, 2.0)
    assert loop.decide(DAY + 7 * MIN, 2.0) is None  # resting 2 of 5 minutes
    loop.observe_do(DAY + 10 * MIN, 2.0)
    assert loop.decide(DAY + 10 * MIN, 2.0) == Want(True, Why.DO_LOW)


def test_keep_on_window_never_switches_off_at_night() -> None:
    loop = make_loop(start=NIGHT, keep_on="22:00-06:00")
    loop.observe_state(on_since(NIGHT - 120 * MIN))
    loop.observe_do(NIGHT, 7.0)
    assert loop.decide(NIGHT, 1.0) is None
    morning = NIGHT + 8 * 60 * MIN  # 07:00 WIB
    loop.observe_do(morning, 7.1)
    assert loop.decide(morning, 1.0) == Want(False, Why.DO_OK)
    tz = ZoneInfo("Asia/Jakarta")
    assert in_window((22 * 60, 6 * 60), NIGHT + 6 * 60 * MIN, tz)  # 05:00
    assert not in_window((22 * 60, 6 * 60), NIGHT + 7 * 60 * MIN, tz)  # 06:00
    assert in_window((9 * 60, 17 * 60), DAY, tz)


def test_a_silent_probe_switches_on() -> None:
    loop = make_loop(stale_after_s=600)
    loop.observe_state(off_since(DAY - 60 * MIN))
    assert loop.decide(DAY + 9 * MIN, 1.0) is None  # never heard, not yet stale
    assert loop.decide(DAY + 10 * MIN, 1.0) == Want(True, Why.STALE)
    loop.observe_do(DAY + 11 * MIN, 6.0)
    assert loop.decide(DAY + 12 * MIN, 1.0) is None
    assert loop.decide(DAY + 21 * MIN, 1.0) == Want(True, Why.STALE)


def test_a_faulty_probe_switches_on_like_a_silent_one() -> None:
    loop = make_loop()
    loop.observe_state(off_since(DAY - 60 * MIN))
    loop.observe_do(DAY, 6.0)
    loop.observe_fault(DAY + MIN)
    assert loop.decide(DAY + MIN, 1.0) == Want(True, Why.FAULT)
    loop.observe_do(DAY + 2 * MIN, 6.1)  # a good reading after the fault
    assert loop.want(DAY + 2 * MIN) == Want(False, Why.DO_OK)


def test_a_flatline_is_a_fault() -> None:
    loop = make_loop()
    loop.observe_state(off_since(DAY - 600 * MIN))
    for k in range(0, 91):
        loop.observe_do(DAY + k * MIN, 4.2)
    assert loop.do_t is not None and loop.flat is not None
    assert loop.do_t - loop.flat[0] >= FLATLINE_MS
    assert loop.decide(DAY + 90 * MIN, 1.0) == Want(True, Why.FAULT)


def test_faulty_do_values_are_read_from_the_rejections() -> None:
    payload = json.dumps({"v": 1, "seq": 1, "boot": 1, "samples": [
        {"t": DAY, "do_mgl": 31.0, "temp_c": 28.0}, {"t": DAY + MIN, "temp_c": 85.0},
        {"t": DAY + 2 * MIN, "do_mgl": -1}]}).encode()
    decoded = decode_telemetry(payload, DAY + 3 * MIN)
    assert do_fault_times(decoded.rejected) == [DAY, DAY + 2 * MIN]
    assert do_fault_times([Rejected(Reason.UNKNOWN_METRIC, "x", '{"t":1,"do_mgl2":1}')]) == []


def test_a_restart_waits_for_the_confirmed_state() -> None:
    loop = make_loop()
    loop.observe_do(DAY, 2.0)
    assert loop.decide(DAY, 1.0) is None  # the relay's state is not known yet
    loop.observe_state(on_since(DAY - 90 * MIN))
    assert loop.decide(DAY, 1.0) is None  # it is on already: nothing to do, never "all off"
    blind = make_loop()
    blind.observe_do(DAY, 2.0)
    assert blind.decide(DAY, STATE_WAIT_S) == Want(True, Why.DO_LOW)  # no state ever came


def test_unconfirmed_commands_are_resent_then_alarmed() -> None:
    loop = make_loop()
    loop.observe_state(off_since(DAY - 60 * MIN))
    loop.observe_do(DAY, 2.0)
    want = loop.decide(DAY, 0.0)
    assert want is not None
    loop.sent(want, 0.0)
    assert loop.decide(DAY, RESEND_AFTER_S - 1) is None
    assert loop.decide(DAY, RESEND_AFTER_S) == want
    loop.sent(want, RESEND_AFTER_S)
    assert loop.check(DAY, CONFIRM_AFTER_S - 1) == set()
    assert loop.check(DAY, CONFIRM_AFTER_S) == {Problem.NOT_CONFIRMED}
    loop.observe_state(on_since(DAY + MIN, amps=1.1))
    assert loop.check(DAY + MIN, CONFIRM_AFTER_S + 1) == set()
    assert loop.pending is None


def test_no_current_and_do_still_falling_are_not_working() -> None:
    loop = make_loop()
    loop.observe_state(off_since(DAY - 60 * MIN))
    loop.observe_do(DAY, 2.8)
    loop.observe_state(on_since(DAY, amps=0.0))
    assert loop.check(DAY, 1.0) == {Problem.NO_CURRENT}
    loop.observe_do(DAY + FALLING_AFTER_MS, 2.5)
    assert loop.check(DAY + FALLING_AFTER_MS, 1.0) == {Problem.NO_CURRENT,
                                                     Problem.DO_STILL_FALLING}
    loop.observe_state(on_since(DAY, amps=1.1))
    loop.observe_do(DAY + FALLING_AFTER_MS + MIN, 2.9)
    assert loop.check(DAY + FALLING_AFTER_MS + MIN, 1.0) == set()


class Sent:
    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any], bool]] = []

    def __call__(self, topic: str, payload: bytes, retain: bool) -> None:
        self.messages.append((topic, json.loads(payload), retain))

    def commands(self) -> list[tuple[str, dict[str, Any]]]:
        return [(t, b) for t, b, _ in self.messages if t.endswith("/cmd")]


def controller(sent: Sent, now: list[int], **gateway: Any) -> Controller:
    cfg = GatewayConfig.model_validate({"control": [
        {"pond": f"kolam-{i}", "output": f"relay-{i}/aerator-1"} for i in (1, 2, 3)]} | gateway)
    ctl = Controller(cfg, "serang", sent, clock=lambda: now[0], mono=lambda: 0.0)
    ctl.set_ready()
    return ctl


def test_the_controller_commands_the_relay_and_shows_the_loop() -> None:
    sent, now = Sent(), [DAY]
    ctl = controller(sent, now)
    off = RelayState({"aerator-1": off_since(DAY - 60 * MIN)})
    ctl.observe([(DeviceRef("serang", f"kolam-{i}", f"node-{i}"), Sample(DAY, {"do_mgl": do}))
                 for i, do in ((1, 2.5), (2, 4.0), (3, 6.0))], [],
                [(DeviceRef("serang", f"kolam-{i}", f"relay-{i}"), off) for i in (1, 2, 3)], [])
    ctl.step()
    [(topic, body)] = sent.commands()
    assert topic == "kolam/v1/serang/kolam-1/relay-1/cmd"
    cmd = decode_command(json.dumps(body).encode())
    assert body | {"id": None, "expires_t": None} == {
        "v": 1, "cmd": "set_output", "output": "aerator-1", "on": True, "by": "gateway:auto",
        "reason": "do_low", "id": None, "expires_t": None}
    assert getattr(cmd, "expires_t", 0) > DAY
    shown = {t: b for t, b, retained in sent.messages if retained}
    loop = shown[control_topic(PondRef("serang", "kolam-1"))]["loops"][0]
    assert (loop["output"], loop["on"], loop["wanted"], loop["pending"], loop["reason"]) == (
        "relay-1/aerator-1", False, True, True, "do_low")


def test_the_power_budget_serves_the_lowest_do_first() -> None:
    sent, now = Sent(), [DAY]
    ctl = controller(sent, now, max_outputs_on=1)
    off = RelayState({"aerator-1": off_since(DAY - 60 * MIN)})
    ctl.observe([(DeviceRef("serang", f"kolam-{i}", f"node-{i}"), Sample(DAY, {"do_mgl": do}))
                 for i, do in ((1, 2.8), (2, 1.9), (3, 2.5))], [],
                [(DeviceRef("serang", f"kolam-{i}", f"relay-{i}"), off) for i in (1, 2, 3)], [])
    ctl.step()
    assert [t.split("/")[3] for t, _ in sent.commands()] == ["kolam-2"]
    assert [loop.queued for loop in ctl.loops] == [True, False, True]


@pytest.mark.parametrize("bad", [
    {"do_on_mgl": 5.0, "do_off_mgl": 5.0}, {"keep_on": "22:00"}, {"keep_on": "6:00-6:00"},
    {"output": "relay-1/"}, {"min_on_s": -1}, {"stale_after_s": 0}])
def test_a_bad_loop_is_refused(bad: dict[str, Any]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ControlLoop.model_validate({"pond": "kolam-1", "output": "relay-1/aerator-1"} | bad)
