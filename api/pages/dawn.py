"""The dawn dissolved-oxygen forecast shown on the pond page.

The alerting engine (``kolam.alerts.forecast``) fits it continuously in ingest; the page
refits the same model over tonight's stored readings, so it shows a number even when no
alert was raised. By day there is nothing to forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

from kolam.alerts.forecast import fit_dawn
from kolam.store.base import TimeSeriesReader
from kolam.sun import last_sunset_ms, next_sunrise_ms

_H_MS = 3_600_000
WINDOW_MS = 3 * _H_MS
AFTER_DUSK_MS = 30 * 60_000
MIN_SPAN_MS = 90 * 60_000
MIN_POINTS = 6


@dataclass(frozen=True, slots=True)
class Dawn:
    state: str
    """``forecast``, ``day`` (no night to forecast) or ``wait`` (too few readings yet)."""
    do_mgl: float | None = None
    sunrise_ms: int | None = None


def dawn_forecast(store: TimeSeriesReader, site: str, pond: str, now: int) -> Dawn:
    sunrise, dusk = next_sunrise_ms(now), last_sunset_ms(now)
    if sunrise - dusk > 16 * _H_MS:
        return Dawn("day")
    start = max(dusk + AFTER_DUSK_MS, now - WINDOW_MS)
    points = [(p.t, p.value) for p in store.raw(site, pond, "do_mgl", start, now + 1)]
    if len(points) < MIN_POINTS or points[-1][0] - points[0][0] < MIN_SPAN_MS:
        return Dawn("wait", sunrise_ms=sunrise)
    return Dawn("forecast", fit_dawn(points, sunrise), sunrise)
