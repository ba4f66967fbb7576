"""Retention and roll-ups on SQLite: disk per pond-year, write cost, pruning beside ingest.

1. Disk: one pond (one node, the 8 measured metrics + the 2 derived ones ingest stores, so
   10 values per reading) at a 10 s interval, written in ingest-sized batches for a week
   and, separately, for a month. Bytes per table from SQLite's ``dbstat`` (pages in use,
   their slack included), per day; a pond-year is extrapolated as ``raw_days`` of raw
   values plus 365 days of both roll-ups, and the week and the month must agree per day.
2. Write cost: a day of 4 ponds in ingest-sized batches into a fresh file, with this code
   and with the code of ``--baseline`` (a checkout without roll-ups), alternated,
   ``--repeats`` times each; values stored per second. (Writes above the roll-up
   watermark pay nothing for roll-ups; the minute pass's cost is in 3.)
3. Retention beside ingest: a file holding ``--prune-days`` days of 4 ponds, not yet
   rolled up; one thread writes batches as fast as it can (ingest's worker) for as long
   as the other thread takes to roll the file up (its first pass: catching up all of it,
   the heaviest roll-up there is) and prune all but the last day; then the same length
   of time without them. Write rate and the slowest commits, with and without.

4. ``--influx`` (instead of 1-3, to ``retention_influx.json``): the InfluxDB store's
   write rate with its roll-ups (recomputed per batch) and with them switched off, on
   the test suite's real ``influxd`` 1.6, alternated ``--repeats`` times.

Usage: .venv/bin/python bench/retention.py [--repeats 3] [--baseline /work/main] [--influx]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from _common import ROOT, write_results

from kolam.science.derive import derived_values
from kolam.store import SeriesKey, SqliteStore

METRICS = ("do_mgl", "temp_c", "ph", "tan_mgl", "no2_mgl", "tds_ppm", "turbidity_ntu",
           "level_cm")
DAY_MS = 86_400_000
INTERVAL_MS = 10_000
BATCH_ROWS = 5_000
"""Values per write: ingest's batch of 500 one-reading messages of 10 values."""
T0 = (int(time.time() * 1000) // DAY_MS - 400) * DAY_MS

WRITE_LOOP = """
import sys, time
from kolam.store import SeriesKey, SqliteStore
def reading(i, pond):
    return {"do_mgl": round(5 + (i % 50) / 25 + pond / 10, 2), "temp_c": 28.0 + (i % 30) / 10,
            "ph": 7.0 + (i % 20) / 100, "tan_mgl": 0.5 + (i % 10) / 100, "no2_mgl": 0.05,
            "tds_ppm": 400.0 + i % 7, "turbidity_ntu": 30.0, "level_cm": 100.0 - (i % 5),
            "nh3_mgl": 0.01 + (i % 9) / 1000, "do_sat_pct": 70.0 + (i % 40) / 2}
def batches(ponds, readings, t0):
    rows = []
    for i in range(readings):
        for p in range(ponds):
            for m, v in reading(i, p).items():
                rows.append((SeriesKey("bench", f"kolam-{p}", f"node-{p}", m), t0 + i * 10_000, v))
                if len(rows) == 5000:
                    yield rows
                    rows = []
    if rows:
        yield rows
path, ponds, readings, t0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = SqliteStore(path)
all_batches = list(batches(ponds, readings, t0))
n = sum(len(b) for b in all_batches)
started = time.perf_counter()
for b in all_batches:
    store.write(b)
print(n / (time.perf_counter() - started))
store.close()
"""


def reading(i: int, pond: int) -> dict[str, float]:
    values = {"do_mgl": round(5 + (i % 50) / 25 + pond / 10, 2), "temp_c": 28.0 + (i % 30) / 10,
              "ph": 7.0 + (i % 20) / 100, "tan_mgl": 0.5 + (i % 10) / 100,
              "no2_mgl": 0.05, "tds_ppm": 400.0 + i % 7, "turbidity_ntu": 30.0,
              "level_cm": 100.0 - (i % 5)}
    return values | derived_values(values)


def batches(ponds: int, start: int, end: int) -> Iterator[list[tuple[SeriesKey, int, float]]]:
    """Ingest-sized batches of ``ponds`` ponds' readings, made as they are consumed."""
    rows: list[tuple[SeriesKey, int, float]] = []
    keys: dict[tuple[int, str], SeriesKey] = {}
    for i, t in enumerate(range(start, end, INTERVAL_MS)):
        for p in range(ponds):
            for m, v in reading(i, p).items():
                key = keys.get((p, m))
                if key is None:
                    key = keys[(p, m)] = SeriesKey("bench", f"kolam-{p}", f"node-{p}", m)
                rows.append((key, t, v))
                if len(rows) == BATCH_ROWS:
                    yield rows
                    rows = []
    if rows:
        yield rows


def table_bytes(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    return {str(name): int(size) for name, size in rows}


def disk(days: int, workdir: Path) -> dict[str, object]:
    path = workdir / f"disk_{days}d.sqlite"
    store = SqliteStore(path, synchronous="OFF")  # durability does not change the layout
    values = 0
    for batch in batches(1, T0, T0 + days * DAY_MS):
        values += store.write(batch).written
    store.roll_up(T0 + days * DAY_MS + 5 * 60_000, pause_s=0)
    store.close()
    sizes = table_bytes(path)
    raw = sizes.get("samples", 0)
    r5, r1 = sizes.get("rollup_5m", 0), sizes.get("rollup_1h", 0)
    return {"days": days, "values": values, "bytes_per_value_raw": round(raw / values, 2),
            "raw_bytes_per_day": round(raw / days), "rollup_5m_bytes_per_day": round(r5 / days),
            "rollup_1h_bytes_per_day": round(r1 / days), "tables_bytes": sizes,
            "file_bytes": path.stat().st_size}


def write_rate(code_root: Path, workdir: Path, tag: str) -> float:
    """Values per second written by the SqliteStore of ``code_root`` (a subprocess)."""
    path = workdir / f"rate_{tag}_{time.monotonic_ns()}.sqlite"
    readings = 8640  # a day of 4 ponds at 10 s: 345,600 values
    out = subprocess.run(
        [sys.executable, "-c", WRITE_LOOP, str(path), "4", str(readings), str(T0)],
        cwd=code_root, env={**os.environ, "PYTHONPATH": str(code_root)},
        check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def beside_pruning(days: int, workdir: Path) -> dict[str, object]:
    path = workdir / "prune.sqlite"
    store = SqliteStore(path, synchronous="OFF")
    end = T0 + days * DAY_MS
    for batch in batches(4, T0, end):
        store.write(batch)
    store.close()
    stored = days * 8640 * 4 * 10
    live = batches(4, end, end + 365 * DAY_MS)  # what ingest writes meanwhile

    def writer(store: SqliteStore, seconds: float, out: dict[str, object],
               stop: threading.Event) -> None:
        commits: list[float] = []
        n = 0
        started = time.perf_counter()
        for batch in live:
            if stop.is_set() or time.perf_counter() - started >= seconds:
                break
            t = time.perf_counter()
            n += store.write(batch).written
            commits.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
        commits.sort()
        out.update(values_per_s=round(n / elapsed), batches=len(commits),
                   commit_ms_median=round(statistics.median(commits) * 1000, 1),
                   commit_ms_p99=round(commits[int(len(commits) * 0.99)] * 1000, 1),
                   commit_ms_max=round(commits[-1] * 1000, 1), seconds=round(elapsed, 1))

    store = SqliteStore(path)  # synchronous=FULL, as ingest and the pass run
    with_pass: dict[str, object] = {}
    stop = threading.Event()
    thread = threading.Thread(target=writer, args=(store, 3600.0, with_pass, stop))
    thread.start()
    started = time.perf_counter()
    buckets = store.roll_up(end + 5 * 60_000)  # the file's first pass: catching up
    rollup_s = time.perf_counter() - started
    result = store.prune_raw(lambda site: end - DAY_MS, batch_rows=5000, pause_s=0.02)
    prune_s = time.perf_counter() - started - rollup_s
    stop.set()
    thread.join()
    alone: dict[str, object] = {}
    writer(store, rollup_s + prune_s, alone, threading.Event())
    store.close()
    return {"stored_values": stored, "rollup_buckets": buckets,
            "rollup_catch_up_seconds": round(rollup_s, 1), "pruned_values": result.deleted,
            "prune_transactions": result.transactions, "prune_seconds": round(prune_s, 1),
            "pruned_values_per_s": round(result.deleted / prune_s),
            "writer_during_pass": with_pass, "writer_alone": alone,
            "write_rate_ratio": round(float(with_pass["values_per_s"])  # type: ignore[arg-type]
                                      / float(alone["values_per_s"]), 3)}  # type: ignore[arg-type]


def influx_cost(repeats: int, workdir: Path) -> dict[str, object]:
    from kolam.store import _influxql as q
    from kolam.store.influx import InfluxSettings, InfluxStore
    from tests.utils.influx import InfluxServer

    class NoRollups(InfluxStore):
        def _write_rollups(self, points: dict[q.TagSet, dict[int, dict[str, float]]]) -> None:
            pass

    server = InfluxServer(workdir / "influx").start()
    rates: dict[str, list[float]] = {"with_rollups": [], "without_rollups": []}
    try:
        for i in range(repeats):
            for name, cls in (("with_rollups", InfluxStore), ("without_rollups", NoRollups)):
                db = f"bench_{name}_{i}"
                server.create_database(db)
                store = cls(InfluxSettings(server.url, f"{db}/autogen"))
                day = list(batches(4, T0, T0 + DAY_MS // 4))  # 6 h of 4 ponds: 86,400 values
                started = time.perf_counter()
                n = sum(store.write(b).written for b in day)
                rates[name].append(n / (time.perf_counter() - started))
                store.close()
                server.drop_database(db)
    finally:
        server.stop()
    return {"values_per_s": {k: [round(x) for x in v] for k, v in rates.items()},
            "median_ratio": round(statistics.median(rates["with_rollups"])
                                  / statistics.median(rates["without_rollups"]), 3),
            "server": "influxd 1.6 behind the v2-write adapter (tests/utils/influx.py)"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=Path("/work/main"),
                    help="A checkout without roll-ups, for the write cost")
    ap.add_argument("--prune-days", type=int, default=10)
    ap.add_argument("--raw-days", type=int, default=90)
    ap.add_argument("--influx", action="store_true", help="Only the InfluxDB write cost")
    args = ap.parse_args()
    if args.influx:
        with tempfile.TemporaryDirectory() as tmp:
            write_results("retention_influx", influx_cost(args.repeats, Path(tmp)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spans = [disk(7, work), disk(30, work)]
        month = spans[1]
        raw_day = int(month["raw_bytes_per_day"])  # type: ignore[call-overload]
        roll_day = (int(month["rollup_5m_bytes_per_day"])  # type: ignore[call-overload]
                    + int(month["rollup_1h_bytes_per_day"]))  # type: ignore[call-overload]
        pond_year = raw_day * args.raw_days + roll_day * 365
        ours: list[float] = []
        base: list[float] = []
        for _ in range(args.repeats):
            ours.append(write_rate(ROOT, work, "rollups"))
            base.append(write_rate(args.baseline, work, "baseline"))
        pruning = beside_pruning(args.prune_days, work)
    results = {
        "disk": {
            "spans": spans,
            "method": "one pond, 10 values per reading at 10 s; dbstat bytes of pages in use",
            "raw_days": args.raw_days,
            "pond_year_bytes": pond_year,
            "pond_year_mb": round(pond_year / 1e6, 1),
            "each_further_year_mb": round(roll_day * 365 / 1e6, 1),
            "site_of_20_ponds_year_gb": round(pond_year * 20 / 1e9, 2),
            "without_retention_pond_year_mb": round(raw_day * 365 / 1e6, 1),
        },
        "write": {"values_per_s_with_rollups": [round(x) for x in ours],
                  "values_per_s_baseline": [round(x) for x in base],
                  "median_ratio": round(statistics.median(ours) / statistics.median(base), 3),
                  "baseline": str(args.baseline)},
        "pruning_beside_ingest": pruning,
    }
    write_results("retention", results)
    json.dumps(results)


if __name__ == "__main__":
    main()
