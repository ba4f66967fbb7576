"""Relay switches reach the centre through the outbox, in order, after an outage (#18)."""

from __future__ import annotations

from collections.abc import Callable

from kolam.config import KolamConfig
from kolam.protocol import state_topic
from tests.gateway.test_control_failsafes import RELAY, relay_node
from tests.utils.gateway import SITE, Recorder, open_outbox, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for


def test_switches_made_during_an_outage_reach_the_centre_in_order(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE,
                         gateway_id="gw-1", gateway={"flush_interval_ms": 10})
    centre = Recorder(central.mqtt, [state_topic(RELAY)], "centre")
    with running_gateway(config) as gw, relay_node(local, on=False) as (board, _):
        wait_for(lambda: centre.last(state_topic(RELAY)) is not None, 10, what="the state")
        central.stop()
        wait_for(lambda: not gw.uplink.connected, 10, what="the outage")
        board.switch("aerator-1", True, "local:farmer", "morning")
        board.switch("aerator-1", False, "user:budi", "cleaning")
        outbox = open_outbox(config)
        wait_for(lambda: len(outbox.switches()) == 2, 5, what="the switches in the outbox")
        outbox.close()
        central.start()
        wait_for(lambda: len(seen(centre)) >= 3, 30, what="the switches at the centre")
    assert [(o["on"], o["by"]) for o in seen(centre)][-2:] == [
        (True, "local:farmer"), (False, "user:budi")]
    centre.close()


def seen(centre: Recorder) -> list[dict[str, object]]:
    return [s.body["outputs"]["aerator-1"] for s in centre.snapshot()  # type: ignore[index]
            if s.topic == state_topic(RELAY)]
