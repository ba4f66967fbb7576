"""Closed loop against the physics: the simulator's aerator-failure night, with the gateway's
control loop on and off, the uplink (central broker) down all night.

The pond model, its sensor node and relay node, the local Mosquitto and the gateway are all
real; only time runs fast (the simulated clock, shared by the sim and the gateway's loops).
The scenario's power cut (23:00 on day 2) drops the relay; left alone, DO falls below 2 mg/L
within the hour (docs/simulator.md); the loop switches the aerator back on below 3 mg/L.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kolam.config import KolamConfig
from kolam.protocol import gateway_status_topic, state_topic
from tests.utils.closed_loop import H_MS, RELAY, SITE, ClosedLoopPond, wib_day
from tests.utils.gateway import Recorder, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for

SPEED = 800.0
"""A simulated minute every 75 ms: the night in about 45 s (faster leaves a busy machine
too little time to answer a falling DO in simulated minutes)."""
LOOP = {"pond": "kolam-1", "output": "relay-1/aerator-1", "do_on_mgl": 3.0, "do_off_mgl": 5.0,
        "stale_after_s": 600, "min_on_s": 600, "min_off_s": 300, "keep_on": "22:00-06:00"}


def gateway_config(make_config: Callable[..., KolamConfig], central: Mosquitto,
                   local: Mosquitto, control: list[dict[str, Any]]) -> KolamConfig:
    return make_config(mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE,
                       gateway_id="gw-1",
                       gateway={"flush_interval_ms": 10, "status_interval_s": 0.5,
                                "control": control})


def test_aerator_failure_night_with_and_without_the_loop(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    central.stop()  # the uplink is cut for the whole night
    day0 = wib_day(7)
    night = day0 + 2 * 24 * H_MS + 22 * H_MS  # 22:00 WIB on day 2
    cut = night + H_MS  # the scenario's power cut, 23:00

    # Without the loop: the cut drops the relay and nobody switches it back on.
    pond = ClosedLoopPond(local.mqtt, "aerator-failure", day0, night, SPEED)
    config = gateway_config(make_config, central, local, [])
    with running_gateway(config), pond.running(cut + 3 * H_MS) as stop:
        wait_for(lambda: pond.truth.rows and pond.truth.min_do() < 2.0, 60, interval_s=0.1,
                 what="DO below 2 mg/L without control")
        stop.set()
    assert pond.truth.min_do() < 2.0
    assert not pond.relay.is_on("aerator-1")

    # With it: the same night, brought back by the loop; the centre never hears of it.
    pond = ClosedLoopPond(local.mqtt, "aerator-failure", day0, night, SPEED)
    config = gateway_config(make_config, central, local, [LOOP])
    watcher = Recorder(local.mqtt, [state_topic(RELAY), gateway_status_topic(SITE, "gw-1")],
                       "watcher")
    dawn = night + 9 * H_MS  # 07:00 on day 3, when the power comes back
    try:
        with running_gateway(config, pond.clock), pond.running(dawn + H_MS):
            pond.wait_until(dawn, 90)
            status = watcher.last(gateway_status_topic(SITE, "gw-1"))
            assert status is not None and status["uplink"] == "down"
        rows = pond.truth.snapshot()
        assert min(do for t, do, _ in rows if t < cut) > 3.5  # blowers on before the cut
        assert min(do for t, do, _ in rows) > 2.0, "the loop let DO fall below 2 mg/L"
        dropped = [t for t, _, aerating in rows if t >= cut and not aerating]
        keep_on_end = night + 8 * H_MS  # 06:00
        dropped = [t for t in dropped if t < keep_on_end]
        assert dropped and dropped[-1] - dropped[0] < 30 * 60_000  # back on within 30 min
        assert all(aerating for t, _, aerating in rows if cut + H_MS <= t < keep_on_end)
        states = [s.body for s in watcher.snapshot() if s.topic == state_topic(RELAY)]
        switched = [o for s in states for o in [s["outputs"]["aerator-1"]]  # type: ignore[index]
                    if o["by"] == "gateway:auto"]
        assert switched and switched[0]["on"] is True
        assert switched[0]["reason"] in ("do_low", "forecast_low")
    finally:
        watcher.close()

