"""Sensor health: devices offline (Last Will or silence), flatlines, spikes, sentinel and
out-of-range values, drift against manual measurements (DOMAIN.md, "Sensors and their
faults"), and which readings are too erratic for the water rules to see.

A faulty probe is reported once: while one sensor-health alert is open for a device's
metric, the other sensor-health rules on that metric stay quiet (their state still moves,
so each clears in its own time)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ingest.alerts.condition import LevelChange, transition
from ingest.alerts.rules import DRIFT_TOLERANCE, FLATLINE_FACTOR, SPIKE_SIZE
from ingest.alerts.signals import Jumps, Recent, Spikes, Unchanged
from ingest.alerts.state import PondState
from kolam.alerts.model import AlertKey, Rule, Transition
from kolam.protocol import DeviceRef, Status

Series = tuple[list[int], list[float]]
"""One series' times and values within a batch, in time order."""

DEFAULT_INTERVAL_S = 60.0
SENTINEL_WINDOW_MS = 2 * 3_600_000
"""The ``sentinel`` rule counts fault codes in this window (its signal ``sentinels_2h``)."""
PROBE_RULES = frozenset({"flatline", "spikes", "sentinel", "drift"})
"""Sensor-health rules about one probe (keys ``rule/device/metric``): one alert a probe."""
Held = dict[str, list[bool]]
"""Per metric of one device's batch, which samples the water rules must not see."""


@dataclass(slots=True)
class Watch:
    """What is known about one device (slugs are unique within a site)."""

    pond: str
    last_t: int = 0
    """Event time of the newest sample."""
    heard: int = 0
    """Wall-clock time samples from it last arrived: a node catching up on history is
    sending, however old its samples are."""
    interval_s: float = DEFAULT_INTERVAL_S
    offline: bool = False
    offline_at: int = 0
    will_at: int | None = None
    """When its Last Will (``online: false``) came, while it has not come back."""
    jumps: dict[str, Jumps] = field(default_factory=dict)
    fault_owner: dict[str, str] = field(default_factory=dict)
    """Metric → the sensor-health rule whose alert is open for it."""
    muted: set[tuple[str, str]] = field(default_factory=set)
    """(rule, metric) breaches not reported because another rule's alert is open."""
    unchanged: dict[str, Unchanged] = field(default_factory=dict)
    spikes: dict[str, Spikes] = field(default_factory=dict)
    sentinels: dict[str, Recent] = field(default_factory=dict)


