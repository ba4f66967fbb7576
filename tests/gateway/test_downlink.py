"""Commands down the chain (issue #18): centre → gateway → node, on two real brokers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from firmware_sim.node import MqttLink, SimNode
from gateway.controller import control_topic
from kolam.config import KolamConfig
from kolam.protocol import (
    DeviceRef,
    PondRef,
    Sample,
    SetOutput,
    cmd_topic,
    encode_command,
    status_topic,
)
from kolam.timeutil import now_ms
from tests.gateway.test_control_failsafes import LOOP, RELAY, SENSOR, commands, relay_node
from tests.utils.gateway import SITE, Node, Recorder, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for

CONTROL = control_topic(PondRef(SITE, "kolam-1"))
OTHER = DeviceRef(SITE, "kolam-2", "node-2")


def config_for(make_config: Callable[..., KolamConfig], central: Mosquitto, local: Mosquitto,
               control: list[dict[str, Any]]) -> KolamConfig:
    return make_config(mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE,
                       gateway_id="gw-1",
                       gateway={"flush_interval_ms": 10, "control": control})


def set_interval(seconds: float) -> bytes:
    return json.dumps({"v": 1, "cmd": "set_interval", "interval_s": seconds}).encode()


def test_set_interval_reaches_the_node_and_waits_for_one_offline(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [])
    centre = Node(central.mqtt, "centre")
    site = Node(local.mqtt, "site")
    sensor = SimNode(SENSOR, 60.0)
    link = MqttLink(local.mqtt, SENSOR, sensor.handle_command)
    link.on_connect(sensor.on_connect)
    sensor.attach(link)
    link.connect(wait=True)
    watcher = Recorder(local.mqtt, [cmd_topic(OTHER)], "watcher")
    with running_gateway(config) as gw:
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
        centre.raw(cmd_topic(SENSOR), set_interval(30))
        wait_for(lambda: sensor.interval_s == 30, 10, what="the node to obey the centre")
        # node-2 said it is offline (its Last Will): the command waits for it.
        site.raw(status_topic(OTHER), b'{"v":1,"online":false}', retain=True)
        wait_for(lambda: gw.downlink._online.get(OTHER) is False, 5, what="node-2 offline")
        centre.raw(cmd_topic(OTHER), set_interval(120))
        centre.raw(cmd_topic(OTHER), b'{"v":1,"cmd":"reboot"}')  # refused, logged
        centre.raw("kolam/v1/other/kolam-1/node-1/cmd", set_interval(5))  # not our site
        wait_for(lambda: gw.downlink.rejected == 1, 5, what="the bad command refused")
        assert commands_on(watcher, OTHER) == []
        site.raw(status_topic(OTHER), b'{"v":1,"online":true,"fw":"x","boot":2}', retain=True)
        wait_for(lambda: commands_on(watcher, OTHER) == [{"v": 1, "cmd": "set_interval",
                                                          "interval_s": 120}], 10,
                 what="the held command delivered")
    link.close()
    for c in (centre, site):
        c.close()
    watcher.close()


def commands_on(watcher: Recorder, ref: DeviceRef) -> list[dict[str, object]]:
    return [s.body for s in watcher.snapshot() if s.topic == cmd_topic(ref)]


def test_commands_sent_while_the_gateway_is_away_arrive_when_it_is_back(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [])
    centre = Node(central.mqtt, "centre")
    watcher = Recorder(local.mqtt, [cmd_topic(SENSOR)], "watcher")
    with running_gateway(config) as gw:
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
    centre.raw(cmd_topic(SENSOR), set_interval(45))  # queued in the gateway's session
    with running_gateway(config):
        wait_for(lambda: commands_on(watcher, SENSOR) != [], 10, what="the queued command")
    assert commands_on(watcher, SENSOR) == [{"v": 1, "cmd": "set_interval", "interval_s": 45}]
    centre.close()
    watcher.close()


def test_a_person_switching_a_loops_output_is_a_manual_override_that_expires(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [LOOP])
    centre = Node(central.mqtt, "centre")
    node = Node(local.mqtt, "sensor")
    watcher = Recorder(local.mqtt, [CONTROL, cmd_topic(RELAY)], "watcher")
    with relay_node(local, on=False) as (board, _), running_gateway(config) as gw:
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
        node.send(SENSOR, [Sample(now_ms(), {"do_mgl": 6.0})])  # fine water: the loop keeps off
        wait_for(lambda: (watcher.last(CONTROL) or {}).get("loops"), 5, what="the loop")
        until = now_ms() + 3000
        centre.raw(cmd_topic(RELAY), encode_command(SetOutput(
            "aerator-1", True, "user:budi", "cleaning the membrane", until_t=until)))
        wait_for(lambda: board.is_on("aerator-1"), 10, what="the manual switch-on")
        first = commands(watcher)[0]
        assert (first["by"], first["reason"]) == ("user:budi", "cleaning the membrane")
        loop = (watcher.last(CONTROL) or {})["loops"][0]  # type: ignore[index]
        assert (loop["mode"], loop["manual_until"]) == ("manual", until)
        node.send(SENSOR, [Sample(now_ms(), {"do_mgl": 6.1})])
        wait_for(lambda: not board.is_on("aerator-1"), 10, what="automatic again after until_t")
        last = commands(watcher)[-1]
        assert (last["by"], last["reason"], last["on"]) == ("gateway:auto", "do_ok", False)
    for c in (centre, node):
        c.close()
    watcher.close()


def test_a_held_command_survives_a_gateway_restart(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [])
    centre = Node(central.mqtt, "centre")
    site = Node(local.mqtt, "site")
    watcher = Recorder(local.mqtt, [cmd_topic(OTHER)], "watcher")
    site.raw(status_topic(OTHER), b'{"v":1,"online":false}', retain=True)
    with running_gateway(config) as gw:
        wait_for(lambda: gw.uplink.connected and gw.downlink._online.get(OTHER) is False, 10,
                 what="the uplink, and node-2 offline")
        expired = json.dumps({"v": 1, "cmd": "set_interval", "interval_s": 10,
                              "expires_t": now_ms() + 500}).encode()
        centre.raw(cmd_topic(OTHER), expired)
        centre.raw(cmd_topic(OTHER), set_interval(90))
        wait_for(lambda: len(gw.downlink.outbox.held_commands(OTHER)) == 2, 5, what="held")
    with running_gateway(config) as gw:
        wait_for(lambda: gw.downlink._online.get(OTHER) is False, 10, what="node-2 offline")
        time.sleep(0.6)  # the first command expires while the node is away
        site.raw(status_topic(OTHER), b'{"v":1,"online":true}', retain=True)
        wait_for(lambda: commands_on(watcher, OTHER) != [], 10, what="the held command")
        wait_for(lambda: gw.downlink.outbox.held_commands(OTHER) == [], 5, what="forgotten")
    assert commands_on(watcher, OTHER) == [{"v": 1, "cmd": "set_interval", "interval_s": 90}]
    for c in (centre, site):
        c.close()
    watcher.close()
