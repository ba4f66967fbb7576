"""Storage benchmark: InfluxDB through ingest vs. the influxdb-client ceiling, and range
queries on SQLite and InfluxDB side by side.

1. Throughput: telemetry queued in a real Mosquitto for ingest's offline persistent
   session is drained by an ingest worker storing into a real InfluxDB, with the
   duplicate check (the default) and without it. The ceiling is the same values
   (the same points, derived metrics included) written directly with influxdb-client
   in SYNCHRONOUS mode, 50,000 points per request. Ratio = ingest / ceiling.
2. Query latency: 30 days of 1-minute data for 4 ponds (8 measured metrics each) in
   both stores; one metric of one pond over the 30 days downsampled to ~500 buckets,
   a day of raw points, and the latest values of a pond. Medians of repeated runs.

The InfluxDB here is the Debian influxd 1.6 behind the test suite's v2-write adapter
(tests/utils/influx.py), which adds one local HTTP hop to every write.

Usage: .venv/bin/python bench/storage.py [--messages 2000] [--repeats 3] [--query-runs 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
from _common import median, write_results
from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.client.write_api import SYNCHRONOUS
from paho.mqtt.enums import CallbackAPIVersion

from ingest.worker import IngestWorker
from kolam.config import load_config
from kolam.registry.repo import Registry
from kolam.science.derive import derived_values
from kolam.store import SeriesKey, SqliteStore
from kolam.store import _influxql as q
from kolam.store.influx import MEASUREMENT, InfluxSettings, InfluxStore
from tests.utils.influx import InfluxServer
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for

METRICS = ("do_mgl", "temp_c", "ph", "tan_mgl", "no2_mgl", "tds_ppm", "turbidity_ntu",
           "level_cm")
DAY_MS = 86_400_000
T0 = (int(time.time() * 1000) // DAY_MS - 40) * DAY_MS


def reading(i: int, pond: int) -> dict[str, float]:
    return {"do_mgl": round(5 + (i % 50) / 25 + pond / 10, 2), "temp_c": 28.0 + (i % 30) / 10,
            "ph": 7.0 + (i % 20) / 100, "tan_mgl": 0.5 + (i % 10) / 100,
            "no2_mgl": 0.05, "tds_ppm": 400.0 + i % 7, "turbidity_ntu": 30.0,
            "level_cm": 100.0 - (i % 5)}


def telemetry(n_msgs: int, samples_per_msg: int, devices: int = 100
              ) -> list[tuple[str, bytes]]:
    out = []
    for m in range(n_msgs):
        dev, seq = m % devices, m // devices
        samples = [{"t": T0 + (seq * samples_per_msg + k) * 60_000,
                    **reading(seq * samples_per_msg + k, dev)} for k in range(samples_per_msg)]
        out.append((f"kolam/v1/bench/p{dev}/n{dev}/telemetry",
                    json.dumps({"v": 1, "seq": seq, "boot": 1, "samples": samples}).encode()))
    return out


def lines_of(msgs: list[tuple[str, bytes]]) -> list[str]:
    """The points ingest stores for these messages (derived metrics included)."""
    out = []
    for topic, payload in msgs:
        _, _, site, pond, device, _ = topic.split("/")
        for s in json.loads(payload)["samples"]:
            values = {k: float(v) for k, v in s.items() if k != "t"}
            values |= derived_values(values)
            out.append(q.line(MEASUREMENT, q.TagSet(site, pond, device), s["t"], values))
    return out


def queue_for_ingest(port: int, msgs: list[tuple[str, bytes]]) -> None:
    sub = paho.Client(CallbackAPIVersion.VERSION2, client_id="kolam-ingest",
                      clean_session=False, protocol=paho.MQTTv311)
    sub.connect("127.0.0.1", port)
    sub.loop_start()
    sub.subscribe("kolam/v1/+/+/+/telemetry", qos=1)
    time.sleep(0.3)
    sub.disconnect()
    sub.loop_stop()
    pub = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-pub", protocol=paho.MQTTv311)
    pub.max_inflight_messages_set(1000)
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    for info in [pub.publish(t, p, qos=1) for t, p in msgs]:
        info.wait_for_publish(60)
    pub.disconnect()
    pub.loop_stop()


def ingest_rate(server: InfluxServer, msgs: list[tuple[str, bytes]], n_values: int,
                workdir: Path, check_existing: bool | None) -> float:
    """Values stored per second by an ingest worker draining the queued messages
    (into SQLite when ``check_existing`` is None: the reference)."""
    broker = Mosquitto(workdir / "mq", persistence=False).start()
    db = f"ingest_{int(time.time() * 1e6)}"
    server.create_database(db)
    try:
        queue_for_ingest(broker.port, msgs)
        config = load_config(None, data_dir=workdir / "data", mqtt_url=broker.url(),
                             store="influxdb", influx_url=server.url,
                             influx_bucket=f"{db}/autogen", log_level="WARNING",
                             ingest={"batch_size": 500, "flush_interval_ms": 200})
        store: InfluxStore | SqliteStore
        if check_existing is None:
            store = SqliteStore(config.samples_path)
        else:
            store = InfluxStore(InfluxSettings.from_config(config), check_existing=check_existing)
        registry = Registry(config.registry_url)
        worker = IngestWorker(config, store, registry)
        stored = worker.metrics.samples
        # Timed from the connection: the queue is drained from the first message on.
        started = time.perf_counter()
        worker.start()
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        wait_for(lambda: stored._value.get() >= n_values, 600, interval_s=0.005,
                 what="every value stored")
        end = time.perf_counter()
        worker.stop()
        thread.join(10)
        worker.close()
        registry.close()
        store.close()
        return n_values / (end - started)
    finally:
        broker.stop()
        server.drop_database(db)


def ceiling_rate(server: InfluxServer, lines: list[str], n_values: int,
                 chunk: int = 50_000) -> float:
    db = f"ceiling_{int(time.time() * 1e6)}"
    server.create_database(db)
    try:
        with InfluxDBClient(url=server.url, token="", org="-", timeout=60_000) as client:
            api = client.write_api(write_options=SYNCHRONOUS)
            started = time.perf_counter()
            for i in range(0, len(lines), chunk):
                api.write(bucket=f"{db}/autogen", org="-", record=lines[i:i + chunk],
                          write_precision="ms")
            return n_values / (time.perf_counter() - started)
    finally:
        server.drop_database(db)


def throughput(server: InfluxServer, n_msgs: int, samples_per_msg: int, repeats: int
               ) -> dict[str, object]:
    msgs = telemetry(n_msgs, samples_per_msg)
    lines = lines_of(msgs)
    n_values = sum(line.split(" ")[1].count("=") for line in lines)
    checked, unchecked, ceiling, sqlite = [], [], [], []
    for r in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            checked.append(ingest_rate(server, msgs, n_values, Path(tmp) / f"c{r}", True))
            unchecked.append(ingest_rate(server, msgs, n_values, Path(tmp) / f"u{r}", False))
            sqlite.append(ingest_rate(server, msgs, n_values, Path(tmp) / f"s{r}", None))
        ceiling.append(ceiling_rate(server, lines, n_values))
    c, u, top = median(checked), median(unchecked), median(ceiling)
    return {
        "messages": n_msgs, "samples_per_message": samples_per_msg,
        "values_per_message": n_values // n_msgs, "values": n_values, "repeats": repeats,
        "ceiling_influxdb_client_values_per_s": round(top),
        "ingest_values_per_s": round(c),
        "ingest_without_duplicate_check_values_per_s": round(u),
        "ratio_ingest_to_ceiling": round(c / top, 3),
        "ratio_ingest_without_check_to_ceiling": round(u / top, 3),
        "reference_ingest_into_sqlite_values_per_s": round(median(sqlite)),
        "all": {"ceiling": [round(x) for x in ceiling], "ingest": [round(x) for x in checked],
                "ingest_without_check": [round(x) for x in unchecked],
                "ingest_into_sqlite": [round(x) for x in sqlite]},
    }


def timed(fn: object, runs: int) -> float:
    assert callable(fn)
    fn()  # warm caches once, as a dashboard that was looked at before
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def queries(server: InfluxServer, workdir: Path, runs: int, ponds: int = 4, days: int = 30
            ) -> dict[str, object]:
    sqlite = SqliteStore(workdir / "samples.sqlite", synchronous="OFF")
    server.create_database("range")
    loader = InfluxStore(InfluxSettings(server.url, "range/autogen"), check_existing=False)
    # Reads go to influxd itself: /query is native on 1.x; the adapter is for writes only.
    influx = InfluxStore(InfluxSettings(server.direct_url, "range/autogen"))
    n = days * 1440
    loaded = 0
    for pond in range(ponds):
        keys = {m: SeriesKey("bench", f"kolam-{pond}", f"node-{pond}", m) for m in METRICS}
        for start in range(0, n, 10_000):
            rows = [(keys[m], T0 + i * 60_000, v) for i in range(start, min(n, start + 10_000))
                    for m, v in reading(i, pond).items()]
            sqlite.write(rows)
            loader.write(rows)
            loaded += len(rows)
    end = T0 + n * 60_000
    step = (end - T0) // 500
    out: dict[str, object] = {"values_loaded_per_store": loaded, "ponds": ponds, "days": days,
                              "step_s": step // 1000, "runs": runs}
    for name, store in (("sqlite", sqlite), ("influxdb", influx)):
        buckets = store.downsample("bench", "kolam-1", "do_mgl", T0, end, step)
        out[name] = {
            "buckets_returned": len(buckets),
            "downsample_30d_to_500_median_ms": timed(
                lambda s=store: s.downsample("bench", "kolam-1", "do_mgl", T0, end, step), runs),
            "raw_1_day_median_ms": timed(
                lambda s=store: s.raw("bench", "kolam-1", "do_mgl", end - DAY_MS, end), runs),
            "latest_values_returned": len(store.latest("bench", "kolam-1")),
            "latest_of_a_pond_median_ms": timed(
                lambda s=store: s.latest("bench", "kolam-1"), runs),
        }
    same = ([(b.t, round(b.mean, 9), b.min, b.max, b.count)
             for b in sqlite.downsample("bench", "kolam-1", "do_mgl", T0, end, step)]
            == [(b.t, round(b.mean, 9), b.min, b.max, b.count)
                for b in influx.downsample("bench", "kolam-1", "do_mgl", T0, end, step)])
    out["same_buckets_in_both"] = same
    sqlite.close()
    influx.close()
    loader.close()
    server.drop_database("range")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2_000)
    ap.add_argument("--samples-per-message", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--query-runs", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = InfluxServer(Path(tmp) / "influxdb").start()
        try:
            results = {
                "influxdb": "Debian influxd 1.6 via the v2-write test adapter",
                "throughput": throughput(server, args.messages, args.samples_per_message,
                                         args.repeats),
                "queries": queries(server, Path(tmp), args.query_runs),
            }
        finally:
            server.stop()
    write_results("storage", results)


if __name__ == "__main__":
    main()
