"""A simulated pond with a sensor node and a relay node on a real local broker, run on a fast
simulated clock that the gateway's control loops share (issue #18's closed-loop tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from firmware_sim.node import MqttLink, SimNode
from firmware_sim.physical import PhysicalModel
from firmware_sim.pond.model import DO
from firmware_sim.relay import RelayNode
from firmware_sim.runner import SimClock, SimRunner
from kolam.config import MqttUrl
from kolam.protocol import DeviceRef
from tests.utils.net import wait_for

WIB = timezone(timedelta(hours=7))
SITE = "serang"
SENSOR = DeviceRef(SITE, "kolam-1", "node-1")
RELAY = DeviceRef(SITE, "kolam-1", "relay-1")
H_MS = 3_600_000


def wib_day(days_ago: int) -> int:
    """00:00 WIB ``days_ago`` days before today, epoch ms."""
    today = datetime.now(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((today - timedelta(days=days_ago)).timestamp() * 1000)


@dataclass
class Truth:
    """What the water really did, one row a simulated minute: (t, DO, aerator running)."""

    rows: list[tuple[int, float, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, t: int, do: float, aerating: bool) -> None:
        with self.lock:
            self.rows.append((t, do, aerating))

    def snapshot(self) -> list[tuple[int, float, bool]]:
        with self.lock:
            return list(self.rows)

    def min_do(self, after_ms: int = 0) -> float:
        return min(do for t, do, _ in self.snapshot() if t >= after_ms)


class ClosedLoopPond:
    """One pond of ``scenario`` from ``day0`` (00:00 WIB), fast-forwarded to ``start_ms``,
    then run at ``speed`` × real time with its node and relay on ``url``."""

    def __init__(self, url: MqttUrl, scenario: str, day0_ms: int, start_ms: int,
                 speed: float, seed: int = 1) -> None:
        self.model = PhysicalModel(1, day0_ms, 60.0, scenario, seed)
        self.model.readings(start_ms - 60_000)  # the days before, vectorised
        self.start_ms, self.speed = start_ms, speed
        self.node = SimNode(SENSOR, 60.0)
        self.relay = RelayNode(RELAY, ["aerator-1"], start_ms, on=True)
        self.truth = Truth()
        self._now = start_ms
        self._links = [MqttLink(url, SENSOR, self.node.handle_command),
                       MqttLink(url, RELAY, self.relay.handle_command, persistent=True)]
        self._links[0].on_connect(self.node.on_connect)
        self._links[1].on_connect(self.relay.on_connect)
        self.node.attach(self._links[0])
        self.relay.attach(self._links[1])

    def clock(self) -> int:
        """Simulated now (epoch ms), what the gateway's loops run on: the instant the runner
        has reached, so a runner slowed by a busy machine slows the gateway's time too."""
        return self._now

    def _tick(self, t: int) -> None:
        self._now = t
        self.truth.add(t, float(self.model.sim.model.s.water[DO][0]), self.relay.aerating)

    @contextmanager
    def running(self, until_ms: int) -> Iterator[threading.Event]:
        """Connect, run in a thread until ``until_ms`` (or the event is set), disconnect."""
        for link in self._links:
            link.connect(wait=True)
        stop = threading.Event()
        runner = SimRunner([self.node], self.model, SimClock(self.start_ms, self.speed),
                           until_ms, on_tick=self._tick, relays=[(0, self.relay)])
        thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield stop
        finally:
            stop.set()
            thread.join(10)
            for link in self._links:
                link.close()

    def wait_until(self, t_ms: int, timeout_s: float) -> None:
        wait_for(lambda: bool(self.truth.rows) and self.truth.rows[-1][0] >= t_ms, timeout_s,
                 interval_s=0.1, what=f"simulated time to reach {t_ms}")
