"""Ingest throughput, memory and latency against a real Mosquitto.

1. Throughput: the same stream is queued in the broker for an offline persistent
   session, then drained twice — by a bare paho subscriber that only parses JSON
   (the ceiling for a Python consumer) and by ``kolam ingest`` storing durably.
   Done for one-sample messages and for 60-sample batch messages. The stream is 100
   healthy ponds at night, 30 days ago (a gateway's backlog): the alert rules do their
   everyday work and the dawn forecast keeps its window.
2. Peak RSS of the ingest process during those runs.
3. Publish-to-queryable latency at a steady 200 messages/s.

Usage: .venv/bin/python bench/ingest.py [--messages N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import paho.mqtt.client as paho
from _common import ROOT, median, peak_rss_mb, write_results
from paho.mqtt.enums import CallbackAPIVersion

from tests.utils.mosquitto import Mosquitto
from tests.utils.net import free_port, wait_for

METRICS = ("do_mgl", "temp_c", "ph", "tan_mgl", "no2_mgl", "tds_ppm", "turbidity_ntu",
           "level_cm")
TYPICAL = {"do_mgl": (5.5, 0.1), "temp_c": (29.0, 0.1), "ph": (7.6, 0.04),
           "tan_mgl": (0.5, 0.02), "no2_mgl": (0.1, 0.005), "tds_ppm": (400.0, 4.0),
           "turbidity_ntu": (30.0, 1.0), "level_cm": (80.0, 0.1)}
"""(value, step) per metric: a healthy pond, so the alert rules do their everyday work (a
stream that raised alerts on every pond would measure the notifier instead)."""
_WIB_H = 3_600_000 * 7
# 30 days ago at 20:00 WIB: a night, so the dawn forecast keeps its window too.
T0 = ((int(time.time() * 1000) + _WIB_H) // 86_400_000 - 30) * 86_400_000 + 13 * 3_600_000


def messages(n: int, samples_per_msg: int, ponds: int = 100) -> list[tuple[str, bytes]]:
    """n messages spread over ``ponds`` devices; one metric per sample (a value = a sample)."""
    out = []
    for i in range(n):
        pond = i % ponds
        seq = i // ponds
        samples = []
        for k in range(samples_per_msg):
            j = seq * samples_per_msg + k
            metric = METRICS[k % 8]
            base, step = TYPICAL[metric]
            samples.append({"t": T0 + j * 1000, metric: round(base + step * (j % 11 - 5), 3)})
        body = {"v": 1, "seq": seq, "boot": 1, "samples": samples}
        out.append((f"kolam/v1/bench/p{pond}/n{pond}/telemetry",
                    json.dumps(body, separators=(",", ":")).encode()))
    return out


def client(port: int, client_id: str, clean: bool) -> paho.Client:
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean,
                    protocol=paho.MQTTv311)
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    c.connect("127.0.0.1", port)
    return c


def subscribe_offline(port: int, client_id: str) -> None:
    """Create the persistent session, then leave so the broker queues for it."""
    c = client(port, client_id, clean=False)
    c.loop_start()
    r = c.subscribe("kolam/v1/#", qos=1)
    time.sleep(0.3)
    assert r[0] == 0
    c.disconnect()
    c.loop_stop()


def publish_all(port: int, msgs: list[tuple[str, bytes]]) -> None:
    c = client(port, "bench-publisher", clean=True)
    c.loop_start()
    # In chunks: paho's message ids wrap at 65,535, so no more may be unacknowledged.
    for i in range(0, len(msgs), 10_000):
        infos = [c.publish(t, p, qos=1) for t, p in msgs[i:i + 10_000]]
        for info in infos:
            info.wait_for_publish(60)
    c.disconnect()
    c.loop_stop()


def bare_consumer(port: int, n: int) -> float:
    """Messages/s drained by paho with json.loads only."""
    done = threading.Event()
    state = {"count": 0, "first": 0.0, "last": 0.0}

    def on_message(_c: paho.Client, _u: object, msg: paho.MQTTMessage) -> None:
        json.loads(msg.payload)
        if state["count"] == 0:
            state["first"] = time.perf_counter()
        state["count"] += 1
        if state["count"] >= n:
            state["last"] = time.perf_counter()
            done.set()

    c = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare", clean_session=False,
                    protocol=paho.MQTTv311)
    c.on_message = on_message
    c.connect("127.0.0.1", port)
    c.loop_start()
    done.wait(600)
    c.disconnect()
    c.loop_stop()
    return n / (state["last"] - state["first"])


def metric_value(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "_total "):
                return float(line.split()[-1])
    return 0.0


ALERTS = {"enabled": True}
BATCH = {"size": 1000}


def start_ingest(broker: int, data: Path, metrics_port: int, batch: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    env.update({"KOLAM_MQTT_URL": f"mqtt://127.0.0.1:{broker}", "KOLAM_DATA_DIR": str(data),
                "KOLAM_ALERTS__ENABLED": str(ALERTS["enabled"]).lower(),
                # Ready once subscribed: messages published before that reach no one.
                "KOLAM_READY_FILE": str(data / "ready"),
                "KOLAM_INGEST__METRICS_PORT": str(metrics_port),
                "KOLAM_INGEST__BATCH_SIZE": str(batch), "KOLAM_LOG_LEVEL": "WARNING"})
    proc = subprocess.Popen([sys.executable, "-m", "kolam", "ingest"], env=env, cwd=ROOT)
    wait_for(lambda: (data / "ready").exists() or proc.poll() is not None, 60,
             what="ingest to subscribe")
    return proc


def ingest_consumer(port: int, n_values: int, workdir: Path, batch: int) -> tuple[float, float]:
    """(values stored per second, peak RSS MB) for kolam ingest draining the queue."""
    metrics_port = free_port()
    proc = start_ingest(port, workdir, metrics_port, batch)
    try:
        wait_for(lambda: _up(metrics_port), 30, what="ingest metrics")
        first = None
        while True:
            stored = metric_value(metrics_port, "kolam_ingest_samples_stored")
            if stored > 0 and first is None:
                first = (time.perf_counter(), stored)
            if stored >= n_values:
                end = time.perf_counter()
                break
            # Each scrape costs ingest CPU: poll slowly, and often only near the end.
            time.sleep(0.01 if stored > 0.95 * n_values else 0.1)
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert first is not None
    return (n_values - first[1]) / (end - first[0]), rss


def _up(port: int) -> bool:
    try:
        metric_value(port, "kolam_ingest_samples_stored")
        return True
    except OSError:
        return False


def throughput(n_msgs: int, samples_per_msg: int, repeats: int) -> dict[str, object]:
    bare, stored, rss = [], [], []
    msgs = messages(n_msgs, samples_per_msg)
    for r in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            broker = Mosquitto(Path(tmp) / "mq", persistence=False).start()
            try:
                subscribe_offline(broker.port, "bench-bare")
                subscribe_offline(broker.port, "kolam-ingest")
                publish_all(broker.port, msgs)
                bare.append(bare_consumer(broker.port, n_msgs))
                rate, mb = ingest_consumer(broker.port, n_msgs * samples_per_msg,
                                           Path(tmp) / f"data{r}", batch=BATCH["size"])
                stored.append(rate)
                rss.append(mb)
            finally:
                broker.stop()
    bare_msgs = median(bare)
    ingest_values = median(stored)
    return {
        "messages": n_msgs, "samples_per_message": samples_per_msg, "repeats": repeats,
        "bare_paho_messages_per_s": round(bare_msgs),
        "bare_paho_samples_per_s": round(bare_msgs * samples_per_msg),
        "ingest_samples_per_s": round(ingest_values),
        "ingest_messages_per_s": round(ingest_values / samples_per_msg),
        "ratio_ingest_to_bare": round(ingest_values / (bare_msgs * samples_per_msg), 3),
        "ingest_peak_rss_mb": round(max(rss), 1),
        "all_bare_messages_per_s": [round(x) for x in bare],
        "all_ingest_samples_per_s": [round(x) for x in stored],
    }


def latency(rate: int, seconds: int) -> dict[str, object]:
    """Publish one-sample messages at ``rate``/s; time until each is queryable in SQLite."""
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(Path(tmp) / "mq", persistence=False).start()
        data = Path(tmp) / "data"
        metrics_port = free_port()
        proc = start_ingest(broker.port, data, metrics_port, batch=500)
        try:
            wait_for(lambda: _up(metrics_port), 30, what="ingest metrics")
            sent: dict[int, float] = {}
            seen: dict[int, float] = {}
            stop = threading.Event()

            def poll() -> None:
                db = sqlite3.connect(data / "samples.sqlite")
                last = 0
                while not stop.is_set() or len(seen) < len(sent):
                    now = time.time()
                    rows = db.execute("SELECT t FROM samples WHERE t > ?", (last,)).fetchall()
                    for (t,) in rows:
                        seen.setdefault(t, now)
                        last = max(last, t)
                    time.sleep(0.005)
                    if stop.is_set() and time.time() - now > 10:
                        break

            c = client(broker.port, "bench-latency", clean=True)
            c.loop_start()
            poller = threading.Thread(target=poll)
            poller.start()
            t_start = time.perf_counter()
            last_t = 0
            for i in range(rate * seconds):
                target = t_start + i / rate
                while time.perf_counter() < target:
                    time.sleep(0.0005)
                wall = time.time()
                t = max(int(wall * 1000), last_t + 1)  # unique per message
                last_t = t
                sent[t] = wall
                body = {"v": 1, "seq": i, "boot": 1, "samples": [{"t": t, "do_mgl": 5.0}]}
                c.publish(f"kolam/v1/bench/p{i % 20}/n{i % 20}/telemetry",
                          json.dumps(body).encode(), qos=1)
            time.sleep(2)
            stop.set()
            poller.join(30)
            c.disconnect()
            c.loop_stop()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            broker.stop()
    lat = sorted((seen[t] - sent[t]) * 1000 for t in sent if t in seen)
    missing = len(sent) - len(lat)

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1)

    return {"rate_msgs_per_s": rate, "seconds": seconds, "published": len(sent),
            "not_seen": missing, "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--batch-messages", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--latency-seconds", type=int, default=20)
    ap.add_argument("--no-alerts", action="store_true",
                    help="Run ingest as a write-only worker (alerts.enabled=false)")
    args = ap.parse_args()
    ALERTS["enabled"] = not args.no_alerts
    results = {
        "alerts_enabled": ALERTS["enabled"],
        "one_sample_messages": throughput(args.messages, 1, args.repeats),
        "sixty_sample_messages": throughput(args.batch_messages, 60, args.repeats),
        "latency_200_per_s": latency(200, args.latency_seconds),
        "targets": {"ratio_one_sample": ">= 0.8", "samples_per_s_60": ">= 100000",
                    "peak_rss_mb": "< 150", "latency_p99_ms": "< 1000"},
    }
    write_results("ingest" if ALERTS["enabled"] else "ingest_no_alerts", results)


if __name__ == "__main__":
    main()
