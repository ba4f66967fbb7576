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
from dataclasses import replace
from datetime import tzinfo
from itertools import islice

from ingest.alerts.aerators import RULE as AERATOR_RULE
from ingest.alerts.aerators import AeratorWatch
from ingest.alerts.condition import Condition, LevelChange, transition
from ingest.alerts.health import PROBE_RULES, DeviceHealth, Held, Series
from ingest.alerts.rules import RuleBook, with_pond_minimum
from ingest.alerts.state import PondState
from kolam.alerts.model import ActiveAlert, AlertKey, Rule, Transition
from kolam.config import AlertsConfig
from kolam.control import AeratorProblem
from kolam.errors import ProtocolError
from kolam.protocol import DeviceRef, Reason, RelayState, Status, parse_topic
from kolam.registry.repo import DeadLetterIn
from kolam.science.sun import SERANG_LAT_DEG, SERANG_LON_DEG
from kolam.store.base import Row, SeriesKey
from kolam.timeutil import WIB, clock_named

_PROBE_FAULTS = frozenset({Reason.SENTINEL, Reason.OUT_OF_RANGE, Reason.NOT_FINITE})
"""Dead-lettered readings that say the probe is broken (a DS18B20 at −127, pH 15.45 from
an unplugged probe, ammonia "inf"): counted by the ``sentinel`` rule (DOMAIN.md)."""
_DERIVED_RULES = {"level_leak": "level_cm", "temp_drop": "temp_c", "do_forecast": "do_mgl",
                  AERATOR_RULE: "state"}
"""Rules whose signal is computed from a metric's window rather than read from it."""


