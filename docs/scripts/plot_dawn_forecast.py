"""Plot a few nights of the dawn DO forecast to docs/img/dawn-forecast.png.

Usage: .venv/bin/python docs/scripts/plot_dawn_forecast.py
Each panel is one night of the benchmark's independent night model (``bench/_nights.py``)
or the simulator: the true DO, what the probe read, the true minimum still to come (to
sunrise + 1 h), and what each method forecast for dawn as the night went on (Kolam's,
Kolam's told the aerators where the night has them, Madenjian's straight line, the
previous exponential). Shaded: where Kolam said ``unreliable``; dotted verticals: the
aerator switches the relay confirms.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from _baselines import BASELINES  # noqa: E402
from _nights import Night, make_night  # noqa: E402
from dawn_forecast import AERATED, run  # noqa: E402

from firmware_sim.pond import SCENARIOS, PondSim  # noqa: E402
from kolam.alerts.aerators import AeratorPlan  # noqa: E402
from kolam.alerts.forecast import DAYTIME, DawnForecast  # noqa: E402
from kolam.science.sun import last_sunset_ms, next_sunrise_ms  # noqa: E402

OUT = ROOT / "docs" / "img" / "dawn-forecast.png"
WIB = timezone(timedelta(hours=7))
H = 3_600_000


def _sim_night() -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    f = PondSim(1, datetime(2026, 11, 1, tzinfo=UTC), 60.0, SCENARIOS["aerator-failure"],
                301).run(4 * 1440)
    return ("simulator: aerator-failure, power cut 23:00", f.t_ms,
            f.truth["do_mgl"][:, 0], f.observed["do_mgl"][:, 0])


def _forecasts(t_ms: np.ndarray, obs: np.ndarray,
               night: Night | None = None) -> dict[str, tuple[list[int], list[float]]]:
    ok = ~np.isnan(obs)
    ts, vs = t_ms[ok].tolist(), obs[ok].tolist()
    out: dict[str, tuple[list[int], list[float]]] = {}
    if night is not None and night.aerator_events:
        plan = AeratorPlan(night.keep_on) if night.keep_on is not None else None
        r = run(AERATED, t_ms, obs, night.aerator_events, plan)
        keep = r.v != DAYTIME
        out["Kolam, told the aerators"] = (r.t[keep].tolist(), r.v[keep].tolist())
    for name, make in (("Kolam", DawnForecast), ("linear (Madenjian)", BASELINES["linear"]),
                       ("exponential (before)", BASELINES["exp-v1"])):
        got = [(t, v) for t, v, _ in make().add_many(ts, vs) if v != DAYTIME]
        out[name] = ([t for t, _ in got], [v for _, v in got])
    return out


def _unreliable(t_ms: np.ndarray, obs: np.ndarray) -> list[int]:
    fc, bad = DawnForecast(), []
    for t, v in zip(t_ms.tolist(), obs.tolist(), strict=True):
        if v == v:
            fc.add(t, v)
        if fc.estimate is not None and fc.estimate.state == "unreliable":
            bad.append(t)
    return bad


def main() -> None:
    panels: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, Night | None]] = []
    for kind, i, title in (("aerator-fails-01", 3, "22:00 aerator fails at 01:00"),
                           ("aerator-holds", 4, "22:00 aerator runs till morning"),
                           ("linear", 2, "straight-line decline"),
                           ("power-cut", 5, "22:00 aerator, power cut mid-night"),
                           ("mixing", 1, "stratified pond mixing after dusk")):
        n = make_night(kind, i)
        panels.append((f"night model: {title}", n.t_ms, n.true_do, n.obs_do, n))
    name, t_ms, true_do, obs = _sim_night()
    dusk = last_sunset_ms(int(t_ms[0]) + 2 * 24 * H + 14 * H)
    sel = (t_ms >= dusk - 2 * H) & (t_ms <= next_sunrise_ms(dusk) + 2 * H)
    panels.append((name, t_ms[sel], true_do[sel], obs[sel], None))
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 3.1 * len(panels)))
    colours = {"Kolam": "#1b7837", "Kolam, told the aerators": "#762a83",
               "linear (Madenjian)": "#b2182b", "exponential (before)": "#2166ac"}
    for ax, (title, t, true, ob, n) in zip(axes, panels, strict=True):
        when = [datetime.fromtimestamp(x / 1000, WIB) for x in t.tolist()]
        ax.plot(when, ob, color="#bbbbbb", lw=0.8, label="probe reading")
        ax.plot(when, true, color="black", lw=1.4, label="true DO")
        dusk_ms = last_sunset_ms(int(t[len(t) // 2]))
        sunrise = next_sunrise_ms(dusk_ms)
        night = (t >= dusk_ms) & (t <= sunrise + H)
        # What the forecast claims at each moment: the lowest true DO still to come.
        rest = np.minimum.accumulate(true[night][::-1])[::-1]
        ax.plot([w for w, n in zip(when, night, strict=True) if n], rest, color="black",
                ls=":", lw=1, label="true minimum still to come")
        ax.axhline(2.0, color="#d6604d", ls="--", lw=0.8)
        for sw in n.switches_ms if n is not None else ():
            ax.axvline(datetime.fromtimestamp(sw / 1000, WIB), color="#762a83", ls=":", lw=0.8)
        for label, (ft, fv) in _forecasts(t, ob, n).items():
            ax.step([datetime.fromtimestamp(x / 1000, WIB) for x in ft], fv, where="post",
                    color=colours[label], lw=1.2, label=f"dawn forecast: {label}")
        for x in _unreliable(t, ob)[::5]:
            ax.axvspan(datetime.fromtimestamp(x / 1000, WIB),
                       datetime.fromtimestamp((x + 300_000) / 1000, WIB),
                       color="#fee08b", alpha=0.5, lw=0)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel("DO (mg/L)")
        ax.set_ylim(0, max(12.0, float(np.nanmax(true)) + 0.5))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=WIB))
    axes[0].legend(fontsize=7, ncol=3, loc="upper right")
    axes[-1].set_xlabel("WIB; yellow: Kolam says 'unreliable'; dashed: 2 mg/L")
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=90)
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
