"""Runs a simulated site: a pond model feeding one node per pond.

Simulated time: ``speed`` × wall time from ``start``, never ahead of the real
clock (timestamps are never in the future). With ``backfill_s`` the nodes first
emit that much history as fast as the broker takes it, then continue live. In
dry-run mode time is virtual: the run covers ``duration_s`` without sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from firmware_sim.node import SimNode
from firmware_sim.relay import RelayNode
from kolam.protocol import DeviceRef, Sample
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)


class PondModel(Protocol):
    """Anything that can say what each pond's node reads at an instant."""

    def readings(self, t_ms: int) -> list[dict[str, float]]: ...


@dataclass(frozen=True, slots=True)
class SimClock:
    start_ms: int
    speed: float = 1.0
    backfill: bool = False
    virtual: bool = False

    def now(self, wall_start: float) -> int:
        real = now_ms()
        if self.virtual:
            return 2**62
        if self.backfill:
            return real
        return min(self.start_ms + int((time.monotonic() - wall_start) * 1000 * self.speed), real)


def device_refs(site: str, n_ponds: int) -> list[DeviceRef]:
    """The demo naming: pond ``kolam-N`` carries node ``node-N``."""
    return [DeviceRef(site, f"kolam-{i}", f"node-{i}") for i in range(1, n_ponds + 1)]


def relay_refs(site: str, n_ponds: int) -> list[DeviceRef]:
    """...and relay node ``relay-N``, whose output ``aerator-1`` runs the pond's aerator."""
    return [DeviceRef(site, f"kolam-{i}", f"relay-{i}") for i in range(1, n_ponds + 1)]


class SimRunner:
    """Drives the nodes from the model on a shared (simulated) clock."""

    def __init__(self, nodes: Sequence[SimNode], model: PondModel, clock: SimClock,
                 end_ms: int | None = None,
                 on_tick: Callable[[int], None] | None = None,
                 history_until_ms: int | None = None, history_step_s: float = 60.0,
                 relays: Sequence[tuple[int, RelayNode]] = ()) -> None:
        """Readings before ``history_until_ms`` (a backfill) are spaced at least
        ``history_step_s`` apart, so that a week of history stays light.

        ``relays`` are (pond index, relay node) pairs: before each step the pond model's
        aerator follows the relay's aerator outputs (closed loop), and a scenario's power
        outage reaches the relay as a power blip at its start and the farmer switching
        back on at its end."""
        self.relays = list(relays)
        self._outage = [False] * len(self.relays)
        self.history_until_ms = history_until_ms
        self.history_step_ms = int(history_step_s * 1000)
        self.nodes = list(nodes)
        self.model = model
        self.clock = clock
        self.end_ms = end_ms
        self._on_tick = on_tick
        self._next = [clock.start_ms for _ in self.nodes]

    def run(self, stop: threading.Event) -> None:
        wall_start = time.monotonic()
        while not stop.is_set():
            t = min(self._next)
            if self.end_ms is not None and t >= self.end_ms:
                break
            now = self.clock.now(wall_start)
            if t > now:
                self._flush_all()
                if self.clock.speed > 0:
                    stop.wait(min(0.5, (t - now) / 1000 / self.clock.speed))
                continue
            if self.relays:
                self._drive_aerators(t)
            readings = self.model.readings(t)
            device_state = getattr(self.model, "device_state", None)
            for i, node in enumerate(self.nodes):
                if self._next[i] == t:
                    stamp = t
                    if device_state is not None:
                        state = device_state(i)
                        node.battery_v = state.battery_v
                        if state.boot != node.boot:
                            node.reboot(state.boot)
                        stamp = min(t + state.clock_skew_ms, now)  # never in the future
                        if not state.online:
                            readings[i] = {}
                    if readings[i]:
                        node.record(Sample(stamp, readings[i]))
                    step = int(node.interval_s * 1000)
                    if self.history_until_ms is not None and t < self.history_until_ms:
                        step = max(step, self.history_step_ms)
                    self._next[i] = t + step
                    if node.buffered >= 60:
                        node.flush()
            if self._on_tick:
                self._on_tick(t)
        self._flush_all()

    def _drive_aerators(self, t: int) -> None:
        # Only the physical model has aerators (PhysicalModel.set_aerator, aerator_outage).
        outage = getattr(self.model, "aerator_outage", None)
        set_aerator = getattr(self.model, "set_aerator", None)
        down = outage(t) if outage is not None else None
        for k, (pond, relay) in enumerate(self.relays):
            relay.now_ms = t
            if down is not None and down[pond] != self._outage[k]:
                self._outage[k] = down[pond]
                if down[pond]:
                    relay.power_blip()
                else:
                    relay.power_back()
            if set_aerator is not None:
                set_aerator(pond, relay.aerating)

    def _flush_all(self) -> None:
        for node in self.nodes:
            node.flush()
