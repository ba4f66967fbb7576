"""Sun times and elevation at a pond: the dawn oxygen forecast and the simulator's light.

The NOAA/Spencer (1971) Fourier series for solar declination and the equation of time,
good to about a minute for sunrise and sunset. The alert engine and the pages read epoch
milliseconds UTC; the simulator (``firmware_sim/pond``) reads WIB dates and UTC epoch
seconds. One algorithm for both, so the forecast's night is the simulator's night.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from kolam.timeutil import WIB

SERANG_LAT_DEG = -6.12  # Rutan Kelas IIB Serang, Banten
SERANG_LON_DEG = 106.15
# Sunrise/sunset are defined by the upper limb touching a refracted horizon: 90.833° zenith.
_ZENITH_RAD = math.radians(90.833)
_DAY_MS = 86_400_000
_NOON_UTC_HOUR = 5.0  # ~noon WIB is ~05 UTC: the series is evaluated there for a whole day


@dataclass(frozen=True, slots=True)
class SunTimes:
    """Sunrise, solar noon and sunset for one local (WIB) date, as aware datetimes in WIB."""

    date: date
    sunrise: datetime
    solar_noon: datetime
    sunset: datetime

    @property
    def daylight_h(self) -> float:
        """Hours between sunrise and sunset."""
        return (self.sunset - self.sunrise).total_seconds() / 3600.0


def _fractional_year(day_of_year: int, utc_hour: float) -> float:
    return 2.0 * math.pi / 365.0 * (day_of_year - 1 + (utc_hour - 12.0) / 24.0)


def declination_rad(gamma: float) -> float:
    """Solar declination (radians) for the fractional year gamma (Spencer 1971)."""
    return (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
            - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
            - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))


def equation_of_time_min(gamma: float) -> float:
    """Equation of time (minutes) for the fractional year gamma (Spencer 1971)."""
    return 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                     - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))


def _noon_and_half_day(day: date, lat_deg: float, lon_deg: float) -> tuple[datetime, float]:
    """Solar noon (aware UTC) on a calendar date and the half-day length in minutes."""
    gamma = _fractional_year(day.timetuple().tm_yday, _NOON_UTC_HOUR)
    decl, eot = declination_rad(gamma), equation_of_time_min(gamma)
    lat = math.radians(lat_deg)
    cos_ha = (math.cos(_ZENITH_RAD) / (math.cos(lat) * math.cos(decl))
              - math.tan(lat) * math.tan(decl))
    half_day_min = 4.0 * math.degrees(math.acos(max(-1.0, min(1.0, cos_ha))))
    # Solar noon in minutes after 00:00 UTC; at 106° E it falls on the same calendar date.
    noon = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=720.0 - 4.0 * lon_deg - eot)
    return noon, half_day_min


def sun_times(day: date, lat_deg: float = SERANG_LAT_DEG,
              lon_deg: float = SERANG_LON_DEG) -> SunTimes:
    """Sunrise, solar noon and sunset on a WIB calendar date at the site."""
    noon, half_day_min = _noon_and_half_day(day, lat_deg, lon_deg)
    return SunTimes(
        date=day,
        sunrise=(noon - timedelta(minutes=half_day_min)).astimezone(WIB),
        solar_noon=noon.astimezone(WIB),
        sunset=(noon + timedelta(minutes=half_day_min)).astimezone(WIB),
    )


def sin_elevation(t_s: float, lat_deg: float = SERANG_LAT_DEG,
                  lon_deg: float = SERANG_LON_DEG) -> float:
    """Sine of the solar elevation at UTC epoch second t_s (negative at night)."""
    days, sec = divmod(t_s, 86400.0)
    utc_hour = sec / 3600.0
    doy = datetime.fromtimestamp(days * 86400.0, UTC).timetuple().tm_yday
    gamma = _fractional_year(doy, utc_hour)
    decl = declination_rad(gamma)
    true_solar_min = sec / 60.0 + equation_of_time_min(gamma) + 4.0 * lon_deg
    ha = math.radians(true_solar_min / 4.0 - 180.0)
    lat = math.radians(lat_deg)
    return float(math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(ha))


def sun_events_ms(utc_day_ms: int, lat_deg: float = SERANG_LAT_DEG,
                  lon_deg: float = SERANG_LON_DEG) -> tuple[int, int]:
    """(sunrise, sunset) in epoch ms around the solar noon that falls on the UTC date
    containing ``utc_day_ms``."""
    # The alert engine asks for every DO sample: compute once per date and place.
    return _sun_events_for_day(utc_day_ms // _DAY_MS, lat_deg, lon_deg)


@lru_cache(maxsize=4096)
def _sun_events_for_day(day_index: int, lat_deg: float, lon_deg: float) -> tuple[int, int]:
    day = datetime.fromtimestamp(day_index * 86_400, UTC).date()
    noon, half_day_min = _noon_and_half_day(day, lat_deg, lon_deg)
    noon_ms = int(noon.timestamp() * 1000)
    return noon_ms - int(half_day_min * 60_000), noon_ms + int(half_day_min * 60_000)


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
