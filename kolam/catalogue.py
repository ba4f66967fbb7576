"""The metric catalogue of protocol v1: the only keys a sample may carry.

Valid ranges are what a probe can physically report; a value outside them is a
fault, not a reading. Water-quality bands (optimal / warning / critical) come
from ../shared/DOMAIN.md (SNI 6484 for lele grow-out, Boyd et al. 1994,
Emerson et al. 1975) and are the single source for status and alert defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """How far a reading is from where the fish want it."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Band:
    """A closed interval; ``None`` leaves a side open."""

    low: float | None = None
    high: float | None = None

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True, slots=True)
class Metric:
    """One measured (or derived) quantity."""

    key: str
    unit: str
    label_id: str
    label_en: str
    valid: Band
    optimal: Band
    warning: Band | None = None
    """Values inside ``warning`` but outside ``optimal`` are a warning; outside it, critical."""
    sentinels: tuple[float, ...] = ()
    derived: bool = False
    decimals: int = 2

    def level(self, value: float) -> Level:
        """Classify a value against the default bands."""
        if self.optimal.contains(value):
            return Level.OK
        if self.warning is None or self.warning.contains(value):
            return Level.WARNING
        return Level.CRITICAL


def _m(key: str, unit: str, label_id: str, label_en: str, valid: tuple[float, float],
       optimal: Band, warning: Band | None = None, sentinels: tuple[float, ...] = (),
       derived: bool = False, decimals: int = 2) -> Metric:
    return Metric(key, unit, label_id, label_en, Band(*valid), optimal, warning, sentinels,
                  derived, decimals)


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        # Temperature: optimal 26–30 °C, warning <25 or >32, critical <20 or >35 (DOMAIN.md).
        # DS18B20 reads −127 disconnected, 85 when no conversion ran, −128 on CRC error.
        _m("temp_c", "°C", "Suhu", "Temperature", (0, 45), Band(26, 30), Band(20, 35),
           sentinels=(-127.0, -128.0, 85.0), decimals=1),
        # pH: optimal 6.5–8.5, critical <5.5 or >9.0 (DOMAIN.md).
        _m("ph", "pH", "pH", "pH", (0, 14), Band(6.5, 8.5), Band(5.5, 9.0)),
        # DO: optimal ≥4 mg/L, warning <3, critical <2 (lele breathe air; below 2 mg/L
        # nitrification stops and feeding collapses — DOMAIN.md).
        _m("do_mgl", "mg/L", "Oksigen terlarut", "Dissolved oxygen", (0, 25), Band(4, None),
           Band(2, None)),
        # Nitrogen compounds are in mg/L of N ("-N"), as in DOMAIN.md's bands; test kits
        # often report NH3 (1.216× the N value) or NO2 (3.284×): see chemistry.as_nitrogen.
        # TAN itself carries no band: alerts use the derived NH3 (Emerson et al. 1975).
        _m("tan_mgl", "mg/L", "Amonia total (TAN-N)", "Total ammonia nitrogen (TAN-N)",
           (0, 50), Band()),
        # Nitrite-N: optimal <0.1, warning ≥0.3, critical ≥0.6 (DOMAIN.md).
        _m("no2_mgl", "mg/L", "Nitrit (NO2-N)", "Nitrite (NO2-N)", (0, 20), Band(None, 0.1),
           Band(None, 0.6), decimals=3),
        # TDS: 100–600 ppm optimal, >1000 warning, no critical band (DOMAIN.md).
        _m("tds_ppm", "ppm", "TDS", "TDS", (0, 5000), Band(100, 600), None, decimals=0),
        _m("turbidity_ntu", "NTU", "Kekeruhan", "Turbidity", (0, 3000), Band(), decimals=0),
        # Depth is pond-specific; leak detection (drop >10 cm/day) is a rate rule.
        _m("level_cm", "cm", "Tinggi air", "Water level", (0, 500), Band(), decimals=1),
        # Derived: un-ionized ammonia NH3-N, optimal <0.05, warning ≥0.1, critical ≥0.34.
        _m("nh3_mgl", "mg/L", "Amonia bebas (NH3-N)", "Un-ionized ammonia (NH3-N)", (0, 50),
           Band(None, 0.05), Band(None, 0.34), derived=True, decimals=3),
        # Derived: DO as % of saturation at the water temperature.
        _m("do_sat_pct", "%", "Saturasi oksigen", "DO saturation", (0, 400), Band(),
           derived=True, decimals=0),
    )
}

MEASURED: frozenset[str] = frozenset(k for k, m in METRICS.items() if not m.derived)
"""Keys a device may send."""


def valid_range(key: str) -> tuple[float, float]:
    """The closed valid range ``(low, high)`` of a metric, e.g. for a simulated probe's
    converter; raises ``KeyError`` for a key outside the catalogue."""
    valid = METRICS[key].valid
    if valid.low is None or valid.high is None:  # pragma: no cover - every range is closed
        raise ValueError(f"metric {key!r} has an open valid range")
    return float(valid.low), float(valid.high)
