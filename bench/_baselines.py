"""The forecasts Kolam's is scored against, run the way ingest runs a forecast.

- ``linear``: Madenjian's (1987) straight line — DO against time over the night's last
  three hours, extrapolated to sunrise (floored at 0 mg/L: DO cannot go below it);
- ``persistence``: the last reading is the dawn value;
- ``exp-v1``: the exponential Kolam shipped before (ln DO against time, three hours).

Each refits every five minutes from 30 minutes after dusk, with at least 90 minutes of
readings (persistence from the first reading), at most one point a minute.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from kolam.alerts.forecast import DAYTIME
from kolam.alerts.night_fit import fit_dawn
from kolam.science.sun import last_sunset_ms, next_sunrise_ms

H_MS = 3_600_000
Fit = Callable[[Sequence[tuple[int, float]], int], float]


def fit_linear(points: Sequence[tuple[int, float]], sunrise_ms: int) -> float:
    n = len(points)
    xs = [(t - points[-1][0]) / H_MS for t, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    hours = (sunrise_ms - points[-1][0]) / H_MS
    if slope >= 0:
        return min(ys[-1], my - slope * mx)
    return max(my - slope * mx + slope * hours, 0.0)


def fit_persistence(points: Sequence[tuple[int, float]], sunrise_ms: int) -> float:
    return points[-1][1]


class WindowForecast:
    """A forecast refitted over a sliding window of the night's readings."""

    def __init__(self, fit: Fit, window_ms: int = 3 * H_MS, min_span_ms: int = 90 * 60_000,
                 every_ms: int = 5 * 60_000) -> None:
        self.fit, self.window_ms, self.min_span_ms, self.every_ms = (
            fit, window_ms, min_span_ms, every_ms)
        self.points: deque[tuple[int, float]] = deque()
        self.sunrise = 0
        self.next_fit = 0
        self.last: float | None = None

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[tuple[int, float, int]]:
        out: list[tuple[int, float, int]] = []
        pts = self.points
        for t, v in zip(ts, vs, strict=True):
            if t >= self.sunrise:
                self.sunrise = next_sunrise_ms(t)
                pts.clear()
                self.next_fit, self.last = 0, None
            dusk = last_sunset_ms(t)
            if self.sunrise - dusk > 16 * H_MS:
                out.append((t, DAYTIME, self.sunrise))
                continue
            if t < dusk + 30 * 60_000:
                continue
            if not pts or t - pts[-1][0] >= 60_000:
                pts.append((t, v))
            while pts[0][0] < t - self.window_ms:
                pts.popleft()
            if t < self.next_fit:
                if self.last is not None:
                    out.append((t, self.last, self.sunrise))
                continue
            if t - pts[0][0] < self.min_span_ms or len(pts) < 1:
                continue
            self.next_fit = t + self.every_ms
            self.last = self.fit(list(pts), self.sunrise)
            out.append((t, self.last, self.sunrise))
        return out


BASELINES: dict[str, Callable[[], WindowForecast]] = {
    "linear": lambda: WindowForecast(fit_linear),
    "persistence": lambda: WindowForecast(fit_persistence, min_span_ms=0),
    "exp-v1": lambda: WindowForecast(fit_dawn),
}
