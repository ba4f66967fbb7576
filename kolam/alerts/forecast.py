"""Dawn dissolved-oxygen forecast (Madenjian 1987, DOMAIN.md).

After dusk, photosynthesis stops and DO falls roughly exponentially until sunrise. A
straight line fitted to ln(DO) against time over the evening readings, extrapolated to the
next sunrise, predicts the pre-dawn minimum hours before it happens. Kolam refits every few
minutes over the last three hours of the night so far, so an aerator switched on (or
failing) changes the forecast within the hour.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from kolam.sun import (
    SERANG_LAT_DEG,
    SERANG_LON_DEG,
    last_sunset_ms,
    next_sunrise_ms,
    next_sunset_ms,
)

DAYTIME = 99.0
"""The signal between sunrise and dusk: "no low-oxygen forecast", so an alert clears."""
_H_MS = 3_600_000
_MIN_DO = 0.05


def fit_dawn(points: Sequence[tuple[int, float]], sunrise_ms: int) -> float:
    """DO (mg/L) at ``sunrise_ms`` from the exponential fitted to ``points`` (t ms, DO).

    A rising or flat night (an aerator winning) predicts no lower than the last reading.
    """
    n = len(points)
    xs = [(t - points[-1][0]) / _H_MS for t, _ in points]
    ys = [math.log(max(v, _MIN_DO)) for _, v in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    last = points[-1][1]
    if slope >= 0:
        return last
    hours = (sunrise_ms - points[-1][0]) / _H_MS
    return min(last, math.exp(my - slope * mx + slope * hours))


@dataclass(slots=True)
class DawnForecast:
    """Feeds on a pond's DO readings; gives the forecast dawn DO at night, ``DAYTIME`` by
    day, and nothing while the night has too few readings to fit. Keeps at most one point
    a minute (``thin_ms``): a probe read every second would otherwise make each fit slow
    and the window large."""

    lat_deg: float = SERANG_LAT_DEG
    lon_deg: float = SERANG_LON_DEG
    window_ms: int = 3 * _H_MS
    after_dusk_ms: int = 30 * 60_000
    min_span_ms: int = 90 * 60_000
    every_ms: int = 5 * 60_000
    thin_ms: int = 60_000
    points: deque[tuple[int, float]] = field(default_factory=deque)
    sunrise_ms: int = 0
    _next_fit: int = 0
    _last: float | None = None
    _dusk: tuple[int, int] = (0, 0)
    """The last sunset before t, valid until the next one: (sunset, next sunset)."""

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[tuple[int, float, int]]:
        """(t, forecast, the sunrise it is for) after each sample that yields a forecast."""
        out: list[tuple[int, float, int]] = []
        pts, thin, window = self.points, self.thin_ms, self.window_ms
        sunrise, next_fit, last = self.sunrise_ms, self._next_fit, self._last
        dusk, dusk_until = self._dusk  # last_sunset_ms(t) is constant until the next sunset
        for t, do_mgl in zip(ts, vs, strict=True):
            if t >= sunrise:
                sunrise = next_sunrise_ms(t, self.lat_deg, self.lon_deg)
                pts.clear()
                next_fit, last = 0, None
            if not dusk <= t < dusk_until:
                dusk = last_sunset_ms(t, self.lat_deg, self.lon_deg)
                dusk_until = next_sunset_ms(t, self.lat_deg, self.lon_deg)
            if sunrise - dusk > 16 * _H_MS:
                out.append((t, DAYTIME, sunrise))
                continue
            if t < dusk + self.after_dusk_ms:
                continue
            if not pts or t - pts[-1][0] >= thin:
                pts.append((t, do_mgl))
            while pts[0][0] < t - window:
                pts.popleft()
            if t < next_fit:
                if last is not None:
                    out.append((t, last, sunrise))
                continue
            if len(pts) < 6 or t - pts[0][0] < self.min_span_ms:
                continue
            next_fit = t + self.every_ms
            last = fit_dawn(list(pts), sunrise)
            out.append((t, last, sunrise))
        self.sunrise_ms, self._next_fit, self._last = sunrise, next_fit, last
        self._dusk = (dusk, dusk_until)
        return out

    def add(self, t: int, do_mgl: float) -> float | None:
        got = self.add_many((t,), (do_mgl,))
        return got[0][1] if got else None
