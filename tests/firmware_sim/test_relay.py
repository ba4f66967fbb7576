"""The simulated relay node: protocol v1 behaviour, and its outputs driving the pond model."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from firmware_sim.node import MqttLink, SimNode
from firmware_sim.physical import PhysicalModel
from firmware_sim.pond.scenarios import SCENARIOS, AeratorOutage
from firmware_sim.relay import RATED_AMPS, RelayNode
from firmware_sim.runner import SimClock, SimRunner
from kolam.protocol import (
    Command,
    DeviceRef,
    SetOutput,
    cmd_topic,
    decode_state,
    encode_command,
    state_topic,
    status_topic,
)
from kolam.timeutil import now_ms
from tests.utils.gateway import Node, Recorder
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for

RELAY = DeviceRef("serang", "kolam-1", "relay-1")
WIB = timezone(timedelta(hours=7))
T0 = int(datetime(2026, 11, 20, 21, 0, tzinfo=WIB).timestamp() * 1000)


class ListLink:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, object], bool]] = []

    @property
    def up(self) -> bool:
        return True

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.sent.append((topic, json.loads(payload), retain))

    def close(self) -> None:
        pass

    def states(self) -> list[dict[str, object]]:
        return [body for topic, body, _ in self.sent if topic == state_topic(RELAY)]


def cmd(on: bool, expires_t: int | None = None) -> bytes:
    return encode_command(SetOutput("aerator-1", on, "gateway:auto", "do_low",
                                    expires_t=expires_t))


def relay(on: bool = False) -> tuple[RelayNode, ListLink]:
    node, link = RelayNode(RELAY, ["aerator-1", "pump-1"], T0, on=on), ListLink()
    node.attach(link)
    return node, link


def test_a_command_switches_and_the_state_confirms_it_with_the_current() -> None:
    node, link = relay()
    node.on_connect(False)
    assert [t for t, _, retained in link.sent if retained] == [status_topic(RELAY),
                                                              state_topic(RELAY)]
    node.now_ms = T0 + 60_000
    node.handle_command(cmd(True))
    state = decode_state(json.dumps(link.states()[-1]).encode())
    out = state.outputs["aerator-1"]
    assert (out.on, out.since, out.amps, out.by, out.reason) == (
        True, T0 + 60_000, RATED_AMPS, "gateway:auto", "do_low")
    assert state.outputs["pump-1"].on is False and state.outputs["pump-1"].amps is None
    assert node.aerating
    node.now_ms = T0 + 120_000
    node.handle_command(cmd(True))  # a QoS 1 redelivery: republished, unchanged
    assert link.states()[-1] == link.states()[-2]


def test_a_dead_motor_is_on_at_zero_amps_and_moves_no_air() -> None:
    node, link = relay(on=True)
    node.fail_motor("aerator-1")
    out = link.states()[-1]["outputs"]["aerator-1"]  # type: ignore[index]
    assert (out["on"], out["amps"]) == (True, 0.0)
    assert not node.aerating


def test_bad_expired_and_unknown_commands_change_nothing() -> None:
    node, link = relay()
    node.now_ms = T0 + 60_000
    for payload in (b"\xff", b'{"v":1,"cmd":"set_output","output":"aerator-1","on":"yes"}',
                    encode_command(SetOutput("fan-9", True)), cmd(True, expires_t=T0),
                    b'{"v":1,"cmd":"set_interval","interval_s":30}'):
        node.handle_command(payload)
    assert not node.is_on("aerator-1")
    assert link.states() == []


def test_a_power_blip_drops_the_relays_until_switched_back() -> None:
    node, link = relay(on=True)
    node.now_ms = T0 + 60_000
    node.power_blip()
    outs = link.states()[-1]["outputs"]
    assert outs["aerator-1"] == {"on": False, "since": T0 + 60_000,  # type: ignore[index]
                                 "by": "local:power", "reason": "power_blip"}
    node.handle_command(encode_command(SetOutput("pump-1", False)))
    node.power_back()
    assert node.is_on("aerator-1")
    assert not node.is_on("pump-1")  # switched since the blip: left as commanded


def night(control: bool) -> list[tuple[int, float]]:
    """The aerator-failure scenario's power cut (moved to 23:00 on day 0) with a relay node
    on the pond; ``control`` switches the aerator back on when DO drops below 3 mg/L."""
    scenario = replace(SCENARIOS["aerator-failure"],
                       aerator_outages=(AeratorOutage(day=0, start_h=23.0, duration_h=8.0),))
    model = PhysicalModel(1, T0, 60.0, scenario, seed=1)
    board = RelayNode(RELAY, ["aerator-1"], T0, on=True)
    truth: list[tuple[int, float]] = []

    def tick(t: int) -> None:
        do = float(model.sim.model.s.water[1][0])
        truth.append((t, do))
        if control and do < 3.0 and not board.is_on("aerator-1"):
            board.handle_command(cmd(True))

    node = SimNode(DeviceRef("serang", "kolam-1", "node-1"), 60.0)
    SimRunner([node], model, SimClock(T0, virtual=True), T0 + 10 * 3_600_000, on_tick=tick,
              relays=[(0, board)]).run(threading.Event())
    return truth


def test_the_relay_drives_the_pond_models_aerator() -> None:
    off, on = night(control=False), night(control=True)
    before_cut = [do for t, do in off if t < T0 + 2 * 3_600_000]
    assert min(before_cut) > 3.5  # blowers running: the night is fine
    assert min(do for _, do in off) < 2.0  # relays dropped by the cut and left off
    assert min(do for _, do in on) > 2.5  # switched back on at 3 mg/L: DO recovers
    assert on[-1][1] > 4.0


def test_a_relay_node_over_a_real_broker(mosquitto: Mosquitto, tmp_path: Path) -> None:
    board = RelayNode(RELAY, ["aerator-1"], T0)
    link = MqttLink(mosquitto.mqtt, RELAY, board.handle_command, persistent=True)
    link.on_connect(board.on_connect)
    board.attach(link)
    link.connect(wait=True)
    watcher = Recorder(mosquitto.mqtt, [state_topic(RELAY)], "watcher")
    sender = Node(mosquitto.mqtt, "sender")
    try:
        wait_for(lambda: watcher.last(state_topic(RELAY)) is not None, 5, what="first state")
        sender.raw(cmd_topic(RELAY), cmd(True))
        wait_for(lambda: board.is_on("aerator-1"), 5, what="the relay to switch")

        def confirmed() -> bool:
            last = watcher.last(state_topic(RELAY))
            return last is not None and decode_state(
                json.dumps(last).encode()).outputs["aerator-1"].on
        wait_for(confirmed, 5, what="the confirmed state")
        late = Recorder(mosquitto.mqtt, [state_topic(RELAY)], "late")  # retained
        wait_for(lambda: late.last(state_topic(RELAY)) == watcher.last(state_topic(RELAY)), 5,
                 what="the retained state")
        late.close()
    finally:
        sender.close()
        watcher.close()
        link.close()


def test_a_sensor_node_obeys_set_interval_unless_it_expired() -> None:
    node = SimNode(DeviceRef("serang", "kolam-1", "node-1"), 60.0)
    node.handle_command(encode_command(Command("set_interval", 30.0, expires_t=now_ms() - 1)))
    assert node.interval_s == 60.0
    node.handle_command(encode_command(Command("set_interval", 30.0,
                                               expires_t=now_ms() + 60_000)))
    assert node.interval_s == 30.0
