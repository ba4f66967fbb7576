"""A 30-day chart at national scale: hourly roll-ups vs raw values, on one SQLite file.

Seeds ``--sites`` × ``--ponds`` ponds, 10 series each (8 measured metrics and the 2
derived ones), with ``--rollup-days`` of hourly roll-ups (written in SQL, not through
ingest: the read is what is measured), and ``--raw-ponds`` of those ponds with the same
days of raw values at ``--raw-step-s``. Then a pond page's 30-day charts (every metric of
the pond at a 1-hour step, what ``api/pages/charts.py`` asks for) are timed:

- from roll-ups, with this code's ``SqliteStore.downsample``;
- from raw values, with the ``SqliteStore`` of ``--baseline`` (today's code, which
  ignores the roll-up tables) on the same file, in a subprocess.

Raw values exist for a subset of ponds only: 5,000 ponds × 30 days at 1 minute would be
2.2 billion rows, more than this machine's disk holds; a raw read costs the rows of its
own pond (a range of the primary key), so the subset times it honestly. Medians of
``--runs`` charts of random ponds, cold pages excluded by one warm-up read each.

Usage: .venv/bin/python bench/scale.py [--sites 500] [--ponds 10] [--rollup-days 30]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, write_results

from kolam.store import SqliteStore

METRICS = ("do_mgl", "temp_c", "ph", "tan_mgl", "no2_mgl", "tds_ppm", "turbidity_ntu",
           "level_cm", "nh3_mgl", "do_sat_pct")
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
END = (int(time.time() * 1000) // HOUR_MS) * HOUR_MS

TIME_CHARTS = """
import random, statistics, sys, time
from kolam.store import SqliteStore
path, ponds, runs, start, end, step = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), \\
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
metrics = sys.argv[7].split(",")
store = SqliteStore(path)
rng = random.Random(7)
times, rows = [], 0
for i in range(runs + 1):
    site, pond = rng.choice(ponds).split("/")
    t = time.perf_counter()
    rows = sum(len(store.downsample(site, pond, m, start, end, step)) for m in metrics)
    if i:  # the first read warms the caches
        times.append(time.perf_counter() - t)
print(statistics.median(times) * 1000, max(times) * 1000, rows)
"""


def seed(path: Path, sites: int, ponds: int, days: int, raw_ponds: int, raw_step_s: int
         ) -> dict[str, object]:
    SqliteStore(path).close()  # the schema, as the store makes it
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO series (site, pond, device, metric) VALUES (?, ?, ?, ?)",
                     [(f"site-{s:03d}", f"kolam-{p}", f"node-{p}", m) for s in range(sites)
                      for p in range(ponds) for m in METRICS])
    conn.execute("COMMIT")
    start = END - days * DAY_MS
    hours = days * 24
    # Plausible hourly roll-ups: a daily swing per series, 60 values an hour.
    conn.execute("BEGIN")
    conn.execute(
        """WITH RECURSIVE h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i < ?)
           INSERT INTO rollup_1h
           SELECT s.id, ? + h.i * 3600000, 60 * (5 + ((s.id * 7 + h.i) % 24) / 10.0),
                  4.5 + ((s.id * 7 + h.i) % 24) / 10.0, 5.5 + ((s.id * 7 + h.i) % 24) / 10.0, 60
           FROM series s CROSS JOIN h ORDER BY s.id, h.i""", (hours - 1, start))
    conn.execute("COMMIT")
    rollup_s = time.perf_counter() - started
    per_hour = 3600 // raw_step_s
    conn.execute("BEGIN")
    conn.execute(
        """WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
           INSERT INTO samples
           SELECT s.id, ? + k.i * ?, 5 + ((s.id * 7 + k.i / ?) % 24) / 10.0 + (k.i % 7) / 70.0
           FROM series s CROSS JOIN k WHERE s.site = 'site-000' AND s.pond IN ("""
        + ",".join("?" * raw_ponds) + ") ORDER BY s.id, k.i",
        (hours * per_hour - 1, start, raw_step_s * 1000, per_hour,
         *[f"kolam-{p}" for p in range(raw_ponds)]))
    conn.execute("INSERT INTO store_meta VALUES ('rolled_up_to', ?) ON CONFLICT (key) "
                 "DO UPDATE SET value = excluded.value", (END,))
    conn.execute("COMMIT")
    counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
              for t in ("series", "rollup_1h", "samples")}
    conn.close()
    return {"rows": counts, "seed_seconds": round(time.perf_counter() - started, 1),
            "rollup_seed_seconds": round(rollup_s, 1), "file_gb": round(
                path.stat().st_size / 1e9, 2)}


def time_charts(code_root: Path, path: Path, ponds: list[str], runs: int, start: int
                ) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", TIME_CHARTS, str(path), ",".join(ponds), str(runs), str(start),
         str(END), str(HOUR_MS), ",".join(METRICS)],
        cwd=code_root, env={**os.environ, "PYTHONPATH": str(code_root)},
        check=True, capture_output=True, text=True)
    median_ms, max_ms, rows = out.stdout.split()
    return {"median_ms": round(float(median_ms), 1), "max_ms": round(float(max_ms), 1),
            "buckets_per_page": int(rows)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--ponds", type=int, default=10)
    ap.add_argument("--rollup-days", type=int, default=30)
    ap.add_argument("--raw-ponds", type=int, default=10)
    ap.add_argument("--raw-step-s", type=int, default=60)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--baseline", type=Path, default=Path("/work/main"))
    ap.add_argument("--dir", type=Path, default=None, help="Where the file goes (big)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "scale.sqlite"
        seeded = seed(path, args.sites, args.ponds, args.rollup_days, args.raw_ponds,
                      args.raw_step_s)
        start = END - 30 * DAY_MS
        rng = random.Random(1)
        everywhere = [f"site-{rng.randrange(args.sites):03d}/kolam-{rng.randrange(args.ponds)}"
                      for _ in range(50)]
        with_raw = [f"site-000/kolam-{p}" for p in range(args.raw_ponds)]
        results = {
            "sites": args.sites, "ponds_per_site": args.ponds, "series_per_pond": len(METRICS),
            "rollup_days": args.rollup_days, "raw_ponds": args.raw_ponds,
            "raw_step_s": args.raw_step_s, "seed": seeded,
            "pond_page_30d_charts": {
                "metrics_per_page": len(METRICS), "step_s": 3600,
                "rollups_random_ponds": time_charts(ROOT, path, everywhere, args.runs, start),
                "rollups_raw_ponds": time_charts(ROOT, path, with_raw, args.runs, start),
                "raw_today_code": time_charts(args.baseline, path, with_raw, args.runs,
                                              start),
                "baseline": str(args.baseline)},
        }
    write_results("scale", results)


if __name__ == "__main__":
    main()
