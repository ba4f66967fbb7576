"""Gateway drain after an outage, with live data flowing, and its memory.

A site of 20 ponds was cut off for 24 hours: 20 × 1440 samples at 1-minute
resolution, all 8 metrics, sit in the gateway's outbox (the nodes published them
through the local Mosquitto while the central one was down). Then the central
Mosquitto comes back with ``kolam ingest`` behind it, while every pond keeps
publishing a live sample a second. Measured:

- drain time: from the gateway's uplink coming back (its status says ``up``)
  until every backlog sample is queryable in the central store (target < 30 s);
- live latency during the drain: publish on the local broker → arrival on the
  central broker, for samples published after the uplink was back (median, max);
- peak RSS (VmHWM) of the ``kolam gateway`` process (target < 80 MB).

Usage: .venv/bin/python bench/gateway.py [--repeats 3] [--ponds 20] [--hours 24]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, median, peak_rss_mb, write_results

from kolam.mqtt import Message, MqttClient
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for

SITE = "bench"
STATUS = f"kolam/v1/{SITE}/gateway/gw-1/status"
DERIVED_PER_SAMPLE = 2  # nh3_mgl and do_sat_pct, computed by ingest


def reading(i: int, k: int) -> dict[str, float]:
    return {"do_mgl": 5.0 + (k % 50) / 10, "temp_c": 28.0 + (k % 20) / 10, "ph": 7.2,
            "tan_mgl": 0.5 + i / 100, "no2_mgl": 0.05, "tds_ppm": 400.0,
            "turbidity_ntu": 30.0, "level_cm": 95.0}


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "kolam", *args], env=base | env,
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM samples").fetchone()[0])
    except sqlite3.Error:
        return 0


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def run_once(ponds: int, hours: float, tmp: Path) -> dict[str, float]:
    local = Mosquitto(tmp / "local", persistence=False).start()
    central = Mosquitto(tmp / "central").start()
    data = tmp / "data"
    refs = [DeviceRef(SITE, f"kolam-{i}", f"node-{i}") for i in range(1, ponds + 1)]
    n = int(hours * 60)
    now = int(time.time() * 1000)
    t0 = now - n * 60_000 - 60_000
    env = {"KOLAM_DATA_DIR": str(data), "KOLAM_MQTT_URL": central.url(),
           "KOLAM_LOCAL_MQTT_URL": local.url(), "KOLAM_SITE": SITE, "KOLAM_GATEWAY_ID": "gw-1",
           "KOLAM_READY_FILE": str(tmp / "gw.ready"), "KOLAM_GATEWAY__STATUS_INTERVAL_S": "1"}
    gateway = spawn(["gateway"], env, tmp / "gateway.log")
    ingest: subprocess.Popen[bytes] | None = None
    node = MqttClient(local.mqtt, "bench-nodes")
    uplink_up: list[float] = []
    arrivals: dict[tuple[str, int], float] = {}
    live_sent: dict[tuple[str, int], float] = {}
    watcher = MqttClient(local.mqtt, "bench-watch")
    recorder = MqttClient(central.mqtt, "bench-recorder", clean_session=False)
    try:
        wait_for(lambda: (tmp / "gw.ready").exists(), 30, what="the gateway")
        central.stop()
        # 24 h of history, as the nodes published it during the outage (60 samples a message).
        node.connect()
        backlog = 0
        for start in range(0, n, 60):
            for i, ref in enumerate(refs):
                samples = tuple(Sample(t0 + k * 60_000, reading(i, k))
                                for k in range(start, min(start + 60, n)))
                node.publish(telemetry_topic(ref), encode_telemetry(Telemetry(start, 1, samples)),
                             qos=1, wait_s=30)
                backlog += len(samples)
        outbox = data / "gateway-outbox.sqlite"
        wait_for(lambda: stored(outbox) == backlog, 120, what="the backlog in the outbox")

        def on_status(msg: Message) -> None:
            if json.loads(msg.payload).get("uplink") == "up" and not uplink_up:
                uplink_up.append(time.perf_counter())

        watcher.subscribe([STATUS], on_status)
        watcher.connect()

        def on_central(msg: Message) -> None:
            at = time.perf_counter()
            device = msg.topic.split("/")[4]
            for s in json.loads(msg.payload)["samples"]:
                arrivals.setdefault((device, s["t"]), at)

        central.start()
        recorder.subscribe([f"kolam/v1/{SITE}/+/+/telemetry"], on_central)
        recorder.connect()
        ingest = spawn(["ingest"], {"KOLAM_DATA_DIR": str(data), "KOLAM_MQTT_URL": central.url(),
                                    "KOLAM_READY_FILE": str(tmp / "ingest.ready")},
                       tmp / "ingest.log")
        wait_for(lambda: (tmp / "ingest.ready").exists(), 30, what="ingest")
        stop_live = threading.Event()

        def live() -> None:
            k = 0
            while not stop_live.is_set():
                t = now + k * 1000
                for i, ref in enumerate(refs):
                    live_sent[(ref.device, t)] = time.perf_counter()
                    node.publish(telemetry_topic(ref), encode_telemetry(
                        Telemetry(10_000 + k, 1, (Sample(t, reading(i, k)),))), qos=1)
                k += 1
                stop_live.wait(1.0)

        feeder = threading.Thread(target=live)
        feeder.start()
        want = backlog * (8 + DERIVED_PER_SAMPLE)
        samples_db = data / "samples.sqlite"
        try:
            wait_for(lambda: uplink_up, 60, what="the uplink")
            wait_for(lambda: sum(1 for key in arrivals if key[1] < now) >= backlog, 120,
                     interval_s=0.05, what="the backlog on the central broker")
            wait_for(lambda: stored(samples_db) >= want, 120, interval_s=0.1,
                     what="the backlog in the central store")
            drained = time.perf_counter()
        finally:
            stop_live.set()
            feeder.join(10)
        rss = peak_rss_mb(gateway.pid)
        # Live = published after the uplink was back (earlier ones are backlog by design).
        lat = [arrivals[key] - sent for key, sent in live_sent.items()
               if key in arrivals and sent >= uplink_up[0]]
        return {"backlog_samples": backlog, "backlog_values": backlog * 8,
                "drain_s": drained - uplink_up[0], "live_samples_during_drain": len(lat),
                "live_latency_median_s": median(lat) if lat else float("nan"),
                "live_latency_max_s": max(lat) if lat else float("nan"),
                "gateway_peak_rss_mb": rss}
    finally:
        for client in (node, watcher, recorder):
            client.close()
        if ingest is not None:
            stop(ingest)
        stop(gateway)
        central.stop()
        local.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ponds", type=int, default=20)
    parser.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args()
    runs = []
    for r in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="kolam-bench-gw-") as tmp:
            runs.append(run_once(args.ponds, args.hours, Path(tmp)))
        print(f"run {r + 1}: {json.dumps(runs[-1])}", flush=True)
    keys = [k for k in runs[0] if isinstance(runs[0][k], float)]
    write_results("gateway", {
        "scenario": f"{args.ponds} ponds × {args.hours:g} h at 1-minute resolution, 8 metrics, "
                    "drained after the outage while every pond publishes live each second",
        "config": "gateway defaults (drain_rate_samples_s=2000, samples_per_message=500, "
                  "max_inflight_messages=16); ingest defaults; Mosquitto 2 both sides",
        "targets": {"drain_s": 30, "gateway_peak_rss_mb": 80},
        "medians": {k: median([r[k] for r in runs]) for k in keys},
        "runs": runs,
    })


if __name__ == "__main__":
    main()
