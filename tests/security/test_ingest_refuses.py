"""Ingest's own check, behind the broker's: a device that publishes under another
pond's topic, or that was disabled, is dead-lettered, and disabling takes effect
within ``ingest.device_cache_s`` without restarting ingest."""

from __future__ import annotations

import time
from collections.abc import Callable

from kolam.config import KolamConfig
from kolam.mqtt import MqttClient
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.registry.devices import BrokerLogins
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

REF = DeviceRef("serang", "kolam-1", "node-1")
CACHE_S = 0.5


def reading(seq: int) -> bytes:
    return encode_telemetry(Telemetry(seq, 1, (Sample(now_ms() - 1000 + seq, {"ph": 7.0}),)))


def test_moved_and_disabled_devices_are_dead_lettered(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(), auto_provision=False,
                         ingest={"flush_interval_ms": 20, "device_cache_s": CACHE_S})
    admin = BrokerLogins(Registry(config.registry_url))  # another process, as the CLI is
    admin.add_device(REF.site, REF.pond, REF.device)
    with running_ingest(config) as (_worker, store, registry):
        pub = MqttClient(mosquitto.mqtt, "test-publisher")
        pub.connect()
        try:
            pub.publish(telemetry_topic(REF), reading(1), wait_s=5)
            wait_for(lambda: store.count() == 1, 10, what="the first reading")

            # Its own id, another pond: the broker ACL would stop it; ingest does too.
            pub.publish(telemetry_topic(DeviceRef("serang", "kolam-2", "node-1")), reading(2),
                        wait_s=5)
            wait_for(lambda: registry.dead_letter_counts().get("unknown_device") == 1, 10,
                     what="the moved device's dead letter")

            admin.set_device_enabled(REF.site, REF.device, False)
            disabled_at = time.monotonic()
            seq = 3
            while not registry.dead_letter_counts().get("disabled_device"):
                assert time.monotonic() - disabled_at < CACHE_S + 5, "never refused"
                pub.publish(telemetry_topic(REF), reading(seq), wait_s=5)
                seq += 1
                time.sleep(0.05)
            refused_after = time.monotonic() - disabled_at
        finally:
            pub.close()
            admin.close()
        assert refused_after < CACHE_S + 1.0
        # Every reading is accounted for: stored while the cache lasted, refused after.
        wait_for(lambda: store.count() + len(registry.dead_letters(reason="disabled_device"))
                 == seq - 2, 10, what="every reading to be stored or refused")
        assert registry.dead_letters(reason="disabled_device")[0].topic == telemetry_topic(REF)
