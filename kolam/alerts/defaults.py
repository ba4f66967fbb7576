"""The default alert rules: the rule ids the configuration accepts, and their thresholds.

Water-quality thresholds come from DOMAIN.md's grow-out table (SNI 6484 for lele, Boyd et
al. 1994, Emerson et al. 1975): the critical bounds are the catalogue's (``METRICS[k].warning``,
the single source), the warning bounds are DOMAIN.md's "warning" column where it names one.
Durations and hystereses are Kolam's choices: long enough that a noisy probe or one odd
sample never pages anyone, short enough that a real crash is reported within minutes.

Vocabulary shared by the core (``kolam.config`` checks rule ids at load), the simulator's
tests and the engine in ingest, which applies the per-site and per-pond overrides.
"""

from __future__ import annotations

from kolam.alerts.model import Direction, Rule
from kolam.catalogue import METRICS, Band


def _critical_band(metric: str) -> Band:
    """Outside the catalogue's ``warning`` band a reading is critical."""
    band = METRICS[metric].warning
    assert band is not None, metric
    return band


_DO, _T, _PH = _critical_band("do_mgl"), _critical_band("temp_c"), _critical_band("ph")
_NH3, _NO2 = _critical_band("nh3_mgl"), _critical_band("no2_mgl")


def _rule(id_: str, signal: str, unit: str, direction: Direction, warning: float | None,
          critical: float | None, hysteresis: float, min_duration_s: float,
          enabled: bool = True) -> Rule:
    return Rule(id_, signal, unit, direction, warning, critical, hysteresis, min_duration_s,
                enabled)


DEFAULT_RULES: dict[str, Rule] = {r.id: r for r in (
    # DO: warning < 3 mg/L, critical < 2 (nitrification stops, feeding collapses; DOMAIN.md).
    _rule("do_low", "do_mgl", "mg/L", "below", 3.0, _DO.low, 0.3, 600),
    # Temperature: warning < 25 or > 32 °C, critical < 20 or > 35 °C (DOMAIN.md).
    _rule("temp_low", "temp_c", "°C", "below", 25.0, _T.low, 0.5, 1800),
    _rule("temp_high", "temp_c", "°C", "above", 32.0, _T.high, 0.5, 1800),
    # pH: optimal 6.5–8.5, critical < 5.5 or > 9.0 (DOMAIN.md). In green water
    # photosynthesis takes up CO2 and pH rises 0.5–1.5 units by mid-afternoon and falls
    # back at night (DOMAIN.md daily cycles); an afternoon peak of 9 or more for a few hours
    # is normal in ponds with a bloom and does not harm the fish (Boyd & Tucker 1998, Pond
    # Aquaculture Water Quality Management, ch. 6; Wurts & Durborow 1992, SRAC 464). What
    # harms is pH that stays high — a bloom too dense, alkalinity too low, or ammonia
    # turning toxic (which nh3_high watches). So the high side must hold for 4 hours: longer
    # than the afternoon peak, short enough to report a pond that stays alkaline.
    _rule("ph_low", "ph", "pH", "below", METRICS["ph"].optimal.low, _PH.low, 0.2, 1800),
    _rule("ph_high", "ph", "pH", "above", METRICS["ph"].optimal.high, _PH.high, 0.2, 4 * 3600),
    # Un-ionized ammonia NH3-N (derived): warning ≥ 0.1, critical ≥ 0.34 mg/L (DOMAIN.md).
    _rule("nh3_high", "nh3_mgl", "mg/L", "above", 0.1, _NH3.high, 0.01, 900),
    # Nitrite-N: warning ≥ 0.3, critical ≥ 0.6 mg/L (DOMAIN.md).
    _rule("no2_high", "no2_mgl", "mg/L", "above", 0.3, _NO2.high, 0.05, 1800),
    # TDS > 1000 ppm: warning; no critical band (DOMAIN.md).
    _rule("tds_high", "tds_ppm", "ppm", "above", 1000.0, None, 50.0, 3600),
    # Depth below the pond's own minimum: critical; needs a per-pond override (DOMAIN.md).
    _rule("level_low", "level_cm", "cm", "below", None, None, 2.0, 1800),
    # Level falling faster than 10 cm/day over a 6-hour fit: a leak (DOMAIN.md).
    _rule("level_leak", "level_fall_cm_day", "cm/day", "above", 10.0, None, 3.0, 1800),
    # Rain cools the surface 1–3 °C (DOMAIN.md); a 2 °C fall within 3 h is not the daily
    # cycle (at most ~1.3 °C in the simulator's fair weather) — appetite and pH follow.
    _rule("temp_drop", "temp_drop_c_3h", "°C", "above", 2.0, None, 0.5, 600),
    # Dawn DO forecast (Madenjian 1987): predicted minimum below the critical 2 mg/L.
    _rule("do_forecast", "do_dawn_mgl", "mg/L", "below", 2.0, None, 0.3, 1800),
    # Low DO together with high ammonia is worse than either alone (DOMAIN.md). Low DO
    # comes at dawn when pH, and so NH3, are lowest: the rule watches the NH3-N the TAN
    # will give at the last 24 h's peak pH and temperature while DO is below do_low's
    # warning (nitrification slowing, stopping below 2 mg/L); NH3-N bands as nh3_high.
    # See ingest/alerts/ammonia.py.
    _rule("do_nh3", "nh3_potential_mgl", "mg/L", "above", 0.1, _NH3.high, 0.03, 600),
    # Sensor health (DOMAIN.md, "Sensors and their faults").
    # Offline: away (Last Will, or silent for 3 intervals) for at least 10 min. A Wi-Fi
    # node that reconnects, a broker restart or a brown-out reboot is back within minutes
    # and is not news; the water rules see the gap anyway (its samples arrive late).
    _rule("offline", "online", "", "above", 0.5, None, 0.0, 600),
    _rule("flatline", "unchanged_min", "min", "above", 90.0, None, 0.0, 0),
    # A probe fault is reported once and clears only after a clean window (the
    # hysteresis takes the count down to 0), so a flickering probe does not flap.
    _rule("spikes", "spikes_24h", "", "above", 2.5, None, 2.0, 0),
    # Sentinel codes and readings outside what a probe can report (pH 15.45 from an
    # unplugged probe) in the last 2 hours.
    _rule("sentinel", "sentinels_2h", "", "above", 2.5, None, 2.0, 0),
    _rule("drift", "drift_ratio", "", "above", 1.0, None, 0.0, 0),
    # An aerator that was running stops without anyone meaning it to: the relay reports
    # it off after a power cut (``by`` local:power) or on but drawing no current (a dead
    # motor; below the loop's ``min_amps``, else 0.2 A). Critical at night (between
    # sunset and sunrise), when a dense lele pond without aeration loses 0.5–1.5 mg/L an
    # hour (DOMAIN.md) and a warning from the forecast would come too late; a warning by
    # day. Signal: 2 at night, 1 by day, 0 when it runs again or a person switched it.
    _rule("aerator_failed", "aerator_failed", "", "above", 0.5, 1.5, 0.0, 0),
)}
