"""The alert engine: rules evaluated per pond on the samples' own timestamps.

Ingest hands it each committed batch (rows, device statuses, dead letters); it returns the
alert transitions the batch caused, which ingest commits before acknowledging the batch.
State is in memory and rebuilt from the registry's active alerts after a restart.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kolam.alerts.condition import Condition, transition
from kolam.alerts.forecast import DawnForecast
from kolam.alerts.health import DeviceHealth
from kolam.alerts.model import ActiveAlert, AlertKey, Rule, Transition
from kolam.alerts.rules import RuleBook
from kolam.alerts.signals import Drop, FallRate
from kolam.config import AlertsConfig
from kolam.errors import ProtocolError
from kolam.protocol import DeviceRef, Reason, Status, parse_topic
from kolam.registry.repo import DeadLetterIn
from kolam.store.base import Row
from kolam.sun import SERANG_LAT_DEG, SERANG_LON_DEG
from kolam.timeutil import WIB, from_ms

_DERIVED_RULES = {"level_leak": "level_cm", "temp_drop": "temp_c", "do_forecast": "do_mgl"}
"""Rules whose signal is computed from a metric's window rather than read from it."""


@dataclass(slots=True)
class PondState:
    site: str
    pond: str
    rules: dict[str, Rule]
    by_metric: dict[str, list[Rule]]
    conditions: dict[str, Condition] = field(default_factory=dict)
    leak: FallRate = field(default_factory=FallRate)
    drop: Drop = field(default_factory=Drop)
    forecast: DawnForecast = field(default_factory=DawnForecast)

    def condition(self, key: str, rule: Rule) -> Condition:
        c = self.conditions.get(key)
        if c is None:
            c = self.conditions[key] = Condition(rule)
        return c


class AlertEngine:
    """Stateful per pond; ``evaluate`` and ``tick`` return transitions, never raise for data."""

    def __init__(self, config: AlertsConfig, offline_after_intervals: float = 3.0) -> None:
        self.config = config
        self.book = RuleBook(config)
        self.ponds: dict[tuple[str, str], PondState] = {}
        self.health = DeviceHealth(self._pond, offline_after_intervals)

    def _pond(self, site: str, pond: str) -> PondState:
        ps = self.ponds.get((site, pond))
        if ps is None:
            rules = {rid: r for rid, r in self.book.rules(site, pond).items()
                     if r.enabled and (r.warning is not None or r.critical is not None)}
            by_metric: dict[str, list[Rule]] = defaultdict(list)
            for r in rules.values():
                if r.id not in _DERIVED_RULES:
                    by_metric[r.signal].append(r)
            ps = PondState(site, pond, rules, dict(by_metric))
            site_cfg = self.config.sites.get(site)
            if site_cfg is not None:
                ps.forecast.lat_deg = site_cfg.latitude_deg or SERANG_LAT_DEG
                ps.forecast.lon_deg = site_cfg.longitude_deg or SERANG_LON_DEG
            self.ponds[(site, pond)] = ps
        return ps

    # ------------------------------------------------------------ restart

    def restore(self, alerts: Iterable[ActiveAlert]) -> None:
        """Resume the alerts that were active when ingest stopped."""
        for a in alerts:
            ps = self._pond(a.alert.site, a.alert.pond)
            rule = ps.rules.get(a.rule)
            if rule is None:
                continue
            if a.rule == "offline":
                self.health.restore_offline(a.alert.site, a.alert.pond, a.alert.key, a.since)
                continue
            ps.condition(a.alert.key, rule).restore(a.severity.rank, a.since, a.last_t)

    # ------------------------------------------------------------ evaluation

    def evaluate(self, rows: Sequence[Row], statuses: Sequence[tuple[DeviceRef, Status, int]],
                 dead: Sequence[DeadLetterIn], now: int) -> list[Transition]:
        out: list[Transition] = []
        for d in dead:
            if d.reason == Reason.SENTINEL:
                self._sentinel(d, out)
        by_pond: dict[tuple[str, str], list[tuple[int, str, str, float]]] = defaultdict(list)
        for key, t, value in rows:
            by_pond[(key.site, key.pond)].append((t, key.device, key.metric, value))
        for (site, pond), samples in by_pond.items():
            ps = self._pond(site, pond)
            samples.sort()
            for t, device, metric, value in samples:
                self.health.sample(ps, device, metric, t, value, now, out)
                self._water(ps, t, metric, value, out)
        for ref, status, at in statuses:
            self.health.status(ref, status, at, out)
        return out

    def tick(self, now: int) -> list[Transition]:
        """Wall-clock checks: devices silent for longer than their interval allows."""
        out: list[Transition] = []
        self.health.silence(now, out)
        return out

    def manual_check(self, site: str, pond: str, device: str, metric: str, t: int,
                     sensor: float, manual: float) -> list[Transition]:
        """Compare a manual measurement with the sensor's reading at the same time."""
        out: list[Transition] = []
        self.health.drift(self._pond(site, pond), device, metric, t, sensor, manual, out)
        return out

    def _feed(self, ps: PondState, rule: Rule, t: int, value: float, out: list[Transition],
              metric: str | None, detail: str = "") -> None:
        ch = ps.condition(rule.id, rule).update(t, value)
        if ch is not None:
            out.append(transition(AlertKey(ps.site, ps.pond, rule.id), rule, ch, metric=metric,
                                  detail=detail))

    def _water(self, ps: PondState, t: int, metric: str, value: float,
               out: list[Transition]) -> None:
        for rule in ps.by_metric.get(metric, ()):
            self._feed(ps, rule, t, value, out, metric)
        rules = ps.rules
        if metric == "level_cm" and "level_leak" in rules:
            rate = ps.leak.add(t, value)
            if rate is not None:
                self._feed(ps, rules["level_leak"], t, rate, out, metric)
        elif metric == "temp_c" and "temp_drop" in rules:
            self._feed(ps, rules["temp_drop"], t, ps.drop.add(t, value), out, metric)
        elif metric == "do_mgl" and "do_forecast" in rules:
            dawn = ps.forecast.add(t, value)
            if dawn is not None:
                at = from_ms(ps.forecast.sunrise_ms).astimezone(WIB).strftime("%H:%M")
                self._feed(ps, rules["do_forecast"], t, dawn, out, metric, f"dawn {at} WIB")
        if metric in ("do_mgl", "nh3_mgl") and "do_nh3" in rules:
            do, nh3 = ps.conditions.get("do_low"), ps.conditions.get("nh3_high")
            both = do is not None and nh3 is not None and do.level >= 1 and nh3.level >= 1
            if both or "do_nh3" in ps.conditions:
                self._feed(ps, rules["do_nh3"], t, 1.0 if both else 0.0, out, metric)

    def _sentinel(self, d: DeadLetterIn, out: list[Transition]) -> None:
        try:
            ref = parse_topic(d.topic).device_ref
            fragment = json.loads(d.payload)
            t = int(fragment.pop("t"))
            (metric,) = fragment
        except (ProtocolError, ValueError, KeyError, TypeError, AttributeError):
            return
        self.health.sentinel(self._pond(ref.site, ref.pond), ref.device, metric, t, out)
