"""Plot one simulated week per scenario to docs/img/sim-<scenario>.png.

Usage: .venv/bin/python docs/scripts/plot_scenarios.py [scenario ...]
Each figure shows 4 ponds (seed 1) from 1 November 2026, 07:00 WIB: DO with its
saturation, temperature, pH, TAN and NH3-N, and water level, against WIB time; the
`sensor-faults` figure overlays what the most faulty node reported and marks every fault
start (colour = pond).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from firmware_sim.pond import FAULT_KINDS, SCENARIOS, PondSim, do_saturation_mgl

OUT = Path(__file__).resolve().parents[1] / "img"
WIB = timezone(timedelta(hours=7))
START = datetime(2026, 11, 1, tzinfo=UTC)
N_PONDS, DAYS = 4, 7
EVERY = 10  # plot every 10th minute: plenty for a week and keeps the PNGs small


def plot(name: str) -> Path:
    """Simulate and plot one scenario; returns the PNG path."""
    sim = PondSim(n_ponds=N_PONDS, start=START, scenario=name, seed=1)
    fr = sim.run(DAYS * 1440)
    t = np.array([datetime.fromtimestamp(ms / 1000, WIB) for ms in fr.t_ms[::EVERY]])
    tr = {k: v[::EVERY] for k, v in fr.truth.items()}
    ob = {k: v[::EVERY] for k, v in fr.observed.items()}
    faults = name == "sensor-faults"
    rows = 6 if faults else 5
    fig, axes = plt.subplots(rows, 1, figsize=(10, 2.2 * rows), sharex=True, dpi=80)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    # Overlay the readings of the node with the most fault events.
    counts = np.bincount([e.pond for e in fr.events], minlength=N_PONDS)
    shown = int(counts.argmax())

    def lines(ax, key: str, label: str) -> None:
        for p in range(N_PONDS):
            ax.plot(t, tr[key][:, p], lw=0.9, color=colours[p], label=f"pond {p}")
        if faults:
            ax.plot(t, ob[key][:, shown], ".", ms=1.5, color="k",
                    label=f"pond {shown} reported")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)

    ax = axes[0]
    lines(ax, "do_mgl", "DO (mg/L)")
    ax.plot(t, do_saturation_mgl(tr["temp_c"][:, 0]), "--", lw=0.8, color="grey",
            label="saturation (pond 0)")
    ax.axhline(2.0, color="red", lw=0.8, ls=":", label="critical 2 mg/L")
    ax.set_ylim(0, 20 if faults else None)
    ax.legend(loc="upper right", fontsize=7, ncol=3)
    lines(axes[1], "temp_c", "temperature (°C)")
    if faults:
        axes[1].set_ylim(20, 36)
    lines(axes[2], "ph", "pH")
    if faults:
        axes[2].set_ylim(6, 10)
    ax = axes[3]
    for p in range(N_PONDS):
        ax.plot(t, tr["tan_mgl"][:, p], lw=0.9, color=colours[p])
        ax.plot(t, tr["nh3_mgl"][:, p], lw=0.9, ls="--", color=colours[p])
    ax.axhline(0.1, color="orange", lw=0.8, ls=":", label="NH3-N warning 0.1")
    ax.set_ylabel("TAN (—), NH3-N (--) mg/L")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7)
    lines(axes[4], "level_cm", "level (cm)")
    if faults:
        ax = axes[5]
        kinds = sorted(FAULT_KINDS)
        for e in fr.events:
            ax.plot(datetime.fromtimestamp(e.t_ms / 1000, WIB), kinds.index(e.kind), "|",
                    ms=8, color=colours[e.pond])
        ax.set_yticks(range(len(kinds)), kinds, fontsize=7)
        ax.set_ylabel("fault starts")
        ax.grid(alpha=0.3)
    axes[-1].xaxis.set_major_locator(mdates.DayLocator(tz=WIB))
    axes[-1].xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18], tz=WIB))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=WIB))
    axes[-1].set_xlabel("WIB (UTC+7); minor ticks at 06, 12, 18")
    fig.suptitle(f"{name}: {SCENARIOS[name].description}", fontsize=9, wrap=True)
    fig.tight_layout()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"sim-{name}.png"
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    # A 64-colour palette keeps each PNG well under 150 KB with no visible loss.
    buf.seek(0)
    Image.open(buf).convert("RGB").quantize(colors=64).save(path, optimize=True)
    return path


def main() -> None:
    """Plot the scenarios named on the command line, or all of them."""
    for name in sys.argv[1:] or list(SCENARIOS):
        path = plot(name)
        print(f"{path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