class DeviceHealth:
    def __init__(self, pond: Callable[[str, str], PondState],
                 offline_after_intervals: float) -> None:
        self._pond = pond
        self.k = offline_after_intervals
        self.devices: dict[tuple[str, str], Watch] = {}

    def watch(self, site: str, pond: str, device: str) -> Watch:
        w = self.devices.get((site, device))
        if w is None or w.pond != pond:
            w = self.devices[(site, device)] = Watch(pond)
        return w

    def seed(self, site: str, pond: str, device: str, last_t: int,
             interval_s: float | None) -> None:
        """Remember a device's newest sample from the store (after a restart)."""
        w = self.watch(site, pond, device)
        w.last_t = max(w.last_t, last_t)
        w.interval_s = interval_s or w.interval_s

    def sentinel_counts(self) -> dict[tuple[str, str], int]:
        """Sentinel readings per (site, device) since ingest started."""
        return {k: sum(r.total for r in w.sentinels.values()) for k, w in self.devices.items()}

    # ------------------------------------------------------------ offline

    def _offline(self, site: str, w: Watch, device: str, on: bool, t: int, since: int,
                 detail: str, out: list[Transition]) -> None:
        ps = self._pond(site, w.pond)
        rule = ps.rules.get("offline")
        if rule is None or w.offline == on:
            return
        w.offline = on
        if on:
            w.offline_at = t
        ch = LevelChange(0, 1, t, since, 1.0) if on else LevelChange(1, 0, t, since, 0.0)
        out.append(transition(AlertKey(site, w.pond, f"offline/{device}"), rule, ch,
                              device=device, detail=detail))

    def restore_offline(self, site: str, pond: str, key: str, since: int) -> None:
        w = self.watch(site, pond, key.split("/", 1)[1])
        w.offline = True
        w.last_t = max(w.last_t, since)
        w.offline_at = max(w.offline_at, since)

    def after_replay(self) -> None:
        """Forget what a replay of stored history set that only live data may say: when
        samples arrived (stored ones did not arrive now) and which probe alerts are open
        (the registry says, through ``restore_fault``)."""
        for w in self.devices.values():
            w.heard = 0
            w.fault_owner.clear()
            w.muted.clear()

    def restore_fault(self, ps: PondState, key: str, rule: Rule) -> Rule:
        """Resume the one-alert-a-probe bookkeeping of an open sensor-health alert; the
        rule its condition runs with."""
        rid, device, metric = key.split("/", 2)
        self.watch(ps.site, ps.pond, device).fault_owner.setdefault(metric, rid)
        return _scaled(rule, FLATLINE_FACTOR.get(metric, 1.0)) if rid == "flatline" else rule

    def _away_ms(self, site: str, w: Watch) -> int:
        """How long a device may be away before it is offline: the ``offline`` rule's
        minimum duration (a Wi-Fi reconnect or a reboot is not news)."""
        rule = self._pond(site, w.pond).rules.get("offline")
        return int(rule.min_duration_s * 1000) if rule is not None else 0

    def status(self, ref: DeviceRef, status: Status, at: int, out: list[Transition]) -> None:
        w = self.watch(ref.site, ref.pond, ref.device)
        if status.interval_s:
            w.interval_s = status.interval_s
        if not status.online:
            if w.will_at is None:
                w.will_at = at
            if self._away_ms(ref.site, w) <= 0:
                self._offline(ref.site, w, ref.device, True, at, at, "last_will", out)
        else:
            w.will_at = None
            if w.offline:
                self._offline(ref.site, w, ref.device, False, at, at, "online", out)

    def silence(self, now: int, out: list[Transition]) -> None:
        """Wall-clock check: a Last Will older than the offline rule's minimum duration,
        or nothing received for ``k`` intervals (and at least that duration)."""
        for (site, device), w in self.devices.items():
            if w.offline:
                continue
            away = self._away_ms(site, w)
            seen = max(w.last_t, w.heard)
            if w.will_at is not None and now - w.will_at >= away:
                self._offline(site, w, device, True, now, w.will_at, "last_will", out)
            elif seen and now - seen > max(self.k * w.interval_s * 1000, away):
                self._offline(site, w, device, True, now, w.last_t, "silence", out)

    # ------------------------------------------------------------ per sample

    def samples(self, ps: PondState, device: str, series: dict[str, Series], now: int,
                out: list[Transition]) -> Held:
        """One device's samples of a batch, each metric's in time order; returns the
        samples too erratic for the water rules."""
        w = self.watch(ps.site, ps.pond, device)
        newest = max(ts[-1] for ts, _ in series.values())
        if w.offline and newest > w.last_t:
            # Back online at its first new sample: it is sending again, even if what it
            # sends is history it kept while the link was down.
            first = min(ts[i] for ts, _ in series.values()
                        if (i := bisect_left(ts, w.last_t + 1)) < len(ts))
            back = max(first, w.offline_at)
            self._offline(ps.site, w, device, False, back, back, "data", out)
        if newest > w.last_t:
            w.will_at = None  # sending again (its status may follow)
        w.last_t = max(w.last_t, newest)
        w.heard = max(w.heard, now)
        rules = ps.rules
        flatline = rules.get("flatline")
        spikes = "spikes" in rules
        sentinel = "sentinel" in rules
        held: Held = {}
        for metric, (ts, vs) in series.items():
            factor = FLATLINE_FACTOR.get(metric)
            if factor is not None and flatline is not None:
                u = w.unchanged.get(metric)
                if u is None:
                    u = w.unchanged[metric] = Unchanged()
                self._feed_many(ps, "flatline", device, metric, ts, u.add_many(ts, vs), out,
                                _scaled(flatline, factor))
            size = SPIKE_SIZE.get(metric)
            if size is not None:
                j = w.jumps.get(metric)
                if j is None:
                    j = w.jumps[metric] = Jumps(size)
                mask = j.held_many(ts, vs)
                if mask is not None and any(mask):
                    held[metric] = mask
                if spikes:
                    sp = w.spikes.get(metric)
                    if sp is None:
                        sp = w.spikes[metric] = Spikes(size)
                    self._feed_many(ps, "spikes", device, metric, ts, sp.add_many(ts, vs), out)
            recent = w.sentinels.get(metric)
            if recent is not None and sentinel:
                self._feed_many(ps, "sentinel", device, metric, ts, recent.count_many(ts), out)
        return held

    def sentinel(self, ps: PondState, device: str, metric: str, t: int,
                 out: list[Transition]) -> None:
        w = self.watch(ps.site, ps.pond, device)
        recent = w.sentinels.setdefault(metric, Recent(SENTINEL_WINDOW_MS))
        recent.add(t)
        if "sentinel" in ps.rules:
            self._feed(ps, "sentinel", device, metric, t, recent.count(t), out,
                       f"{recent.total} sentinel readings")

    def drift(self, ps: PondState, device: str, metric: str, t: int, sensor: float,
              manual: float, out: list[Transition]) -> None:
        tolerance = DRIFT_TOLERANCE.get(metric)
        if tolerance is None or "drift" not in ps.rules:
            return
        self._feed(ps, "drift", device, metric, t, abs(sensor - manual) / tolerance, out,
                   f"sensor {sensor:g}, manual {manual:g}")

    def _feed_many(self, ps: PondState, rid: str, device: str, metric: str,
                   ts: Sequence[int], signal: Sequence[float], out: list[Transition],
                   rule: Rule | None = None) -> None:
        rule = rule or ps.rules[rid]
        key = f"{rid}/{device}/{metric}"
        for _, ch in ps.condition(key, rule).update_many(ts, signal):
            self._emit(ps, rule, device, metric, ch, out)

    def _feed(self, ps: PondState, rid: str, device: str, metric: str, t: int, value: float,
              out: list[Transition], detail: str = "") -> None:
        rule = ps.rules[rid]
        key = f"{rid}/{device}/{metric}"
        ch = ps.condition(key, rule).update(t, value)
        if ch is not None:
            self._emit(ps, rule, device, metric, ch, out, detail)

    def _emit(self, ps: PondState, rule: Rule, device: str, metric: str, ch: LevelChange,
              out: list[Transition], detail: str = "") -> None:
        """Report a probe's level change, unless another rule already reports that probe."""
        rid = rule.id
        w = self.watch(ps.site, ps.pond, device)
        owner = w.fault_owner.get(metric)
        muted = (rid, metric) in w.muted
        if ch.old == 0 and owner not in (None, rid):
            w.muted.add((rid, metric))
            return
        if muted:
            if ch.new == 0:
                w.muted.discard((rid, metric))
            return
        if ch.new == 0:
            w.fault_owner.pop(metric, None)
        else:
            w.fault_owner[metric] = rid
        out.append(transition(AlertKey(ps.site, ps.pond, f"{rid}/{device}/{metric}"),
                              rule, ch, metric=metric, device=device, detail=detail))


def _scaled(rule: Rule, factor: float) -> Rule:
    """The rule with its thresholds ``factor`` times as far (a quieter probe's flatline)."""
    if factor == 1.0:
        return rule
    return _scaled_copy(rule, factor)


@lru_cache(maxsize=1024)
def _scaled_copy(rule: Rule, factor: float) -> Rule:
    """(Cached: it is asked for each batch of a device's temperatures, and a rule is
    frozen, so equal rules scale to equal rules.)"""
    return replace(rule, warning=None if rule.warning is None else rule.warning * factor,
                   critical=None if rule.critical is None else rule.critical * factor)
