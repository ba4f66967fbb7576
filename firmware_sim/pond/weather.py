"""Site weather: cloud cover, rain showers, wind and the water's equilibrium temperature.

Weather is shared by every pond at a site and drawn per WIB day from its own random stream
(seed, day), so a day's weather does not depend on how the simulation was chunked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from firmware_sim.pond.sun import WIB_OFFSET_S, cloud_light_factor, local_day_index, local_hour
from kolam.science.sun import sin_elevation

F64 = NDArray[np.float64]

# Qualitative Serang climatology by month (1–12): chance of a rain day and mean cloud cover.
# Shaped after DOMAIN.md ("rainy season late December to February peak; dry season peaks
# August–September"); these are not station statistics.
_RAIN_DAY_P = (0.75, 0.70, 0.60, 0.50, 0.35, 0.30, 0.25, 0.15, 0.15, 0.30, 0.50, 0.65)
_CLOUD_MEAN = (0.70, 0.68, 0.62, 0.55, 0.45, 0.40, 0.35, 0.30, 0.30, 0.40, 0.50, 0.62)
# Daily-mean equilibrium water temperature (°C): DOMAIN.md "daily swing 1.5–3 °C around
# 28–30 °C in 60–100 cm ponds"; a little cooler in the wet season.
_TEMP_MEAN_C = (28.2, 28.2, 28.5, 28.8, 29.0, 28.7, 28.5, 28.7, 29.1, 29.4, 29.2, 28.6)
# Half-swing of the equilibrium temperature on a clear day; the water's lag (tau ≈ 2.5 h)
# damps it to a 1.5–3 °C daily range and shifts the peak to 13:00–14:00 WIB (DOMAIN.md).
_TEMP_HALF_SWING_C = 1.75
_FORCING_PEAK_H = 11.0
# Rain cools the surface water 1–3 °C (DOMAIN.md); applied to the equilibrium temperature
# while it rains, at full strength from 8 mm/h.
_RAIN_COOLING_C = 3.5
_RAIN_COOLING_FULL_MM_H = 8.0


@dataclass(frozen=True, slots=True)
class Storm:
    """A rain event on a day relative to the simulation's first WIB day."""

    day: int
    start_h: float
    duration_h: float
    mm_h: float


@dataclass(frozen=True, slots=True)
class WeatherSpec:
    """How a scenario shapes the weather: climate regime plus forced events."""

    climate: str = "fair"  # "fair": light cloud, rare light showers; "seasonal": climatology
    overcast_days: tuple[int, ...] = ()
    storms: tuple[Storm, ...] = ()


@dataclass(frozen=True, slots=True)
class DayWeather:
    """One WIB day of site weather."""

    cloud: float  # mean cloud fraction 0–1
    afternoon_build_up: float  # extra cloud around 15:00 from convection
    rain: tuple[tuple[float, float, float], ...]  # (start_h, end_h, mm/h), local hours
    wind: float  # multiplier on the surface gas-transfer velocity
    temp_mean_c: float
    overcast: bool


@dataclass(frozen=True, slots=True)
class Forcing:
    """Weather at one instant: scalars shared by a site's ponds, or one value per pond."""

    local_h: float
    light: float | F64  # global irradiance relative to clear-sky noon, 0–1
    cloud: float | F64
    rain_mm_h: float | F64
    wind: float | F64
    te_c: float | F64  # equilibrium water temperature before the per-pond offset


def _draw_day(seed: int, day_index: int, month: int, climate: str) -> DayWeather:
    rng = np.random.default_rng([seed, 0x5EA7, day_index])
    if climate == "fair":
        cloud = float(rng.uniform(0.15, 0.45))
        p_rain, max_mm_h, max_dur_h = 0.2, 4.0, 1.0
    else:
        mean = _CLOUD_MEAN[month - 1]
        cloud = float(np.clip(rng.beta(4.0 * mean / (1 - mean), 4.0), 0.05, 0.95))
        p_rain, max_mm_h, max_dur_h = _RAIN_DAY_P[month - 1], 25.0, 3.0
    rain: list[tuple[float, float, float]] = []
    if rng.random() < p_rain:
        # Convective showers in Banten fall mostly in the afternoon and evening.
        start = float(rng.uniform(13.0, 20.0))
        dur = float(rng.uniform(0.3, max_dur_h))
        rain.append((start, start + dur, float(rng.uniform(1.0, max_mm_h))))
    return DayWeather(
        cloud=cloud,
        afternoon_build_up=float(rng.uniform(0.0, 0.25)),
        rain=tuple(rain),
        wind=float(rng.uniform(0.8, 1.2)),
        temp_mean_c=_TEMP_MEAN_C[month - 1] + float(rng.normal(0.0, 0.3)),
        overcast=False,
    )


