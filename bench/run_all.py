"""Run every benchmark in bench/, one after another (``make bench``).

Each benchmark is its own script and writes its own ``bench/results/NAME.json``; this
runner only sequences them (they share the machine: never two at once), reports which
failed, and exits non-zero if any did. The full runs take a long while (the ingest and
gateway benches alone tens of minutes on 2 cores).

``--quick`` runs each with small sizes to check the wiring; its numbers mean nothing,
so its results go to a separate directory (``--results``, default a new temporary one)
and never overwrite the committed ``bench/results/``.

Usage: .venv/bin/python bench/run_all.py [--only NAME]... [--quick] [--results DIR] [--list]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS_ENV = "BENCH_RESULTS_DIR"
"""Read by ``_common.write_results`` and ``sim_ponds.py``: where results are written."""


@dataclass(frozen=True, slots=True)
class Bench:
    """One benchmark run: a script, its arguments for a full and for a quick run."""

    name: str
    script: str
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    """Smaller sizes for ``--quick``; empty when the script has no size options."""


_INGEST_QUICK = ("--messages", "2000", "--batch-messages", "200", "--repeats", "1",
                 "--latency-seconds", "3")
BENCHES = (
    Bench("sim_ponds", "sim_ponds.py", quick=("--ponds", "50", "--days", "1", "--runs", "1")),
    Bench("dawn_forecast", "dawn_forecast.py", quick=("--days", "4")),
    Bench("storage", "storage.py", quick=("--messages", "200", "--repeats", "1",
                                          "--query-runs", "3")),
    Bench("ingest", "ingest.py", quick=_INGEST_QUICK),
    Bench("ingest_no_alerts", "ingest.py", full=("--no-alerts",),
          quick=("--no-alerts", *_INGEST_QUICK)),
    Bench("alerts", "alerts.py", quick=("--trials", "5", "--ponds", "10")),
    Bench("gateway", "gateway.py", quick=("--repeats", "1", "--ponds", "2", "--hours", "1")),
    Bench("pages", "pages.py"),
    Bench("control", "control.py", quick=("--breaches", "10")),
    Bench("retention", "retention.py", full=("--repeats", "5"),
          quick=("--repeats", "1", "--prune-days", "2")),
    Bench("retention_influx", "retention.py", full=("--influx", "--repeats", "3"),
          quick=("--influx", "--repeats", "1")),
    Bench("scale", "scale.py", quick=("--sites", "5", "--raw-ponds", "2", "--runs", "3")),
    Bench("national", "national.py", quick=("--sites", "20", "--runs", "1")),
)


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Run every benchmark in bench/ in turn.")
    ap.add_argument("--only", action="append", metavar="NAME",
                    choices=[b.name for b in BENCHES],
                    help="run only this benchmark (repeatable); names: "
                         + ", ".join(b.name for b in BENCHES))
    ap.add_argument("--quick", action="store_true",
                    help="small sizes, to check the wiring; results go to --results")
    ap.add_argument("--results", type=Path, metavar="DIR",
                    help="where the JSON results go (default: bench/results, or a new "
                         "temporary directory with --quick)")
    ap.add_argument("--list", action="store_true", help="print the benchmarks and exit")
    return ap.parse_args()


def main() -> int:
    """Run the selected benchmarks in order; the exit status is the number that failed."""
    args = _args()
    selected = [b for b in BENCHES if not args.only or b.name in args.only]
    if args.list:
        for b in BENCHES:
            print(f"{b.name:18} bench/{b.script} {' '.join(b.full)}")
        return 0
    env = dict(os.environ)
    results = args.results
    if results is None and args.quick:
        results = Path(tempfile.mkdtemp(prefix="kolam-bench-quick-"))
    if results is not None:
        env[RESULTS_ENV] = str(results.resolve())
    failed: list[str] = []
    for b in selected:
        cmd = [sys.executable, str(BENCH / b.script), *(b.quick if args.quick else b.full)]
        print(f"=== {b.name}: {' '.join(cmd[1:])}", flush=True)
        started = time.monotonic()
        code = subprocess.call(cmd, cwd=BENCH.parent, env=env)
        took = time.monotonic() - started
        print(f"=== {b.name}: {'ok' if code == 0 else f'FAILED (exit {code})'} "
              f"in {took:.0f} s", flush=True)
        if code != 0:
            failed.append(b.name)
    where = results if results is not None else BENCH / "results"
    print(f"{len(selected) - len(failed)} of {len(selected)} benchmarks ran; results in {where}"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return len(failed)


if __name__ == "__main__":
    sys.exit(main())
