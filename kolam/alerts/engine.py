"""The alert engine: rules evaluated per pond on the samples' own timestamps.

Ingest hands it each committed batch (rows, device statuses, dead letters); it returns the
alert transitions the batch caused, which ingest commits before acknowledging the batch.
State is in memory and rebuilt from the registry's active alerts after a restart.
"""

from __future__ import annotations

import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from kolam.alerts.condition import Condition, LevelChange, transition
from kolam.alerts.forecast import DawnForecast
from kolam.alerts.health import DeviceHealth, Series
from kolam.alerts.model import ActiveAlert, AlertKey, Rule, Transition
from kolam.alerts.rules import RuleBook
from kolam.alerts.signals import Drop, FallRate
from kolam.config import AlertsConfig
from kolam.errors import ProtocolError
from kolam.protocol import DeviceRef, Reason, Status, parse_topic
from kolam.registry.repo import DeadLetterIn
from kolam.store.base import Row, SeriesKey
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

    def replay(self, rows: Sequence[Row], now: int) -> None:
        """Run stored history through the rules after a restart, notifying nothing: the
        signals' windows (the night's DO, the 3-hour maximum, spikes, repeats) and any
        breach still short of its minimum duration carry on. Levels it reaches are
        dropped again — what was raised is ``restore``'s to say, from the registry."""
        self.evaluate(rows, [], [], now)
        for ps in self.ponds.values():
            for key, c in ps.conditions.items():
                if c.level:
                    ps.conditions[key] = Condition(c.rule, last_t=c.last_t)

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
        """The transitions a batch causes: sentinel dead letters first, then the samples'
        (in event-time order), then the devices' statuses."""
        out: list[Transition] = []
        for d in dead:
            if d.reason == Reason.SENTINEL:
                self._sentinel(d, out)
        water: list[Transition] = []
        for (site, pond), series in _by_pond(rows).items():
            self._evaluate_pond(self._pond(site, pond), series, now, water)
        water.sort(key=_event_time)
        out += water
        for ref, status, at in statuses:
            self.health.status(ref, status, at, out)
        return out

    def _evaluate_pond(self, ps: PondState, series: dict[tuple[str, str], Series], now: int,
                       out: list[Transition]) -> None:
        """A pond's samples, one series at a time. Each rule sees exactly the samples it
        would see one by one — a metric's samples from all the pond's devices, ordered by
        (t, device, value) — so batching changes nothing but the speed."""
        devices: dict[str, dict[str, Series]] = defaultdict(dict)
        metrics: dict[str, list[tuple[str, Series]]] = defaultdict(list)
        for (device, metric), s in series.items():
            devices[device][metric] = s
            metrics[metric].append((device, s))
        for device, own in devices.items():
            self.health.samples(ps, device, own, now, out)
        streams = {metric: _merge(parts) for metric, parts in metrics.items()}
        changed: dict[str, list[tuple[int, LevelChange]]] = {}
        for metric, (ts, vs, _) in streams.items():
            self._water(ps, metric, ts, vs, changed, out)
        if "do_nh3" in ps.rules and ("do_mgl" in streams or "nh3_mgl" in streams):
            self._do_nh3(ps, streams, changed, out)

    def _feed(self, ps: PondState, rule: Rule, ts: Sequence[int], vs: Sequence[float],
              metrics: Sequence[str] | str, out: list[Transition],
              detail: Callable[[int], str] | None = None) -> list[tuple[int, LevelChange]]:
        changes = ps.condition(rule.id, rule).update_many(ts, vs)
        for i, ch in changes:
            metric = metrics if isinstance(metrics, str) else metrics[i]
            out.append(transition(AlertKey(ps.site, ps.pond, rule.id), rule, ch, metric=metric,
                                  detail=detail(i) if detail else ""))
        return changes

    def _water(self, ps: PondState, metric: str, ts: list[int], vs: list[float],
               changed: dict[str, list[tuple[int, LevelChange]]],
               out: list[Transition]) -> None:
        for rule in ps.by_metric.get(metric, ()):
            changed[rule.id] = self._feed(ps, rule, ts, vs, metric, out)
        rules = ps.rules
        if metric == "level_cm" and "level_leak" in rules:
            rates = ps.leak.add_many(ts, vs)
            if rates:
                self._feed(ps, rules["level_leak"], [t for t, _ in rates],
                           [r for _, r in rates], metric, out)
        elif metric == "temp_c" and "temp_drop" in rules:
            self._feed(ps, rules["temp_drop"], ts, ps.drop.add_many(ts, vs), metric, out)
        elif metric == "do_mgl" and "do_forecast" in rules:
            dawns = ps.forecast.add_many(ts, vs)
            if dawns:
                def detail(i: int) -> str:
                    at = from_ms(dawns[i][2]).astimezone(WIB).strftime("%H:%M")
                    return f"dawn {at} WIB"

                self._feed(ps, rules["do_forecast"], [t for t, _, _ in dawns],
                           [d for _, d, _ in dawns], metric, out, detail)

    def _do_nh3(self, ps: PondState, streams: dict[str, tuple[list[int], list[float], list[str]]],
                changed: dict[str, list[tuple[int, LevelChange]]],
                out: list[Transition]) -> None:
        """Low DO together with high ammonia, checked at every DO and NH3 sample with the
        two conditions' levels at that sample."""
        empty: tuple[list[int], list[float], list[str]] = ([], [], [])
        do_ts, do_vs, do_dev = streams.get("do_mgl", empty)
        nh_ts, nh_vs, nh_dev = streams.get("nh3_mgl", empty)
        do_changes, nh_changes = changed.get("do_low", []), changed.get("nh3_high", [])
        conditions = ps.conditions
        steady = not do_changes and not nh_changes  # the signal is the same at every sample
        if steady:
            do, nh3 = conditions.get("do_low"), conditions.get("nh3_high")
            both = do is not None and nh3 is not None and do.level >= 1 and nh3.level >= 1
            if not both and "do_nh3" not in conditions:
                return  # the usual case: nothing to feed
        # The pond's DO and NH3 samples in the order one-by-one evaluation would see them.
        events = sorted([(t, d, "do_mgl", v, i) for i, (t, v, d) in
                         enumerate(zip(do_ts, do_vs, do_dev, strict=True))]
                        + [(t, d, "nh3_mgl", v, i) for i, (t, v, d) in
                           enumerate(zip(nh_ts, nh_vs, nh_dev, strict=True))])
        if steady:
            self._feed(ps, ps.rules["do_nh3"], [e[0] for e in events],
                       [1.0 if both else 0.0] * len(events), [e[2] for e in events], out)
            return
        # A level moved: replay the samples in order with each condition's level at each.
        levels = {"do_mgl": _Levels(conditions.get("do_low"), do_changes),
                  "nh3_mgl": _Levels(conditions.get("nh3_high"), nh_changes)}
        ts: list[int] = []
        signal: list[float] = []
        metrics: list[str] = []
        for t, _, metric, _, i in events:
            levels[metric].advance(i)
            both = levels["do_mgl"].level >= 1 and levels["nh3_mgl"].level >= 1
            if both or signal or "do_nh3" in conditions:
                ts.append(t)
                signal.append(1.0 if both else 0.0)
                metrics.append(metric)
        if ts:
            self._feed(ps, ps.rules["do_nh3"], ts, signal, metrics, out)

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

    def _sentinel(self, d: DeadLetterIn, out: list[Transition]) -> None:
        try:
            ref = parse_topic(d.topic).device_ref
            fragment = json.loads(d.payload)
            t = int(fragment.pop("t"))
            (metric,) = fragment
        except (ProtocolError, ValueError, KeyError, TypeError, AttributeError):
            return
        self.health.sentinel(self._pond(ref.site, ref.pond), ref.device, metric, t, out)


