"""Ingest's commit retries only transient store errors; a refused batch is dead-lettered.

Real Mosquitto and a real SQLite store, whose ``write`` is made to fail the way a store
does: unavailable for a while (locked, down), or refusing particular rows for good.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kolam.config import KolamConfig
from kolam.errors import StoreError, StoreUnavailable
from kolam.mqtt import MqttClient
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.store.base import Row, WriteResult
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import now_ms
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

REF = DeviceRef("serang", "kolam-1", "node-1")
POISON = 6.66
"""A pH the fake store refuses for good, as InfluxDB refuses a field-type conflict."""


class FlakyStore(SqliteStore):
    def __init__(self, config: KolamConfig, unavailable_writes: int) -> None:
        super().__init__(config.samples_path)
        self.unavailable_writes = unavailable_writes

    def write(self, rows: Sequence[Row]) -> WriteResult:
        if self.unavailable_writes > 0:
            self.unavailable_writes -= 1
            raise StoreUnavailable("database is locked")
        if any(value == POISON for _, _, value in rows):
            raise StoreError("the store refused the rows (HTTP 400: field type conflict)")
        return super().write(rows)


def message(seq: int, ph: float) -> bytes:
    return encode_telemetry(Telemetry(seq, 1, (Sample(now_ms() - 60_000 + seq, {"ph": ph}),)))


def publish(mosquitto: Mosquitto, payloads: list[bytes]) -> None:
    pub = MqttClient(mosquitto.mqtt, "test-publisher")
    pub.connect()
    for payload in payloads:
        pub.publish(telemetry_topic(REF), payload, qos=1, wait_s=5)
    pub.close()


def test_an_unavailable_store_is_retried_until_it_takes_the_batch(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(),
                         ingest={"flush_interval_ms": 50, "retry_max_s": 0.1})
    with running_ingest(config, FlakyStore(config, unavailable_writes=3)) as (
            worker, store, registry):
        publish(mosquitto, [message(1, 7.0)])
        wait_for(lambda: store.count() == 1, 10, what="the sample after three retries")
        assert worker.metrics.store_retries._value.get() == 3
        assert registry.dead_letter_counts() == {}


def test_a_refused_batch_is_dead_lettered_with_the_reason_and_ingest_goes_on(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(),
                         ingest={"flush_interval_ms": 50, "retry_max_s": 0.1})
    with running_ingest(config, FlakyStore(config, unavailable_writes=0)) as (
            worker, store, registry):
        publish(mosquitto, [message(1, POISON)])
        wait_for(lambda: registry.dead_letter_counts().get("store_rejected") == 1, 10,
                 what="the refused message as a dead letter")
        (dead,) = registry.dead_letters(reason="store_rejected")
        assert "field type conflict" in dead.detail
        assert dead.topic == telemetry_topic(REF)
        assert worker.metrics.store_retries._value.get() == 0  # refused: not retried
        publish(mosquitto, [message(2, 7.1)])
        wait_for(lambda: store.count() == 1, 10, what="the next good message")
