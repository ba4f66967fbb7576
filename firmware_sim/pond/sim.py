"""PondSim: the simulated ponds and their sensor nodes, stepped together through time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from firmware_sim.pond.device import PowerSupply
from firmware_sim.pond.faults import FaultEvent
from firmware_sim.pond.metrics import METRICS
from firmware_sim.pond.model import TRUTH_KEYS, PondModel, initial_state
from firmware_sim.pond.params import PondParams, draw_params
from firmware_sim.pond.scenarios import SCENARIOS, Scenario
from firmware_sim.pond.sensors import SensorModel
from firmware_sim.pond.sun import WIB_OFFSET_S, local_day_index
from firmware_sim.pond.weather import PondWeather, Weather

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
SPIN_UP_DAYS = 3  # settle the daily cycles before the first reported step
SPIN_UP_STEP_S = 600.0


@dataclass(frozen=True, slots=True)
class Frame:
    """One step: true and observed values of every pond (arrays of shape (n_ponds,))."""

    t_ms: int
    truth: dict[str, F64]
    observed: dict[str, F64]
    battery_v: F64
    boot: I64
    seq: I64
    online: NDArray[np.bool_]
    clock_skew_ms: I64
    aerator_on: NDArray[np.bool_]
    events: list[FaultEvent]
    incidents: list[FaultEvent]


@dataclass(frozen=True, slots=True)
class Frames:
    """Many steps: like Frame with arrays of shape (n_steps, n_ponds), t_ms (n_steps,)."""

    t_ms: I64
    truth: dict[str, F64]
    observed: dict[str, F64]
    battery_v: F64
    boot: I64
    seq: I64
    online: NDArray[np.bool_]
    clock_skew_ms: I64
    aerator_on: NDArray[np.bool_]
    events: list[FaultEvent]
    incidents: list[FaultEvent]


class PondSim:
    """Simulated ponds of one site with one sensor node each, deterministic from `seed`.

    `step()` and `run(n)` go through the same per-step path, so n calls of step() and one
    run(n) give identical arrays. Times are UTC; scenarios schedule events in WIB.
    """

    def __init__(self, n_ponds: int, start: datetime, step_s: float = 60.0,
                 scenario: str | Scenario = "normal", seed: int = 0,
                 cycle_day: float | None = None, independent_weather: bool = False) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC)")
        self.scenario = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
        self.n_ponds, self.step_s, self.seed = n_ponds, float(step_s), seed
        sc = self.scenario
        start_s = start.timestamp()
        self.params: PondParams = draw_params(
            n_ponds, seed, feed_factor=sc.feed_factor, nitrif_factor=sc.nitrif_factor,
            uptake_factor=sc.uptake_factor, stocking_factor=sc.stocking_factor,
            aerator_factor=sc.aerator_factor, bloom_factor=sc.bloom_factor,
            biofloc=sc.biofloc, variants=sc.variants, cycle_day=cycle_day,
            cycle_days=sc.cycle_days)
        # The spin-up runs the ponds as they were before the scenario's husbandry began.
        ones = np.ones(n_ponds)
        before = replace(self.params, feed_factor=ones, nitrif_factor=ones, uptake_factor=ones)
        self.model = PondModel(before, initial_state(self.params))
        # A site's ponds share one sky (the default); independent_weather gives each pond
        # its own weather stream, for benchmarks that need independent nights.
        self.weather: Weather | PondWeather = (
            PondWeather(seed, start_s, sc.weather, n_ponds) if independent_weather
            else Weather(seed, start_s, sc.weather))
        self._day0 = local_day_index(start_s)
        self._day0_s = self._day0 * 86400.0 - WIB_OFFSET_S
        self._override = np.full(n_ponds, -1, dtype=np.int64)
        self.sensors = SensorModel(n_ponds, seed, start_s, self.step_s, sc.sensor_faults)
        plan = self.sensors.plan
        weak = plan.weak_battery if plan is not None else np.zeros(n_ponds, dtype=np.bool_)
        self.power = PowerSupply(n_ponds, np.random.default_rng([seed, 0xBA7]), weak)
        self._spin_up(start_s)
        self.model.p = self.params
        self.t_s = start_s
        self._active_incidents: set[tuple[str, int]] = set()

    @property
    def t_ms(self) -> int:
        """Epoch ms UTC of the last simulated instant."""
        return round(self.t_s * 1000.0)

    def set_aerator(self, pond_index: int, on: bool | None) -> None:
        """Force one pond's aerator on or off; None returns it to the schedule."""
        self._override[pond_index] = -1 if on is None else int(on)

    def aerator_outage(self, t_ms: int) -> NDArray[np.bool_]:
        """Ponds whose aerators the scenario's outages stop at ``t_ms`` (no side effects):
        what a relay node on the pond sees as a power blip (firmware_sim.relay)."""
        h = self._hours(t_ms / 1000.0)
        down = np.zeros(self.n_ponds, dtype=np.bool_)
        for outage in self.scenario.aerator_outages:
            start = outage.day * 24.0 + outage.start_h
            if start <= h < start + outage.duration_h:
                ponds = outage.ponds if outage.ponds is not None else range(self.n_ponds)
                for p in ponds:
                    if p < self.n_ponds:
                        down[p] = True
        return down

    def step(self) -> Frame:
        """Advance one step and return the state at its end."""
        frames = self.run(1)
        return Frame(
            t_ms=int(frames.t_ms[0]),
            truth={k: v[0] for k, v in frames.truth.items()},
            observed={k: v[0] for k, v in frames.observed.items()},
            battery_v=frames.battery_v[0], boot=frames.boot[0], seq=frames.seq[0],
            online=frames.online[0], clock_skew_ms=frames.clock_skew_ms[0],
            aerator_on=frames.aerator_on[0], events=frames.events, incidents=frames.incidents,
        )

    def run(self, n_steps: int) -> Frames:
        """Advance n_steps steps; arrays are (n_steps, n_ponds), t_ms is (n_steps,)."""
        n = self.n_ponds
        truth = np.empty((n_steps, len(TRUTH_KEYS), n))
        observed = np.empty((n_steps, len(METRICS), n))
        t_ms = np.empty(n_steps, dtype=np.int64)
        battery = np.empty((n_steps, n))
        boot = np.empty((n_steps, n), dtype=np.int64)
        seq = np.empty((n_steps, n), dtype=np.int64)
        online = np.empty((n_steps, n), dtype=np.bool_)
        skew = np.zeros((n_steps, n), dtype=np.int64)
        aerators = np.empty((n_steps, n), dtype=np.bool_)
        events: list[FaultEvent] = []
        incidents: list[FaultEvent] = []
        plan = self.sensors.plan
        for i in range(n_steps):
            t0 = self.t_s
            f = self.weather.at(t0)
            aer = self._aerators(t0, f.local_h, incidents)
            self.model.step(t0, self.step_s, f, aer, self._leaks(t0, incidents))
            self._die_offs(t0, incidents)
            self.t_s = t1 = t0 + self.step_s
            now_ms = round(t1 * 1000.0)
            power = self.power.step(self.step_s, f.light)
            for p in np.flatnonzero(power.browned_out):
                events.append(FaultEvent(int(p), "brownout", now_ms))
            self.model.write_truth(truth[i])
            obs = self.sensors.observe(truth[i, :len(METRICS)], t1, self.power.powered, events)
            observed[i] = obs
            sent = np.asarray(~np.isnan(obs).all(axis=0), dtype=np.bool_)
            self.power.count_message(sent)
            t_ms[i] = now_ms
            battery[i] = self.power.battery_v
            boot[i] = self.power.boot
            seq[i] = self.power.seq
            online[i] = sent
            aerators[i] = aer
            if plan is not None:
                skew[i] = plan.clock_skew_ms
        return Frames(
            t_ms=t_ms, truth={key: truth[:, j, :] for j, key in enumerate(TRUTH_KEYS)},
            observed={m: observed[:, j, :] for j, m in enumerate(METRICS)},
            battery_v=battery, boot=boot, seq=seq, online=online, clock_skew_ms=skew,
            aerator_on=aerators, events=events, incidents=incidents,
        )

    def _hours(self, t_s: float) -> float:
        return (t_s - self._day0_s) / 3600.0

    def _incident(self, kind: str, pond: int, active: bool, t_s: float,
                  out: list[FaultEvent]) -> None:
        key = (kind, pond)
        if active and key not in self._active_incidents:
            self._active_incidents.add(key)
            out.append(FaultEvent(pond, kind, round(t_s * 1000.0)))
        elif not active:
            self._active_incidents.discard(key)

    def _aerators(self, t_s: float, local_h: float,
                  incidents: list[FaultEvent]) -> NDArray[np.bool_]:
        sc = self.scenario
        scheduled = local_h >= sc.aerator_on_h or local_h < sc.aerator_off_h
        on = np.full(self.n_ponds, scheduled or sc.biofloc)
        # One incident per pond and outage: a pond is down when *any* outage covers it
        # (judged per outage, a pond down in one and not in the next re-reported its
        # incident at every step).
        down = self.aerator_outage(round(t_s * 1000.0))
        for p in {p for o in sc.aerator_outages
                  for p in (o.ponds if o.ponds is not None else range(self.n_ponds))
                  if p < self.n_ponds}:
            self._incident("aerator_failure", p, bool(down[p]), t_s, incidents)
        on &= ~down
        forced = self._override >= 0
        return np.where(forced, self._override == 1, on)

    def _leaks(self, t_s: float, incidents: list[FaultEvent]) -> F64:
        leak = np.zeros(self.n_ponds)
        h = self._hours(t_s)
        for lk in self.scenario.leaks:
            start = lk.day * 24.0 + lk.start_h
            active = start <= h < start + lk.duration_h and lk.pond < self.n_ponds
            if lk.pond < self.n_ponds:
                self._incident("leak", lk.pond, active, t_s, incidents)
            if active:
                leak[lk.pond] += lk.cm_per_h
        return leak

    def _die_offs(self, t_s: float, incidents: list[FaultEvent]) -> None:
        h0, h1 = self._hours(t_s), self._hours(t_s + self.step_s)
        for d in self.scenario.die_offs:
            at = d.day * 24.0 + d.hour
            if h0 <= at < h1:
                self.model.die_off[:] = d.share
                incidents.extend(FaultEvent(p, "plankton_die_off", round(t_s * 1000.0))
                                 for p in range(self.n_ponds))

    def _spin_up(self, start_s: float) -> None:
        """Run the physics alone for a few days before the start under plain weather."""
        t = start_s - SPIN_UP_DAYS * 86400.0
        off = self.scenario.aerator_off_h
        on = self.scenario.aerator_on_h
        no_leak = np.zeros(self.n_ponds)
        while t < start_s - 1e-6:
            dt = min(SPIN_UP_STEP_S, start_s - t)
            f = self.weather.at(t)  # days before day 0 always get fair weather
            aer = np.full(self.n_ponds, f.local_h >= on or f.local_h < off or
                          self.scenario.biofloc)
            self.model.step(t, dt, f, aer, no_leak)
            t += dt
        self.model.s.cum_feed_kg[:] = 0.0
        self.model.s.cum_tan_excreted_g[:] = 0.0
