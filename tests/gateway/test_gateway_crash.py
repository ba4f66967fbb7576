"""`kolam gateway` killed with SIGKILL mid-stream, during an outage, loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, Sample
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import now_ms
from tests.utils.gateway import SITE, Node, open_outbox, values_at
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

DEVICES = [DeviceRef(SITE, f"kolam-{i}", f"node-{i}") for i in (1, 2)]


def spawn_gateway(config: KolamConfig, central: Mosquitto, local: Mosquitto,
                  ready: Path, log: Path,
                  extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    env.update({
        "KOLAM_DATA_DIR": str(config.data_dir),
        "KOLAM_MQTT_URL": central.url(),
        "KOLAM_LOCAL_MQTT_URL": local.url(),
        "KOLAM_SITE": SITE,
        "KOLAM_GATEWAY_ID": "gw-1",
        "KOLAM_READY_FILE": str(ready),
        "KOLAM_GATEWAY__FLUSH_INTERVAL_MS": "20",
        "KOLAM_GATEWAY__SAMPLES_PER_MESSAGE": "25",
        "KOLAM_GATEWAY__DRAIN_RATE_SAMPLES_S": "1000",
    } | (extra_env or {}))
    ready.unlink(missing_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kolam", "gateway"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    wait_for(lambda: ready.exists() or proc.poll() is not None, 20, what="the gateway")
    assert proc.poll() is None, log.read_text()
    return proc


def points(store: SqliteStore, ref: DeviceRef) -> list[tuple[int, float]]:
    return [(p.t, p.value) for p in store.raw(SITE, ref.pond, "do_mgl", 0, 2**62)]


def test_sigkill_mid_stream_during_outage_loses_nothing(
        tmp_path: Path, central: Mosquitto, local: Mosquitto,
        make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=central.url(), ingest={"flush_interval_ms": 20})
    t0 = now_ms() - 86_400_000
    n = 300
    ready, log = tmp_path / "gateway.ready", tmp_path / "gateway.log"
    node = Node(local.mqtt)
    published = threading.Event()
    progress = [0]

    def feed() -> None:
        for k in range(n):
            for i, ref in enumerate(DEVICES):
                t = t0 + k * 60_000
                node.send(ref, [Sample(t, values_at(i, t))])
            progress[0] = k + 1
            published.wait(0.01)
        published.set()

    with running_ingest(config) as (_worker, store, _registry):
        gateway = spawn_gateway(config, central, local, ready, log)
        try:
            feeder = threading.Thread(target=feed)
            feeder.start()
            wait_for(lambda: len(points(store, DEVICES[0])) >= 30, 20, what="forwarding")
            central.stop()
            outbox = open_outbox(config)
            wait_for(lambda: outbox.stats().buffered >= 100, 20, what="a backlog")
            outbox.close()
            assert progress[0] < n, "the stream ended before the kill: make it longer"
            gateway.send_signal(signal.SIGKILL)
            gateway.wait(10)
            central.start()
            gateway = spawn_gateway(config, central, local, ready, log)
            feeder.join(60)
            want_all = {ref: [(t0 + k * 60_000, values_at(i, t0 + k * 60_000)["do_mgl"])
                              for k in range(n)] for i, ref in enumerate(DEVICES)}
            wait_for(lambda: all(points(store, r) == want_all[r] for r in DEVICES), 60,
                     interval_s=0.2, what="every sample centrally")
        finally:
            gateway.send_signal(signal.SIGTERM)
            try:
                gateway.wait(15)
            except subprocess.TimeoutExpired:
                gateway.kill()
                gateway.wait(5)
            node.close()
    assert gateway.returncode == 0, log.read_text()[-3000:]
    outbox = open_outbox(config)
    assert outbox.stats().buffered == 0
    outbox.close()
