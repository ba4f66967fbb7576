"""Relay outputs at the centre: ingest records each output's switches from the retained
``state`` topic (a relay node's own, or a gateway's forwarded switch log), once each."""

from __future__ import annotations

from collections.abc import Callable

from firmware_sim.node import MqttLink
from firmware_sim.relay import RATED_AMPS, RelayNode
from kolam.config import KolamConfig
from kolam.mqtt import MqttClient
from kolam.protocol import (
    DeviceRef,
    OutputState,
    RelayState,
    SetOutput,
    cmd_topic,
    encode_command,
    encode_state,
    state_topic,
)
from kolam.registry.outputs import Outputs
from kolam.science.sun import last_sunset_ms
from kolam.timeutil import now_ms
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

RELAY = DeviceRef("serang", "kolam-1", "relay-1")


def test_switches_recorded_once_with_who_and_why(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(), ingest={"flush_interval_ms": 50})
    relay = RelayNode(RELAY, ["aerator-1", "pump-1"], now_ms() - 60_000, on=False)
    with running_ingest(config) as (worker, _store, registry):
        outputs = Outputs(registry.engine)
        link = MqttLink(mosquitto.mqtt, RELAY, relay.handle_command)
        link.on_connect(relay.on_connect)
        relay.attach(link)
        link.connect(wait=True)
        try:
            wait_for(lambda: len(outputs.events("serang", "kolam-1")) == 2, 10,
                     what="the initial state of both outputs")
            relay.now_ms = now_ms()
            pub = MqttClient(mosquitto.mqtt, "test-centre")
            pub.connect()
            pub.publish(cmd_topic(RELAY), encode_command(SetOutput(
                "aerator-1", True, "user:budi", "manual", "c1")), wait_s=5)
            wait_for(lambda: len(outputs.events("serang", "kolam-1")) == 3, 10,
                     what="the switch on")
            # Reconnects republish the same state; a retained redelivery is the same too.
            link.close()
            link = MqttLink(mosquitto.mqtt, RELAY, relay.handle_command)
            link.on_connect(relay.on_connect)
            relay.attach(link)
            link.connect(wait=True)
            pub.publish(state_topic(RELAY), encode_state(relay.state()), retain=True, wait_s=5)
            # A state that does not decode is a dead letter, not a crash.
            pub.publish(state_topic(RELAY), b'{"v":1,"outputs":{"aerator-1":{"on":"yes"}}}',
                        wait_s=5)
            wait_for(lambda: worker.outputs.dead == 1, 10, what="the dead letter")
            pub.close()
        finally:
            link.close()
        events = outputs.events("serang", "kolam-1")
        assert len(events) == 3
        newest = events[0]
        assert (newest.kind, newest.device, newest.output, newest.on) == (
            "switch", "relay-1", "aerator-1", True)
        assert (newest.by, newest.reason, newest.amps) == ("user:budi", "manual", RATED_AMPS)
        latest = outputs.latest("serang", "kolam-1")
        switch, command = latest[("relay-1", "aerator-1")].switch, latest[
            ("relay-1", "aerator-1")].command
        assert switch is not None and switch.on and command is None
        pump = latest[("relay-1", "pump-1")].switch
        assert pump is not None and not pump.on and pump.by == "local:boot"
        assert any(d.reason == "missing_field" and d.topic == state_topic(RELAY)
                   for d in registry.dead_letters())


def test_gateway_switch_log_in_order_and_unknown_relay_refused(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    """The gateway forwards every change in order, retained: each is a switch. A relay
    not registered to that pond (auto-provisioning off) is a dead letter."""
    config = make_config(mqtt_url=mosquitto.url(), auto_provision=False,
                         ingest={"flush_interval_ms": 50})
    t0 = now_ms() - 3_600_000
    with running_ingest(config) as (worker, _store, registry):
        registry.check_device(RELAY, auto_provision=True)  # registered, as by `kolam devices`
        outputs = Outputs(registry.engine)
        pub = MqttClient(mosquitto.mqtt, "test-gateway")
        pub.connect()
        log = [(False, t0, "local:power", "power_blip"), (True, t0 + 60_000, "gateway:auto",
                                                           "do_low"),
               (False, t0 + 900_000, "gateway:auto", "do_ok")]
        for on, since, by, reason in log:
            pub.publish(state_topic(RELAY), encode_state(RelayState({"aerator-1": OutputState(
                on, since, 1.1 if on else None, by, reason)})), retain=True, wait_s=5)
        pub.publish(state_topic(DeviceRef("serang", "kolam-1", "relay-9")), encode_state(
            RelayState({"aerator-1": OutputState(True, t0)})), wait_s=5)
        wait_for(lambda: worker.outputs.dead == 1 and worker.outputs.switches == 3, 10,
                 what="three switches and a refused relay")
        pub.close()
        events = outputs.events("serang", "kolam-1")
        assert [(e.on, e.since, e.by, e.reason) for e in reversed(events)] == log
        assert [d.reason for d in registry.dead_letters()] == ["unknown_device"]


def test_a_power_cut_at_night_raises_aerator_failed(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    """A relay's state through Mosquitto and ingest: an aerator running since last night's
    dusk, cut off by a power blip two hours after it, is a critical ``aerator_failed``."""
    config = make_config(mqtt_url=mosquitto.url(), ingest={"flush_interval_ms": 50})
    night = last_sunset_ms(now_ms()) - 24 * 3_600_000 + 2 * 3_600_000
    with running_ingest(config) as (worker, _store, _registry):
        assert worker.alerts is not None
        pub = MqttClient(mosquitto.mqtt, "test-relay")
        pub.connect()
        for on, since, by, amps in ((True, night - 7_200_000, "gateway:auto", 2.1),
                                    (False, night, "local:power", None)):
            pub.publish(state_topic(RELAY), encode_state(RelayState({"aerator-1": OutputState(
                on, since, amps, by, "power_blip" if not on else "keep_on")})),
                retain=True, wait_s=5)
            wait_for(lambda since=since: any(  # type: ignore[misc]
                e.since == since for e in Outputs(worker.registry.engine).events(
                    "serang", "kolam-1")), 10, what="the switch recorded")
        pub.close()
        outbox = worker.alerts.outbox
        wait_for(lambda: any(a.rule == "aerator_failed" for a in outbox.active()), 10,
                 what="the aerator_failed alert")
        alert = next(a for a in outbox.active() if a.rule == "aerator_failed")
        assert alert.alert.key == "aerator_failed/relay-1/aerator-1"
        assert alert.severity.value == "critical" and alert.since == night
