"""Benchmark: simulate 1,000 ponds for 7 days at 1-minute steps on one core.

Runs the `normal` scenario three times (plus `sensor-faults` once, for the fault path),
reports the median wall time and writes bench/results/sim_ponds.json with machine info.
Usage: .venv/bin/python bench/sim_ponds.py [--ponds 1000] [--days 7] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# One core: pin the BLAS/OpenMP pools before numpy is first imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402  (after the thread pinning above)

from firmware_sim.pond import PondSim  # noqa: E402

# bench/run_all.py --quick points this elsewhere, so small runs never replace real results.
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR")
               or Path(__file__).resolve().parent / "results") / "sim_ponds.json"
TARGET_S = 10.0


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or the platform's best guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def one_run(n_ponds: int, days: int, scenario: str) -> float:
    """Wall seconds to build the simulator and run it day by day (1,440 steps per chunk)."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    sim = PondSim(n_ponds=n_ponds, start=start, step_s=60.0, scenario=scenario, seed=1)
    for _ in range(days):
        frames = sim.run(1440)  # a day at a time keeps memory ~100 MB at 1,000 ponds
    elapsed = time.perf_counter() - t0
    assert np.isfinite(frames.truth["do_mgl"]).all()
    return elapsed


def main() -> None:
    """Run the benchmark and write the results JSON."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ponds", type=int, default=1000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    times = [one_run(args.ponds, args.days, "normal") for _ in range(args.runs)]
    faults = one_run(args.ponds, args.days, "sensor-faults")
    median = statistics.median(times)
    steps = args.days * 1440
    result = {
        "benchmark": "sim_ponds",
        "ponds": args.ponds,
        "days": args.days,
        "step_s": 60.0,
        "steps": steps,
        "scenario": "normal",
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(median, 3),
        "sensor_faults_s": round(faults, 3),
        "pond_steps_per_s": round(args.ponds * steps / median),
        "target_s": TARGET_S,
        "meets_target": median < TARGET_S,
        "machine": {
            "cpu_model": cpu_model(),
            "cores": os.cpu_count(),
            "threads_used": 1,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.ponds} ponds × {args.days} d at 60 s: median {median:.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)}; sensor-faults {faults:.2f} s) "
          f"on {result['machine']['cpu_model']}")


if __name__ == "__main__":
    main()