class AlertEngine:
    """Stateful per pond; ``evaluate`` and ``tick`` return transitions, never raise for data."""

    def __init__(self, config: AlertsConfig, offline_after_intervals: float = 3.0,
                 place: Callable[[str], tuple[float, float] | None] | None = None,
                 min_level: Callable[[str, str], float | None] | None = None,
                 aerators: AeratorWatch | None = None,
                 zone: Callable[[str], tzinfo] | None = None) -> None:
        """``place`` gives a site's recorded coordinates (latitude, longitude), or None when
        the record has none: the dawn forecast's sun comes from them, else from the
        site's alert config, else Serang's. ``min_level`` gives a pond record's minimum
        water level (cm), which sets ``level_low`` where the config does not. Both are read
        when the engine first meets the pond (a change applies at ingest's next start).
        ``aerators`` knows the gateway's control loops (what the relays' states mean, the
        ponds' aerator plans). ``zone`` gives a site's time zone (``ingest.alerts.zones``;
        WIB without it), which the dawn forecast's detail names its time in."""
        self.config = config
        self._place = place
        self._min_level = min_level
        self._zone = zone or (lambda site: WIB)
        self.aerators = aerators or AeratorWatch()
        self.book = RuleBook(config)
        self.ponds: dict[tuple[str, str], PondState] = {}
        self.health = DeviceHealth(self._pond, offline_after_intervals)

    def _pond(self, site: str, pond: str) -> PondState:
        ps = self.ponds.get((site, pond))
        if ps is None:
            book = self.book.rules(site, pond)
            if self._min_level is not None:
                book = with_pond_minimum(book, self._min_level(site, pond))
            rules = {rid: r for rid, r in book.items()
                     if r.enabled and (r.warning is not None or r.critical is not None)}
            by_metric: dict[str, list[Rule]] = defaultdict(list)
            for r in rules.values():
                if r.id not in _DERIVED_RULES:
                    by_metric[r.signal].append(r)
            ps = PondState(site, pond, rules, dict(by_metric))
            site_cfg = self.config.sites.get(site)
            recorded = self._place(site) if self._place is not None else None
            if recorded is not None:
                ps.forecast.lat_deg, ps.forecast.lon_deg = recorded
            elif site_cfg is not None:
                ps.forecast.lat_deg = site_cfg.latitude_deg or SERANG_LAT_DEG
                ps.forecast.lon_deg = site_cfg.longitude_deg or SERANG_LON_DEG
            ps.forecast.plan = self.aerators.plan(site, pond)
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
        self.health.after_replay()

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
            if a.rule in PROBE_RULES and a.alert.key.count("/") == 2:
                rule = self.health.restore_fault(ps, a.alert.key, rule)
            ps.condition(a.alert.key, rule).restore(a.severity.rank, a.since, a.last_t)

    # ------------------------------------------------------------ evaluation

    def evaluate(self, rows: Sequence[Row], statuses: Sequence[tuple[DeviceRef, Status, int]],
                 dead: Sequence[DeadLetterIn], now: int) -> list[Transition]:
        """The transitions a batch causes: sentinel dead letters first, then the samples'
        (in event-time order), then the devices' statuses."""
        out: list[Transition] = []
        for d in dead:
            if d.reason in _PROBE_FAULTS:
                self._sentinel(d, out)
        water: list[Transition] = []
        for (site, pond), series in _by_pond(rows).items():
            self._evaluate_pond(self._pond(site, pond), series, now, water)
        water.sort(key=_event_time)
        out += water
        for ref, status, at in statuses:
            self.health.status(ref, status, at, out)
        return out

    def outputs(self, states: Sequence[tuple[DeviceRef, RelayState, int]]) -> list[Transition]:
        """Relay states (ingest.outputs), each with when it was received: the ponds'
        forecasts learn their aerators' state, and a failed one raises ``aerator_failed``.
        Evaluated before the same batch's readings."""
        out: list[Transition] = []
        for ref, state, at in states:
            ps = self._pond(ref.site, ref.pond)
            self.aerators.update(ps, ps.rules.get(AERATOR_RULE), ref, state.outputs, at, out)
        out.sort(key=_event_time)
        return out

    def problems(self, events: Sequence[tuple[str, AeratorProblem, int]]) -> list[Transition]:
        """Gateways' "aerator not working" problems ((site, problem, received at); ingest's
        ``aerator_problems``), in arrival order: ``aerator_failed`` raised or cleared, the
        ponds' forecasts told. Evaluated after the batch's relay states, before its
        readings."""
        out: list[Transition] = []
        for site, problem, _at in events:
            ps = self._pond(site, problem.pond)
            self.aerators.problem(ps, ps.rules.get(AERATOR_RULE), site, problem, out)
        out.sort(key=_event_time)
        return out

    def _evaluate_pond(self, ps: PondState, series: dict[tuple[str, str], Series], now: int,
                       out: list[Transition]) -> None:
        """A pond's samples, one series at a time. Each rule sees exactly the samples it
        would see one by one — a metric's samples from all the pond's devices, ordered by
        (t, device, value) — so batching changes nothing but the speed. Readings the
        sensor-health checks hold back as erratic reach no water rule."""
        devices: dict[str, dict[str, Series]] = defaultdict(dict)
        for (device, metric), s in series.items():
            devices[device][metric] = s
        metrics: dict[str, list[tuple[str, Series]]] = defaultdict(list)
        shares: list[tuple[int, str, float]] = []
        for device, own in devices.items():
            held = self.health.samples(ps, device, own, now, out)
            trusted = _trusted(own, held) if held else own
            for metric, s in trusted.items():
                if s[0]:
                    metrics[metric].append((device, s))
            if "do_nh3" in ps.rules and "nh3_mgl" in trusted and "tan_mgl" in trusted:
                shares += _shares(device, trusted["tan_mgl"], trusted["nh3_mgl"])
        streams = {metric: _merge(parts) for metric, parts in metrics.items()}
        for metric, (ts, vs, _) in streams.items():
            self._water(ps, metric, ts, vs, out)
        if "do_nh3" in ps.rules and ("do_mgl" in streams or "tan_mgl" in streams or shares):
            self._do_nh3(ps, streams, shares, out)

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
               out: list[Transition]) -> None:
        for rule in ps.by_metric.get(metric, ()):
            self._feed(ps, rule, ts, vs, metric, out)
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
                tz = self._zone(ps.site)

                def detail(i: int) -> str:
                    return f"dawn {clock_named(dawns[i][2], tz)}"

                rule = rules["do_forecast"]
                # Shorter after a confirmed aerator stop (kolam.alerts.aerators.STOP_HOLD_S).
                hold = ps.forecast.hold_s(rule.min_duration_s)
                ps.condition(rule.id, rule).rule = rule if hold == rule.min_duration_s \
                    else replace(rule, min_duration_s=hold)
                self._feed(ps, rule, [t for t, _, _ in dawns],
                           [d for _, d, _ in dawns], metric, out, detail)

    def _do_nh3(self, ps: PondState, streams: dict[str, tuple[list[int], list[float], list[str]]],
                shares: list[tuple[int, str, float]], out: list[Transition]) -> None:
        """Low DO while the pond holds TAN that this afternoon's pH will make toxic
        (ingest.alerts.ammonia), evaluated at every DO and TAN reading in the order
        one-by-one evaluation would see them."""
        empty: tuple[list[int], list[float], list[str]] = ([], [], [])
        do_ts, do_vs, do_dev = streams.get("do_mgl", empty)
        tan_ts, tan_vs, tan_dev = streams.get("tan_mgl", empty)
        do_low = ps.rules.get("do_low")
        limit = do_low.warning if do_low is not None and do_low.warning is not None else 3.0
        state, c = ps.ammonia, ps.conditions.get("do_nh3")
        if (not state.low(limit) and (not do_vs or min(do_vs) >= limit)
                and (c is None or (c.level == 0 and c._run == [None, None]))):
            # The usual case: oxygen is fine, so the signal is 0 throughout.
            state.share.add_many([t for t, _, _ in shares], [x for _, _, x in shares])
            if do_vs:
                state.do = do_vs[-1]
            if tan_vs:
                state.tan = tan_vs[-1]
            if do_ts or tan_ts:
                # What feeding it zeros would do (Condition.update_many's steady case).
                c = ps.condition("do_nh3", ps.rules["do_nh3"])
                c.last_t = max(c.last_t, *do_ts[-1:], *tan_ts[-1:])
            return
        # A sample's NH3 share is known before its readings are (one sample's values
        # arrive together); samples in (t, device) order.
        events = sorted([(t, d, 0, "share", x) for t, d, x in shares]
                        + [(t, d, 1, "do_mgl", v)
                           for t, v, d in zip(do_ts, do_vs, do_dev, strict=True)]
                        + [(t, d, 1, "tan_mgl", v)
                           for t, v, d in zip(tan_ts, tan_vs, tan_dev, strict=True)])
        readings, signal, why = state.signal_many([(e[0], e[3], e[4]) for e in events], limit)
        self._feed(ps, ps.rules["do_nh3"], readings, signal, "nh3_mgl", out, why.__getitem__)

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


