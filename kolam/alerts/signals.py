"""Signals computed from a window of samples: rates, drops, repeats, spikes, counts.

Each class keeps only the samples its window needs and returns the signal's value after
every sample (``None`` while it has too little data to say).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

_DAY_MS = 86_400_000
_H_MS = 3_600_000


@dataclass(slots=True)
class FallRate:
    """How fast a level falls (cm/day, positive = falling): a least-squares slope over
    ``window_ms``, once at least half of the window is covered. Thinned to one point per
    ``every_ms`` so a minute-by-minute series stays small."""

    window_ms: int = 6 * _H_MS
    every_ms: int = 300_000
    points: deque[tuple[int, float]] = field(default_factory=deque)

    def add(self, t: int, value: float) -> float | None:
        pts = self.points
        if pts and t - pts[-1][0] < self.every_ms:
            return None
        pts.append((t, value))
        while pts and pts[0][0] < t - self.window_ms:
            pts.popleft()
        if len(pts) < 6 or pts[-1][0] - pts[0][0] < self.window_ms // 2:
            return None
        n = len(pts)
        mx = sum(p[0] for p in pts) / n
        my = sum(p[1] for p in pts) / n
        sxx = sum((p[0] - mx) ** 2 for p in pts)
        sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
        return -sxy / sxx * _DAY_MS if sxx else None


@dataclass(slots=True)
class Drop:
    """How far a value lies below its maximum of the last ``window_ms`` (e.g. °C in 3 h)."""

    window_ms: int = 3 * _H_MS
    points: deque[tuple[int, float]] = field(default_factory=deque)

    def add(self, t: int, value: float) -> float:
        pts = self.points
        # A monotonic deque: the front is always the window's maximum.
        while pts and pts[-1][1] <= value:
            pts.pop()
        pts.append((t, value))
        while pts[0][0] < t - self.window_ms:
            pts.popleft()
        return pts[0][1] - value


@dataclass(slots=True)
class Unchanged:
    """Minutes a value has repeated exactly (a frozen probe or ADC)."""

    value: float | None = None
    since: int = 0

    def add(self, t: int, value: float) -> float:
        if self.value is None or abs(value - self.value) > 1e-9:
            self.value, self.since = value, t
        return (t - self.since) / 60_000


@dataclass(slots=True)
class Spikes:
    """Single-sample spikes in the last ``window_ms``: a sample that jumps more than
    ``size`` away from both neighbours while the neighbours agree."""

    size: float
    window_ms: int = _DAY_MS
    last: deque[tuple[int, float]] = field(default_factory=lambda: deque(maxlen=2))
    times: deque[int] = field(default_factory=deque)

    def add(self, t: int, value: float) -> float:
        if len(self.last) == 2:
            (_, a), (tb, b) = self.last
            if (abs(b - a) > self.size and abs(b - value) > self.size
                    and abs(value - a) < self.size / 2):
                self.times.append(tb)
        self.last.append((t, value))
        return self.count(t)

    def count(self, t: int) -> float:
        while self.times and self.times[0] < t - self.window_ms:
            self.times.popleft()
        return float(len(self.times))


@dataclass(slots=True)
class Recent:
    """Events (e.g. sentinel readings) in the last ``window_ms``."""

    window_ms: int = 30 * 60_000
    times: deque[int] = field(default_factory=deque)
    total: int = 0

    def add(self, t: int) -> None:
        self.times.append(t)
        self.total += 1

    def count(self, t: int) -> float:
        while self.times and self.times[0] < t - self.window_ms:
            self.times.popleft()
        return float(sum(1 for x in self.times if x <= t))
