"""Sun position and daylight for the pond site (Serang, Banten) by date.

Uses the NOAA/Spencer (1971) Fourier series for solar declination and the equation of
time, which are good to about a minute for sunrise and sunset — far better than the
photosynthesis model needs. Times are UTC epoch seconds in, WIB (UTC+7) for display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
from numpy.typing import NDArray

SERANG_LAT_DEG = -6.12  # Serang, Banten (the Rutan Kelas IIB Serang site)
SERANG_LON_DEG = 106.15
WIB = timezone(timedelta(hours=7), "WIB")  # Asia/Jakarta, no daylight saving
WIB_OFFSET_S = 7 * 3600

# Sunrise/sunset are defined by the upper limb touching a refracted horizon: 90.833° zenith.
_ZENITH_SUNRISE_RAD = math.radians(90.833)


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


def sun_times(day: date, lat_deg: float = SERANG_LAT_DEG,
              lon_deg: float = SERANG_LON_DEG) -> SunTimes:
    """Sunrise, solar noon and sunset on a WIB calendar date at the site."""
    gamma = _fractional_year(day.timetuple().tm_yday, 5.0)  # ~noon WIB is ~05 UTC
    decl = declination_rad(gamma)
    eot = equation_of_time_min(gamma)
    lat = math.radians(lat_deg)
    cos_ha = (math.cos(_ZENITH_SUNRISE_RAD) / (math.cos(lat) * math.cos(decl))
              - math.tan(lat) * math.tan(decl))
    ha_deg = math.degrees(math.acos(max(-1.0, min(1.0, cos_ha))))
    # Solar noon in minutes after 00:00 UTC; at 106° E it falls on the same calendar date.
    noon = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=720.0 - 4.0 * lon_deg - eot)
    return SunTimes(
        date=day,
        sunrise=(noon - timedelta(minutes=4.0 * ha_deg)).astimezone(WIB),
        solar_noon=noon.astimezone(WIB),
        sunset=(noon + timedelta(minutes=4.0 * ha_deg)).astimezone(WIB),
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


def cloud_light_factor(cloud_fraction: float) -> float:
    """Share of clear-sky global irradiance reaching the pond under a cloud fraction 0–1.

    Kasten & Czeplak (1980): G/G_clear = 1 − 0.75·(N/8)^3.4 with N the cloud cover in octas.
    """
    c = min(1.0, max(0.0, cloud_fraction))
    return 1.0 - 0.75 * math.pow(c, 3.4)


def local_hour(t_s: float) -> float:
    """Hour of the WIB day (0–24) at UTC epoch second t_s."""
    return ((t_s + WIB_OFFSET_S) % 86400.0) / 3600.0


def local_day_index(t_s: float) -> int:
    """Days since 1970-01-01 on the WIB calendar, for keying per-day weather."""
    return int((t_s + WIB_OFFSET_S) // 86400.0)


def local_date(t_s: float) -> date:
    """WIB calendar date at UTC epoch second t_s."""
    return datetime.fromtimestamp(t_s, WIB).date()


def wib_hours(t_ms: NDArray[np.int64]) -> NDArray[np.float64]:
    """Hour of the WIB day (0–24) for epoch-ms timestamps, vectorised."""
    return np.asarray(((t_ms / 1000.0 + WIB_OFFSET_S) % 86400.0) / 3600.0, dtype=np.float64)


def wib_days(t_ms: NDArray[np.int64]) -> NDArray[np.int64]:
    """WIB calendar day index (days since 1970-01-01 WIB) for epoch-ms timestamps."""
    return ((t_ms // 1000 + WIB_OFFSET_S) // 86400).astype(np.int64)
