"""DO breach → relay command at the gateway: the issue's target is p99 < 2 s (#18)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from kolam.config import KolamConfig
from kolam.protocol import Sample, cmd_topic
from kolam.timeutil import now_ms
from tests.gateway.test_control_failsafes import LOOP, RELAY, SENSOR, relay_node
from tests.utils.gateway import SITE, Node, Recorder, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for

CYCLES = 10


def test_breach_to_command_latency(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    central.stop()
    config = make_config(mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE,
                         gateway_id="gw-1", gateway={"control": [LOOP]})  # default batching
    watcher = Recorder(local.mqtt, [cmd_topic(RELAY)], "watcher")
    node = Node(local.mqtt)
    latencies: list[float] = []
    with relay_node(local, on=False), running_gateway(config) as gw:
        loop = gw.controller.loops[0]

        def confirmed(on: bool) -> bool:
            return loop.pending is None and loop.confirmed is not None and loop.confirmed.on is on

        for k in range(CYCLES):
            for do, on in ((2.0, True), (6.0, False)):
                seen = len(watcher.snapshot())
                start = time.monotonic()
                node.send(SENSOR, [Sample(now_ms(), {"do_mgl": do + k / 100})])
                wait_for(partial(more_than, watcher, seen), 10, interval_s=0.005,
                         what="the command")
                if on:
                    latencies.append(time.monotonic() - start)
                wait_for(partial(confirmed, on), 10, interval_s=0.005,
                         what="the confirmed state back at the gateway")
    node.close()
    watcher.close()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    assert p99 < 2.0, latencies


def more_than(watcher: Recorder, seen: int) -> bool:
    return len(watcher.snapshot()) > seen
