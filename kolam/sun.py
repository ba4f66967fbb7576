"""Sunrise and sunset at a pond, for the dawn oxygen forecast.

The NOAA/Spencer (1971) series for solar declination and the equation of time, good to
about a minute — the same algorithm as the simulator's ``firmware_sim/pond/sun.py``,
copied because the core never imports a service package. Times are epoch milliseconds UTC.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import lru_cache

SERANG_LAT_DEG = -6.12  # Rutan Kelas IIB Serang, Banten
SERANG_LON_DEG = 106.15
_ZENITH_RAD = math.radians(90.833)  # upper limb on a refracted horizon
_DAY_MS = 86_400_000


def _gamma(day_of_year: int) -> float:
    return 2.0 * math.pi / 365.0 * (day_of_year - 1 + (5.0 - 12.0) / 24.0)


def _declination(g: float) -> float:
    return (0.006918 - 0.399912 * math.cos(g) + 0.070257 * math.sin(g)
            - 0.006758 * math.cos(2 * g) + 0.000907 * math.sin(2 * g)
            - 0.002697 * math.cos(3 * g) + 0.00148 * math.sin(3 * g))


def _equation_of_time_min(g: float) -> float:
    return 229.18 * (0.000075 + 0.001868 * math.cos(g) - 0.032077 * math.sin(g)
                     - 0.014615 * math.cos(2 * g) - 0.040849 * math.sin(2 * g))


def sun_events_ms(utc_day_ms: int, lat_deg: float = SERANG_LAT_DEG,
                  lon_deg: float = SERANG_LON_DEG) -> tuple[int, int]:
    """(sunrise, sunset) in epoch ms around the solar noon that falls on the UTC date
    containing ``utc_day_ms``."""
    # The alert engine asks for every DO sample: compute once per date and place.
    return _sun_events_for_day(utc_day_ms // _DAY_MS, lat_deg, lon_deg)


@lru_cache(maxsize=4096)
def _sun_events_for_day(day_index: int, lat_deg: float, lon_deg: float) -> tuple[int, int]:
    day = datetime.fromtimestamp(day_index * 86_400, UTC).date()
    g = _gamma(day.timetuple().tm_yday)
    decl, eot = _declination(g), _equation_of_time_min(g)
    lat = math.radians(lat_deg)
    cos_ha = math.cos(_ZENITH_RAD) / (math.cos(lat) * math.cos(decl)) - math.tan(lat) * math.tan(
        decl)
    ha_min = 4.0 * math.degrees(math.acos(max(-1.0, min(1.0, cos_ha))))
    noon = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=720.0 - 4.0 * lon_deg - eot)
    noon_ms = int(noon.timestamp() * 1000)
    return noon_ms - int(ha_min * 60_000), noon_ms + int(ha_min * 60_000)


def _next_event(t_ms: int, which: int, lat_deg: float, lon_deg: float) -> int:
    for k in range(-1, 3):
        at = sun_events_ms(t_ms + k * _DAY_MS, lat_deg, lon_deg)[which]
        if at > t_ms:
            return at
    raise AssertionError("no sunrise or sunset within three days")  # pragma: no cover


def next_sunrise_ms(t_ms: int, lat_deg: float = SERANG_LAT_DEG,
                    lon_deg: float = SERANG_LON_DEG) -> int:
    """The first sunrise after ``t_ms``."""
    return _next_event(t_ms, 0, lat_deg, lon_deg)


def next_sunset_ms(t_ms: int, lat_deg: float = SERANG_LAT_DEG,
                   lon_deg: float = SERANG_LON_DEG) -> int:
    """The first sunset after ``t_ms``."""
    return _next_event(t_ms, 1, lat_deg, lon_deg)


def last_sunset_ms(t_ms: int, lat_deg: float = SERANG_LAT_DEG,
                   lon_deg: float = SERANG_LON_DEG) -> int:
    """The last sunset at or before ``t_ms``."""
    for k in range(1, -3, -1):
        _, sets = sun_events_ms(t_ms + k * _DAY_MS, lat_deg, lon_deg)
        if sets <= t_ms:
            return sets
    raise AssertionError("no sunset within three days")  # pragma: no cover - polar only