class Weather:
    """Per-step site weather for a scenario, drawn lazily per WIB day and cached."""

    def __init__(self, seed: int, start_s: float, spec: WeatherSpec) -> None:
        self._seed = seed
        self._spec = spec
        self._day0 = local_day_index(start_s)
        self._days: dict[int, DayWeather] = {}

    def day(self, day_index: int) -> DayWeather:
        """Weather of the WIB day with the given index (days since 1970-01-01 WIB)."""
        cached = self._days.get(day_index)
        if cached is not None:
            return cached
        month = int(np.datetime64(day_index, "D").astype(object).month)
        spec = self._spec
        # Scenario events apply from day 0 on; warm-up days before it get plain weather.
        climate = "fair" if day_index < self._day0 else spec.climate
        base = _draw_day(self._seed, day_index, month, climate)
        rel = day_index - self._day0
        rain = list(base.rain) + [(s.start_h, s.start_h + s.duration_h, s.mm_h) for s in spec.storms
                 if s.day == rel]
        overcast = rel in spec.overcast_days
        out = DayWeather(
            cloud=0.97 if overcast else base.cloud,
            afternoon_build_up=0.0 if overcast else base.afternoon_build_up,
            rain=tuple(rain),
            wind=base.wind,
            temp_mean_c=base.temp_mean_c - (0.8 if overcast else 0.0),
            overcast=overcast,
        )
        self._days[day_index] = out
        return out

    def at(self, t_s: float) -> Forcing:
        """Site weather at UTC epoch second t_s."""
        d = self.day(int((t_s + WIB_OFFSET_S) // 86400.0))
        h = local_hour(t_s)
        cloud = min(1.0, d.cloud + d.afternoon_build_up * math.exp(-(((h - 15.0) / 2.5) ** 2)))
        rain = 0.0
        for start, end, mm_h in d.rain:
            if start <= h < end:
                rain += mm_h
        if rain > 0.0:
            cloud = max(cloud, 0.9)
        light = max(0.0, sin_elevation(t_s)) * cloud_light_factor(cloud)
        clear_cloud = d.cloud if not d.overcast else 0.97
        half_swing = _TEMP_HALF_SWING_C * (1.0 - 0.5 * clear_cloud)
        te = d.temp_mean_c + half_swing * math.cos(2.0 * math.pi * (h - _FORCING_PEAK_H) / 24.0)
        te -= _RAIN_COOLING_C * min(1.0, rain / _RAIN_COOLING_FULL_MM_H)
        # Afternoon sea breeze on the Banten coast stirs the ponds more than the still night.
        wind = d.wind * (0.7 + 0.6 * math.exp(-(((h - 14.0) / 3.0) ** 2)))
        if rain > 0.0:
            wind *= 1.5
        return Forcing(local_h=h, light=light, cloud=cloud, rain_mm_h=rain, wind=wind, te_c=te)


class PondWeather:
    """Independent weather per pond: each pond has its own Weather stream (seed, pond).

    For benchmarks that need independent nights; the ponds of a real site share one sky,
    so PondSim uses the shared site Weather unless asked. Scenario events (overcast days,
    storms) still apply to every pond on their stated day.
    """

    def __init__(self, seed: int, start_s: float, spec: WeatherSpec, n_ponds: int) -> None:
        self._ponds = [Weather(seed * 100_003 + 7919 * (i + 1), start_s, spec)
                       for i in range(n_ponds)]

    def at(self, t_s: float) -> Forcing:
        """Weather of every pond at UTC epoch second t_s (arrays of shape (n_ponds,))."""
        each = [w.at(t_s) for w in self._ponds]
        return Forcing(
            local_h=each[0].local_h,
            light=np.array([f.light for f in each]),
            cloud=np.array([f.cloud for f in each]),
            rain_mm_h=np.array([f.rain_mm_h for f in each]),
            wind=np.array([f.wind for f in each]),
            te_c=np.array([f.te_c for f in each]),
        )
