"""The fault schedule of the `sensor-faults` scenario.

Episodes (a fault on one node, one metric, for a while) are drawn per WIB day from
(seed, day) at a per-node daily rate, and each episode kind is also placed at least once
in the first six days, so a simulated week shows every kind. Slow faults (DO membrane
fouling, pH calibration drift) and a weak battery are assigned to a few nodes at the start.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from firmware_sim.pond.metrics import METRICS, VALID_RANGE
from firmware_sim.pond.sun import WIB_OFFSET_S, local_day_index

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TEMP_ROW = METRICS.index("temp_c")
N_METRICS = len(METRICS)
ANALOG_ROWS = (1, 2, 3, 4, 5, 6)  # ph, do, tan, no2, tds, turbidity behind an ADC
# Readings when the ADC reads code 0 / full scale, per metric row (see sensors.PROBES).
STUCK = {1: (0.0, 21.5), 2: (0.0, 16.1), 3: (0.0, 50.0), 4: (0.0, 20.0), 5: (0.0, 2420.0),
         6: (3000.0, 0.0)}
# A spike's size per metric row, and the valid range it is kept inside (the catalogue's).
SPIKE_SCALE = (6.0, 2.0, 5.0, 3.0, 1.0, 300.0, 200.0, 30.0)
RANGE_HIGH = tuple(VALID_RANGE[m][1] for m in METRICS)
DS18B20_DISCONNECTED = -127.0  # DOMAIN.md sentinels
DS18B20_POWER_ON = 85.0
# Galvanic membrane fouling: reads low, up to ~20 % in two weeks (DOMAIN.md).
FOULING_MAX_LOSS = 0.20
FOULING_DAYS = 14.0

# Episode kinds: (name, episodes per node per day, min duration s, max duration s).
EPISODES = (
    ("ds18b20_disconnected", 0.05, 300.0, 5400.0),
    ("ds18b20_power_on_reset", 0.1, 0.0, 0.0),
    ("probe_unplugged", 0.05, 1200.0, 21600.0),
    ("spike", 0.5, 0.0, 0.0),
    ("flatline", 0.05, 7200.0, 28800.0),
    ("dropout", 0.5, 0.0, 600.0),
    ("offline", 0.1, 600.0, 5400.0),
    ("clock_skew", 0.05, 21600.0, 108000.0),
)
KIND_INDEX = {name: i for i, (name, *_rest) in enumerate(EPISODES)}
FAULT_KINDS = (*(name for name, *_rest in EPISODES), "do_fouling", "ph_drift", "brownout")



class FaultEvent(NamedTuple):
    """A fault that began on a node: (pond index, fault kind, epoch ms UTC)."""

    pond: int
    kind: str
    t_ms: int


class FaultPlan:
    """Fault episodes and slow drifts for every node, applied to one sample at a time."""

    def __init__(self, n_ponds: int, seed: int, start_s: float, step_s: float) -> None:
        rng = np.random.default_rng([seed, 0xFA17])
        self._n, self._seed, self._step_s, self._start_s = n_ponds, seed, step_s, start_s
        self._day0 = local_day_index(start_s)
        self._guaranteed_day = {name: int(rng.integers(0, 6)) for name, *_r in EPISODES}

        def few() -> NDArray[np.bool_]:
            chosen = rng.random(n_ponds) < 0.25
            chosen[int(rng.integers(n_ponds))] = True
            return chosen

        fouled, drifting = few(), few()
        self.weak_battery = few()
        self.fouling_start = np.where(fouled, start_s + rng.uniform(0, 86400, n_ponds), math.inf)
        self.ph_drift_start = np.where(drifting, start_s + rng.uniform(0, 86400, n_ponds),
                                       math.inf)
        self.ph_drift_per_day = rng.choice([-1.0, 1.0], n_ponds) * rng.uniform(0.03, 0.08,
                                                                               n_ponds)
        self._drift_reported = np.zeros((2, n_ponds), dtype=np.bool_)
        self._kind: I64 = np.zeros(0, dtype=np.int64)
        self._pond: I64 = np.zeros(0, dtype=np.int64)
        self._row: I64 = np.zeros(0, dtype=np.int64)
        self._start: F64 = np.zeros(0)
        self._end: F64 = np.zeros(0)
        self._value: F64 = np.zeros(0)
        self._started = np.zeros(0, dtype=np.bool_)
        self._next_day = self._day0
        self.clock_skew_ms: I64 = np.zeros(n_ponds, dtype=np.int64)

    def drifts(self, t_s: float) -> tuple[F64, F64]:
        """DO gain (≤ 1) and pH offset of every node at t_s."""
        fouled_days = np.clip((t_s - self.fouling_start) / 86400.0, 0.0, FOULING_DAYS)
        gain = 1.0 - FOULING_MAX_LOSS * fouled_days / FOULING_DAYS
        ph_days = np.maximum(t_s - self.ph_drift_start, 0.0) / 86400.0
        return gain, self.ph_drift_per_day * ph_days

    def apply(self, obs: F64, t_s: float, events: list[FaultEvent]) -> None:
        """Overwrite readings (metrics × nodes) with active faults; append fault starts."""
        t_ms = round(t_s * 1000.0)
        for row, (kind, start) in enumerate((("do_fouling", self.fouling_start),
                                             ("ph_drift", self.ph_drift_start))):
            begun = (start <= t_s) & ~self._drift_reported[row]
            if begun.any():
                self._drift_reported[row] |= begun
                events.extend(FaultEvent(int(p), kind, t_ms) for p in np.flatnonzero(begun))
        while local_day_index(t_s) >= self._next_day:
            self._draw_day(self._next_day)
            self._next_day += 1
        active = (self._start <= t_s) & (t_s < self._end)
        self.clock_skew_ms[:] = 0
        if not active.any():
            return
        new = active & ~self._started
        for i in np.flatnonzero(new):
            if self._kind[i] == KIND_INDEX["flatline"]:
                self._value[i] = obs[self._row[i], self._pond[i]]
            events.append(FaultEvent(int(self._pond[i]), EPISODES[self._kind[i]][0], t_ms))
        self._started |= new
        for i in np.flatnonzero(active):
            kind, p, row, value = EPISODES[self._kind[i]][0], self._pond[i], self._row[i], \
                self._value[i]
            if kind == "spike":
                obs[row, p] = min(max(obs[row, p] + value, 0.0), RANGE_HIGH[row])
            elif kind == "dropout":
                obs[row, p] = np.nan
            elif kind == "offline":
                obs[:, p] = np.nan
            elif kind == "clock_skew":
                self.clock_skew_ms[p] += int(value)
            else:  # sentinels, stuck ADC, flatline: a fixed reading
                obs[row, p] = value
        keep = self._end > t_s
        if not keep.all():
            self._kind, self._pond, self._row = self._kind[keep], self._pond[keep], \
                self._row[keep]
            self._start, self._end, self._value = self._start[keep], self._end[keep], \
                self._value[keep]
            self._started = self._started[keep]

    def _draw_day(self, day_index: int) -> None:
        rng = np.random.default_rng([self._seed, 0xFA17, day_index])
        # Nothing before the simulation starts: day 0 begins at the start instant.
        day_start = max(day_index * 86400.0 - WIB_OFFSET_S, self._start_s)
        day_len = day_index * 86400.0 - WIB_OFFSET_S + 86400.0 - day_start
        rel = day_index - self._day0
        kinds, ponds, rows, starts, ends, values = [], [], [], [], [], []
        for k, (name, rate, dmin, dmax) in enumerate(EPISODES):
            count = int(rng.poisson(rate * self._n)) + int(self._guaranteed_day[name] == rel)
            for _ in range(count):
                start = day_start + float(rng.uniform(0.0, day_len))
                duration = max(self._step_s, float(rng.uniform(dmin, dmax)))
                row, value = self._episode(name, rng)
                kinds.append(k)
                ponds.append(int(rng.integers(self._n)))
                rows.append(row)
                starts.append(start)
                ends.append(start + duration)
                values.append(value)
        if not kinds:
            return
        self._kind = np.concatenate([self._kind, np.array(kinds, dtype=np.int64)])
        self._pond = np.concatenate([self._pond, np.array(ponds, dtype=np.int64)])
        self._row = np.concatenate([self._row, np.array(rows, dtype=np.int64)])
        self._start = np.concatenate([self._start, np.array(starts)])
        self._end = np.concatenate([self._end, np.array(ends)])
        self._value = np.concatenate([self._value, np.array(values)])
        self._started = np.concatenate([self._started, np.zeros(len(kinds), dtype=np.bool_)])

    @staticmethod
    def _episode(name: str, rng: np.random.Generator) -> tuple[int, float]:
        """Metric row and parameter of one episode of a kind."""
        if name == "ds18b20_disconnected":
            return TEMP_ROW, DS18B20_DISCONNECTED
        if name == "ds18b20_power_on_reset":
            return TEMP_ROW, DS18B20_POWER_ON
        if name == "probe_unplugged":
            row = int(rng.choice(ANALOG_ROWS))
            return row, STUCK[row][int(rng.integers(2))]
        if name == "spike":
            row = int(rng.integers(N_METRICS))
            return row, float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0)
                              * SPIKE_SCALE[row])
        if name == "clock_skew":
            return -1, float(rng.choice([-1.0, 1.0]) * rng.uniform(45_000.0, 1_200_000.0))
        if name == "offline":
            return -1, 0.0
        return int(rng.integers(N_METRICS)), 0.0  # flatline, dropout
