"""The rules in force at each pond (the defaults under per-site, per-pond overrides), and
the sensor-health checks' per-metric sizes.

The default rules and their sources are in ``kolam.alerts.defaults``.
"""

from __future__ import annotations

from dataclasses import replace

from kolam.alerts.defaults import DEFAULT_RULES
from kolam.alerts.model import Rule
from kolam.config import AlertsConfig, RuleOverride
from kolam.errors import ConfigError

FLATLINE_FACTOR = {"do_mgl": 1.0, "ph": 1.0, "temp_c": 4.0}
"""Metrics that always move a little in a living pond (DOMAIN.md daily cycles), and how
many times the flatline rule's threshold each may repeat exactly. A DS18B20 reads in
0.0625 °C steps and a pond cools only ~0.1–0.3 °C an hour at night, so a sound probe can
hold one value for well over 90 minutes; 6 hours cannot happen in a pond that swings
1.5–3 °C a day. (A broken DS18B20 reads its sentinels rather than freezing.)"""

SPIKE_SIZE = {"temp_c": 3.0, "ph": 1.0, "do_mgl": 2.5, "tan_mgl": 1.5, "no2_mgl": 0.5,
              "tds_ppm": 150.0, "turbidity_ntu": 100.0, "level_cm": 15.0}
"""A jump this large away from both neighbours is one bad sample, not the water."""

DRIFT_TOLERANCE = {"do_mgl": 0.5, "ph": 0.3, "temp_c": 1.0, "tan_mgl": 0.5, "no2_mgl": 0.1,
                   "tds_ppm": 60.0, "level_cm": 3.0}
"""Sensor − manual measurement beyond this calls for recalibration (DOMAIN.md: ±0.1 pH
probe accuracy; galvanic DO drifts up to ~20 % in two weeks)."""


def _apply(rule: Rule, o: RuleOverride) -> Rule:
    changes = {k: v for k, v in o.model_dump().items() if v is not None}
    return replace(rule, **changes) if changes else rule


class RuleBook:
    """The rules in force at each pond: defaults ← installation ← site ← pond overrides."""

    def __init__(self, config: AlertsConfig) -> None:
        unknown = set(config.rules)
        for site in config.sites.values():
            unknown |= set(site.rules)
            for pond in site.ponds.values():
                unknown |= set(pond)
        unknown -= set(DEFAULT_RULES)
        if unknown:
            raise ConfigError(f"unknown alert rules in config: {', '.join(sorted(unknown))}")
        self.config = config
        self._cache: dict[tuple[str, str], dict[str, Rule]] = {}

    def rules(self, site: str, pond: str) -> dict[str, Rule]:
        found = self._cache.get((site, pond))
        if found is None:
            found = {}
            site_cfg = self.config.sites.get(site)
            for rid, rule in DEFAULT_RULES.items():
                layers = [self.config.rules.get(rid)]
                if site_cfg is not None:
                    layers += [site_cfg.rules.get(rid), site_cfg.ponds.get(pond, {}).get(rid)]
                for o in layers:
                    if o is not None:
                        rule = _apply(rule, o)
                found[rid] = rule
            self._cache[(site, pond)] = found
        return found


LEVEL_WARNING_MARGIN_CM = 10.0
"""A warning this far above the pond's minimum: one day's fall at DOMAIN.md's leak rate
(a drop > 10 cm/day is a leak), so a leaking pond warns about a day before it is critical."""


def with_pond_minimum(rules: dict[str, Rule], min_level_cm: float | None) -> dict[str, Rule]:
    """``level_low`` from the pond record's ``min_level_cm`` (issue #19): critical below the
    minimum (DOMAIN.md: depth is critical "below the pond's minimum"), warning
    ``LEVEL_WARNING_MARGIN_CM`` above it. A threshold set in the config wins: the record only
    fills a rule the config left without one."""
    rule = rules.get("level_low")
    if rule is None or min_level_cm is None or (rule.warning, rule.critical) != (None, None):
        return rules
    return rules | {"level_low": replace(rule, critical=min_level_cm,
                                         warning=min_level_cm + LEVEL_WARNING_MARGIN_CM)}