def _event_time(tr: Transition) -> int:
    return tr.t


def _by_pond(rows: Sequence[Row]) -> dict[tuple[str, str], dict[tuple[str, str], Series]]:
    """Rows grouped by pond and then (device, metric), each series in time order (equal
    times by value, as a sort of the rows would leave them)."""
    by_key: dict[SeriesKey, Series] = {}
    for key, t, value in rows:
        s = by_key.get(key)
        if s is None:
            s = by_key[key] = ([], [])
        s[0].append(t)
        s[1].append(value)
    ponds: dict[tuple[str, str], dict[tuple[str, str], Series]] = defaultdict(dict)
    for key, (ts, vs) in by_key.items():
        if not all(map(operator.lt, ts, islice(ts, 1, None))):
            pairs = sorted(zip(ts, vs, strict=True))
            ts, vs = [t for t, _ in pairs], [v for _, v in pairs]
        ponds[(key.site, key.pond)][(key.device, key.metric)] = (ts, vs)
    return ponds


def _merge(parts: list[tuple[str, Series]]) -> tuple[list[int], list[float], list[str]]:
    """One metric's samples from all of a pond's devices, ordered by (t, device, value)."""
    if len(parts) == 1:
        device, (ts, vs) = parts[0]
        return ts, vs, [device] * len(ts)
    merged = sorted((t, device, v) for device, (ts, vs) in parts
                    for t, v in zip(ts, vs, strict=True))
    return [m[0] for m in merged], [m[2] for m in merged], [m[1] for m in merged]


class _Levels:
    """A condition's level as its batch is replayed: ``advance(i)`` after sample i."""

    def __init__(self, condition: Condition | None,
                 changes: list[tuple[int, LevelChange]]) -> None:
        now = condition.level if condition is not None else 0
        self.level = changes[0][1].old if changes else now
        self._changes = changes
        self._next = 0

    def advance(self, i: int) -> None:
        changes = self._changes
        while self._next < len(changes) and changes[self._next][0] <= i:
            self.level = changes[self._next][1].new
            self._next += 1
