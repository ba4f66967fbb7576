"""Adapter: the physical pond model (``firmware_sim.pond``) as a source of node readings."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np

from firmware_sim.pond import METRICS, Frames, PondSim
from firmware_sim.pond.scenarios import Scenario

CHUNK_STEPS = 360


class DeviceState(NamedTuple):
    boot: int
    battery_v: float
    online: bool
    clock_skew_ms: int


class PhysicalModel:
    """Steps a :class:`PondSim` forward to each requested instant (in chunks, so a
    backfill runs vectorised) and hands out what each node observes then."""

    def __init__(self, n_ponds: int, start_ms: int, step_s: float, scenario: str | Scenario,
                 seed: int) -> None:
        self.sim = PondSim(n_ponds, datetime.fromtimestamp(start_ms / 1000, tz=UTC), step_s,
                           scenario, seed)
        self.step_ms = int(step_s * 1000)
        self._frames: Frames | None = None
        self._row = 0

    def _advance_to(self, t_ms: int) -> int:
        """Row of the cached chunk holding the latest step at or before ``t_ms``."""
        while True:
            f = self._frames
            if f is not None and t_ms <= f.t_ms[-1]:
                return max(0, int(np.searchsorted(f.t_ms, t_ms, side="right")) - 1)
            last = int(f.t_ms[-1]) if f is not None else self.sim.t_ms
            needed = max(1, math.ceil((t_ms - last) / self.step_ms))
            self._frames = self.sim.run(min(needed, CHUNK_STEPS))

    def readings(self, t_ms: int) -> list[dict[str, float]]:
        self._row = row = self._advance_to(t_ms)
        assert self._frames is not None
        obs = self._frames.observed
        out = []
        for i in range(self.sim.n_ponds):
            values = {}
            for key in METRICS:
                x = float(obs[key][row, i])
                if not math.isnan(x):
                    values[key] = round(x, 3)
            out.append(values)
        return out

    def set_aerator(self, pond: int, on: bool | None) -> None:
        """The pond's aerator input from now on (a relay node's outputs); None: the schedule."""
        self.sim.set_aerator(pond, on)

    def aerator_outage(self, t_ms: int) -> list[bool]:
        """Which ponds the scenario's power outages hit at ``t_ms``."""
        return [bool(x) for x in self.sim.aerator_outage(t_ms)]

    def device_state(self, pond: int) -> DeviceState:
        """The node's boot counter, battery, power and clock at the last reading."""
        f, row = self._frames, self._row
        if f is None:
            return DeviceState(1, 4.1, True, 0)
        return DeviceState(int(f.boot[row, pond]), round(float(f.battery_v[row, pond]), 2),
                           bool(f.online[row, pond]), int(f.clock_skew_ms[row, pond]))
