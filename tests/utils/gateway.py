"""Helpers for gateway tests: an in-process gateway, a node-like publisher, a recorder."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gateway.main import Gateway
from gateway.outbox import Outbox
from kolam.config import KolamConfig, MqttUrl
from kolam.mqtt import Message, MqttClient
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.timeutil import now_ms

SITE = "serang"


@contextmanager
def running_gateway(config: KolamConfig,
                    clock: Callable[[], int] = now_ms) -> Iterator[Gateway]:
    gw = Gateway(config, clock)
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()
        gw.close()


def open_outbox(config: KolamConfig) -> Outbox:
    """A second connection for the test to look inside the gateway's outbox."""
    return Outbox(config.data_dir / config.gateway.outbox_file)


def values_at(device: int, t: int) -> dict[str, float]:
    """Deterministic readings, distinct per device and instant, in the OK bands."""
    k = (t // 1000) % 1000
    return {"do_mgl": round(5 + device + k / 1000, 3), "temp_c": 28.0,
            "ph": round(7 + k / 10_000, 4)}


class Node:
    """Publishes like a sensor node on the local broker (one message per sample)."""

    def __init__(self, url: MqttUrl, name: str = "test-nodes") -> None:
        self.client = MqttClient(url, name)
        self.client.connect()
        self.seq = 0

    def send(self, ref: DeviceRef, samples: list[Sample]) -> None:
        self.seq += 1
        self.client.publish(telemetry_topic(ref), encode_telemetry(
            Telemetry(self.seq, 1, tuple(samples))), qos=1, wait_s=5)

    def raw(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain, wait_s=5)

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True)
class Seen:
    topic: str
    body: dict[str, object]


class Recorder:
    """Subscribes (persistent session) and keeps every message in arrival order."""

    def __init__(self, url: MqttUrl, filters: list[str], name: str) -> None:
        self.messages: list[Seen] = []
        self._lock = threading.Lock()
        self.client = MqttClient(url, name, clean_session=False)
        self.client.subscribe(filters, self._on, qos=1)
        self.client.connect()

    def _on(self, msg: Message) -> None:
        with self._lock:
            self.messages.append(Seen(msg.topic, json.loads(msg.payload)))

    def snapshot(self) -> list[Seen]:
        with self._lock:
            return list(self.messages)

    def last(self, topic: str) -> dict[str, object] | None:
        for seen in reversed(self.snapshot()):
            if seen.topic == topic:
                return seen.body
        return None

    def close(self) -> None:
        self.client.close()