_DERIVED_FROM = {"nh3_mgl": ("tan_mgl", "ph", "temp_c"), "do_sat_pct": ("do_mgl", "temp_c")}
"""Derived metrics and the readings they are computed from (kolam.science.derive)."""


def _trusted(own: dict[str, Series], held: Held) -> dict[str, Series]:
    """A device's series without the held-back samples; a derived value is held back
    with any reading it was computed from."""
    held_t: dict[str, set[int]] = {
        m: {t for t, h in zip(own[m][0], mask, strict=True) if h} for m, mask in held.items()}
    out: dict[str, Series] = {}
    for metric, (ts, vs) in own.items():
        drop: set[int] = set(held_t.get(metric, ()))
        for source in _DERIVED_FROM.get(metric, ()):
            drop |= held_t.get(source, set())
        if not drop:
            out[metric] = (ts, vs)
            continue
        kept = [(t, v) for t, v in zip(ts, vs, strict=True) if t not in drop]
        out[metric] = ([t for t, _ in kept], [v for _, v in kept])
    return out


def _shares(device: str, tan: Series, nh3: Series) -> list[tuple[int, str, float]]:
    """(t, device, NH3 share of TAN) of a device's readings (NH3 is derived from the TAN
    of the same sample, so both have the same instants)."""
    by_t = dict(zip(*tan, strict=True))
    out: list[tuple[int, str, float]] = []
    for t, n in zip(*nh3, strict=True):
        x = by_t.get(t)
        if x is not None and x > 0.01:
            out.append((t, device, n / x))
    return out
