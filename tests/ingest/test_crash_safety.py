"""Exactly-once storage through SIGKILLs of ingest, a broker restart and SIGTERM."""

from __future__ import annotations

import sqlite3
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kolam.mqtt import MqttClient, Publish
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.timeutil import now_ms
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import free_port, wait_for
from tests.utils.services import IngestProcess

REFS = [DeviceRef("serang", f"kolam-{i}", f"node-{i}") for i in range(1, 5)]
PER_MSG = 10


def stream(n_msgs: int) -> list[tuple[str, bytes, list[tuple[int, float]]]]:
    """Messages round-robin over 4 devices; each carries 10 do_mgl samples."""
    t0 = now_ms() - 10 * 86_400_000
    out = []
    for i in range(n_msgs):
        ref = REFS[i % 4]
        samples = [(t0 + (i * PER_MSG + k) * 1000, round(3 + (i * 7 + k) % 50 / 10, 2))
                   for k in range(PER_MSG)]
        msg = Telemetry(i, 1, tuple(Sample(t, {"do_mgl": v}) for t, v in samples))
        out.append((telemetry_topic(ref), encode_telemetry(msg), samples))
    return out


def stored(data: Path) -> dict[int, float]:
    db = sqlite3.connect(data / "samples.sqlite")
    try:
        rows = db.execute("SELECT p.t, p.value FROM samples p JOIN series s ON s.id = p.series_id "
                          "WHERE s.metric = 'do_mgl'").fetchall()
    finally:
        db.close()
    return dict(rows)


def count(data: Path) -> int:
    if not (data / "samples.sqlite").exists():
        return 0
    try:
        return len(stored(data))
    except sqlite3.OperationalError:
        return 0


class Publisher(threading.Thread):
    """Publishes the stream with QoS 1 at a steady pace from a persistent session."""

    def __init__(self, broker: Mosquitto, msgs: list[tuple[str, bytes, list[tuple[int, float]]]],
                 per_s: float) -> None:
        super().__init__(daemon=True)
        self.msgs, self.per_s = msgs, per_s
        self.client = MqttClient(broker.mqtt, "test-publisher", clean_session=False,
                                 max_inflight=1000)
        self.client.connect()
        self.infos: list[Publish] = []

    def run(self) -> None:
        start = time.monotonic()
        for i, (topic, payload, _) in enumerate(self.msgs):
            delay = start + i / self.per_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            # Like a node or gateway: hold on to the reading while the broker is away.
            while not self.client.wait_connected(0.1):
                pass
            self.infos.append(self.client.publish(topic, payload, qos=1))

    def finish(self) -> None:
        self.join(120)
        # A message published in the instant the link dropped is resent on reconnect
        # and acknowledged like the others.
        wait_for(lambda: all(i.acked for i in self.infos), 60,
                 what="broker to acknowledge every publish")
        self.client.close()


def env_for(broker: Mosquitto, data: Path, **extra: str) -> dict[str, str]:
    return {"KOLAM_MQTT_URL": broker.url("kolam-ingest"), "KOLAM_DATA_DIR": str(data),
            "KOLAM_INGEST__FLUSH_INTERVAL_MS": "50", "KOLAM_LOG_LEVEL": "INFO", **extra}


def expected(msgs: list[tuple[str, bytes, list[tuple[int, float]]]]) -> dict[int, float]:
    return {t: v for _, _, samples in msgs for t, v in samples}


@pytest.fixture
def spawn() -> Iterator[Callable[..., IngestProcess]]:
    """Start ingest processes; whatever a failing test leaves running is killed."""
    started: list[IngestProcess] = []

    def make(env: dict[str, str], log: Path) -> IngestProcess:
        proc = IngestProcess(env, log)
        started.append(proc)
        return proc.start()

    yield make
    for proc in started:
        if proc.proc is not None and proc.proc.poll() is None:
            proc.kill()


def test_sigkill_several_times_stores_every_reading_exactly_once(
        mosquitto: Mosquitto, tmp_path: Path, spawn: Callable[..., IngestProcess]) -> None:
    data = tmp_path / "data"
    msgs = stream(1500)
    ingest = spawn(env_for(mosquitto, data), tmp_path / "ingest.log")
    pub = Publisher(mosquitto, msgs, per_s=500)
    pub.start()
    kills = 0
    for _ in range(3):
        time.sleep(0.6)
        ingest.kill()
        kills += 1
        time.sleep(0.2)
        ingest.start()
    pub.finish()
    want = expected(msgs)
    wait_for(lambda: count(data) >= len(want), 60, interval_s=0.2, what="every reading")
    assert ingest.terminate() == 0
    assert kills == 3
    assert stored(data) == want  # every reading, once, with its own value


def test_broker_restart_mid_stream_loses_nothing(
        mosquitto: Mosquitto, tmp_path: Path, spawn: Callable[..., IngestProcess]) -> None:
    data = tmp_path / "data"
    msgs = stream(1200)
    ingest = spawn(env_for(mosquitto, data), tmp_path / "ingest.log")
    pub = Publisher(mosquitto, msgs, per_s=600)
    pub.start()
    time.sleep(0.7)
    mosquitto.stop()  # SIGTERM: Mosquitto writes its persistence file
    time.sleep(1.5)
    mosquitto.start()  # same port, same persistence
    pub.finish()
    want = expected(msgs)
    wait_for(lambda: count(data) >= len(want), 90, interval_s=0.2, what="every reading")
    assert ingest.terminate() == 0
    assert stored(data) == want


def test_sigterm_acks_the_batch_in_hand(
        mosquitto: Mosquitto, tmp_path: Path, spawn: Callable[..., IngestProcess]) -> None:
    data = tmp_path / "data"
    port = free_port()
    msgs = stream(400)
    ingest = spawn(env_for(mosquitto, data, KOLAM_INGEST__METRICS_PORT=str(port)),
                   tmp_path / "ingest.log")
    pub = Publisher(mosquitto, msgs, per_s=2000)
    pub.start()
    pub.finish()
    want = expected(msgs)
    wait_for(lambda: count(data) >= len(want), 30, interval_s=0.1, what="every reading")
    started = time.monotonic()
    assert ingest.terminate() == 0
    assert time.monotonic() - started < 5
    assert "ingest stopped" in (tmp_path / "ingest.log").read_text()
    # Restart: everything was acknowledged, so the broker redelivers nothing.
    ingest.start()
    time.sleep(1.5)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    assert "kolam_ingest_duplicates_total 0.0" in text
    assert "kolam_ingest_samples_stored_total 0.0" in text
    assert ingest.terminate() == 0
    assert stored(data) == want
