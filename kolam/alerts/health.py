"""Sensor health: devices offline (Last Will or silence), flatlines, spikes, sentinel
values and drift against manual measurements (DOMAIN.md, "Sensors and their faults")."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kolam.alerts.condition import LevelChange, transition
from kolam.alerts.model import AlertKey, Transition
from kolam.alerts.rules import DRIFT_TOLERANCE, FLATLINE_METRICS, SPIKE_SIZE
from kolam.alerts.signals import Recent, Spikes, Unchanged
from kolam.protocol import DeviceRef, Status

Series = tuple[list[int], list[float]]
"""One series' times and values within a batch, in time order."""

if TYPE_CHECKING:
    from kolam.alerts.engine import PondState

DEFAULT_INTERVAL_S = 60.0


@dataclass(slots=True)
class Watch:
    """What is known about one device (slugs are unique within a site)."""

    pond: str
    last_t: int = 0
    interval_s: float = DEFAULT_INTERVAL_S
    offline: bool = False
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
        ch = LevelChange(0, 1, t, since, 1.0) if on else LevelChange(1, 0, t, since, 0.0)
        out.append(transition(AlertKey(site, w.pond, f"offline/{device}"), rule, ch,
                              device=device, detail=detail))

    def restore_offline(self, site: str, pond: str, key: str, since: int) -> None:
        w = self.watch(site, pond, key.split("/", 1)[1])
        w.offline = True
        w.last_t = max(w.last_t, since)

    def status(self, ref: DeviceRef, status: Status, at: int, out: list[Transition]) -> None:
        w = self.watch(ref.site, ref.pond, ref.device)
        if status.interval_s:
            w.interval_s = status.interval_s
        if not status.online:
            self._offline(ref.site, w, ref.device, True, at, at, "last_will", out)
        elif w.offline:
            self._offline(ref.site, w, ref.device, False, at, at, "online", out)

    def silence(self, now: int, out: list[Transition]) -> None:
        for (site, device), w in self.devices.items():
            if w.last_t and not w.offline and now - w.last_t > self.k * w.interval_s * 1000:
                self._offline(site, w, device, True, now, w.last_t, "silence", out)

    # ------------------------------------------------------------ per sample

    def samples(self, ps: PondState, device: str, series: dict[str, Series], now: int,
                out: list[Transition]) -> None:
        """One device's samples of a batch, each metric's in time order."""
        w = self.watch(ps.site, ps.pond, device)
        newest = max(ts[-1] for ts, _ in series.values())
        if w.offline and newest > w.last_t:
            # Back online at the first new sample recent enough to mean "it is sending".
            after = max(w.last_t + 1, now - int(self.k * w.interval_s * 1000))
            back = [ts[i] for ts, _ in series.values() if (i := bisect_left(ts, after)) < len(ts)]
            if back:
                self._offline(ps.site, w, device, False, min(back), min(back), "data", out)
        w.last_t = max(w.last_t, newest)
        rules = ps.rules
        for metric, (ts, vs) in series.items():
            if metric in FLATLINE_METRICS and "flatline" in rules:
                u = w.unchanged.setdefault(metric, Unchanged())
                self._feed_many(ps, "flatline", device, metric, ts, u.add_many(ts, vs), out)
            size = SPIKE_SIZE.get(metric)
            if size is not None and "spikes" in rules:
                s = w.spikes.setdefault(metric, Spikes(size))
                self._feed_many(ps, "spikes", device, metric, ts, s.add_many(ts, vs), out)
            recent = w.sentinels.get(metric)
            if recent is not None and "sentinel" in rules:
                self._feed_many(ps, "sentinel", device, metric, ts, recent.count_many(ts), out)

    def sentinel(self, ps: PondState, device: str, metric: str, t: int,
                 out: list[Transition]) -> None:
        w = self.watch(ps.site, ps.pond, device)
        recent = w.sentinels.setdefault(metric, Recent())
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
                   ts: Sequence[int], signal: Sequence[float], out: list[Transition]) -> None:
        rule = ps.rules[rid]
        key = f"{rid}/{device}/{metric}"
        for _, ch in ps.condition(key, rule).update_many(ts, signal):
            out.append(transition(AlertKey(ps.site, ps.pond, key), rule, ch, metric=metric,
                                  device=device))

    def _feed(self, ps: PondState, rid: str, device: str, metric: str, t: int, value: float,
              out: list[Transition], detail: str = "") -> None:
        rule = ps.rules[rid]
        key = f"{rid}/{device}/{metric}"
        ch = ps.condition(key, rule).update(t, value)
        if ch is not None:
            out.append(transition(AlertKey(ps.site, ps.pond, key), rule, ch, metric=metric,
                                  device=device, detail=detail))
