"""Signals computed from a window of samples: rates, drops, repeats, spikes, counts.

Each class keeps only the samples its window needs. ``add_many`` takes one series' samples
in time order (a whole batch at once: ingest evaluates tens of thousands of values a
second, so the loops are written for speed) and returns the signal after every sample.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
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

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[tuple[int, float]]:
        """(t, rate) for each sample that yields a rate; the others yield none."""
        out: list[tuple[int, float]] = []
        pts, every = self.points, self.every_ms
        last = pts[-1][0] if pts else None
        for t, value in zip(ts, vs, strict=True):
            if last is not None and t - last < every:
                continue
            last = t
            pts.append((t, value))
            while pts and pts[0][0] < t - self.window_ms:
                pts.popleft()
            if len(pts) < 6 or pts[-1][0] - pts[0][0] < self.window_ms // 2:
                continue
            n = len(pts)
            mx = sum(p[0] for p in pts) / n
            my = sum(p[1] for p in pts) / n
            sxx = sum((p[0] - mx) ** 2 for p in pts)
            sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
            if sxx:
                out.append((t, -sxy / sxx * _DAY_MS))
        return out


@dataclass(slots=True)
class Drop:
    """How far a value lies below its maximum of the last ``window_ms`` (e.g. °C in 3 h)."""

    window_ms: int = 3 * _H_MS
    points: deque[tuple[int, float]] = field(default_factory=deque)

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[float]:
        out: list[float] = []
        pts, window = self.points, self.window_ms
        for t, value in zip(ts, vs, strict=True):
            # A monotonic deque: the front is always the window's maximum.
            while pts and pts[-1][1] <= value:
                pts.pop()
            pts.append((t, value))
            while pts[0][0] < t - window:
                pts.popleft()
            out.append(pts[0][1] - value)
        return out


@dataclass(slots=True)
class Unchanged:
    """Minutes a value has repeated exactly (a frozen probe or ADC)."""

    value: float | None = None
    since: int = 0

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[float]:
        out: list[float] = []
        same, since = self.value, self.since
        for t, value in zip(ts, vs, strict=True):
            if same is None or abs(value - same) > 1e-9:
                same, since = value, t
            out.append((t - since) / 60_000)
        self.value, self.since = same, since
        return out


@dataclass(slots=True)
class Spikes:
    """Single-sample spikes in the last ``window_ms``: a sample that jumps more than
    ``size`` away from both neighbours while the neighbours agree."""

    size: float
    window_ms: int = _DAY_MS
    last: deque[tuple[int, float]] = field(default_factory=lambda: deque(maxlen=2))
    times: deque[int] = field(default_factory=deque)

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[float]:
        size, times, last = self.size, self.times, self.last
        if not times and max(vs) - min(vs) <= size and all(
                abs(v - vs[0]) <= size for _, v in last):
            # No jump anywhere is larger than a spike: nothing to count.
            last.extend(zip(ts[-2:], vs[-2:], strict=True))
            return [0.0] * len(ts)
        out: list[float] = []
        half, window = size / 2, self.window_ms
        # The two previous samples as locals: (_, a) then (tb, b).
        a = last[0][1] if len(last) == 2 else None
        tb, b = last[-1] if last else (0, None)
        for t, value in zip(ts, vs, strict=True):
            if (a is not None and b is not None and abs(b - a) > size
                    and abs(b - value) > size and abs(value - a) < half):
                times.append(tb)
            a, tb, b = b, t, value
            while times and times[0] < t - window:
                times.popleft()
            out.append(float(len(times)))
        if ts:
            last.extend(zip(ts[-2:], vs[-2:], strict=True))
        return out


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

    def count_many(self, ts: Sequence[int]) -> list[float]:
        return [self.count(t) for t in ts]


@dataclass(slots=True)
class Jumps:
    """Which readings of one probe the water rules may trust.

    Water does not move ``size`` (the spike size) between two readings; a probe that does
    is loose, unpowered or flicking between its ADC rails (DOMAIN.md, "What real nodes
    do": DO jumping between 0 and 10–30 mg/L reading to reading). A reading that jumps is
    held back, and so is everything for ``settle_ms`` after it — longer than the water
    rules' shortest duration (10 min), so that a flick that lingers a few readings raises
    nothing. A jump straight back to where the probe was (a single-sample spike) is the
    same glitch; any other second jump within ``window_ms`` makes the probe erratic, and
    then the hold lasts ``window_ms`` after its last jump: a flickering probe never
    reaches the water rules, only the sensor-health ones. Readings more than ``gap_ms``
    apart are not compared: the water may well have moved while a node was away."""

    size: float
    settle_ms: int = 15 * 60_000
    window_ms: int = 2 * _H_MS
    gap_ms: int = 15 * 60_000
    last: float | None = None
    last_t: int = 0
    before: float | None = None
    """The value before the last jump, while the last reading was a jump."""
    hold_until: int = -1
    times: deque[int] = field(default_factory=deque)

    def held_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[bool] | None:
        """For each sample whether it is held back; None when none is (the usual case)."""
        size, last = self.size, self.last
        if ts and ts[0] >= self.hold_until and self.before is None and (
                max(vs) - min(vs) <= size and (last is None or abs(vs[0] - last) <= size)):
            self.last, self.last_t = vs[-1], ts[-1]
            return None
        out: list[bool] = []
        times, hold, before, last_t, gap = (self.times, self.hold_until, self.before,
                                            self.last_t, self.gap_ms)
        for t, value in zip(ts, vs, strict=True):
            if last is not None and t - last_t <= gap and abs(value - last) > size:
                if before is not None and abs(value - before) <= size:
                    before = None  # back where it was: the spike is over
                else:
                    times.append(t)
                    before = last
                while times[0] < t - self.window_ms:
                    times.popleft()
                erratic = len(times) >= 2
                hold = max(hold, t + (self.window_ms if erratic else self.settle_ms))
            else:
                before = None
            last, last_t = value, t
            out.append(t < hold)
        self.last, self.last_t, self.hold_until, self.before = last, last_t, hold, before
        return out
