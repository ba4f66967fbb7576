"""Chart data for the pond page: every metric of a pond, downsampled to at most 750 points.

One compact, columnar JSON document per range (what uPlot draws directly), with the
optimal band of each metric, the events to mark on the time axis (alerts, feeding,
water exchange) and the periods each relay output was on (``switch_bands``, drawn behind
the DO line: issue #18), from the switches the centre recorded. The buckets come from the
store's ``downsample``, the same query as ``GET /api/v1/.../series?step=``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kolam.catalogue import METRICS
from kolam.registry.alerts import Alerts
from kolam.registry.outputs import OutputEvent
from kolam.registry.records import LogInfo, LogKind
from kolam.store.base import TimeSeriesReader

RANGES_MS = {"24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000}
MAX_POINTS = 750
STEPS_S = (60, 120, 180, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
"""Bucket widths a chart may use: from 5 minutes on, multiples of the store's roll-ups
(5 min, 1 h), so a long range reads roll-ups, not raw values (docs/storage.md)."""
MARKED_LOGS = (LogKind.FEEDING, LogKind.WATER_EXCHANGE, LogKind.TREATMENT)


def step_s(span_ms: int, most: int = MAX_POINTS) -> int:
    """The finest of ``STEPS_S`` giving at most ``most`` buckets over the span: 2 min
    for a day, 15 min (5-minute roll-ups) for a week, 1 h (hourly roll-ups) for 30 days."""
    for step in STEPS_S:
        if span_ms / 1000 / step <= most:
            return step
    return max(STEPS_S[-1], math.ceil(span_ms / 1000 / most / 86400) * 86400)


def _r(values: list[float], decimals: int) -> list[float]:
    return [round(v, decimals + 1) for v in values]


def switch_bands(switches: Sequence[OutputEvent], start: int, now: int
                 ) -> list[dict[str, Any]]:
    """Per output, the ``[from, to]`` (seconds) it was on inside ``start``–``now``: from
    the relay's confirmed switches (``since``), an output still on running to ``now``."""
    by_output: dict[str, list[OutputEvent]] = defaultdict(list)
    for e in switches:
        by_output[f"{e.device}/{e.output}"].append(e)
    out = []
    for name, events in sorted(by_output.items()):
        periods: list[list[float]] = []
        on_since: int | None = None
        for e in sorted(events, key=lambda e: (e.since or e.at, e.at)):
            t = e.since if e.since is not None else e.at
            if e.on and on_since is None:
                on_since = t
            elif not e.on and on_since is not None:
                if t > start:
                    periods.append([max(on_since, start) / 1000, min(t, now) / 1000])
                on_since = None
        if on_since is not None and on_since < now:
            periods.append([max(on_since, start) / 1000, now / 1000])
        if periods:
            out.append({"output": name, "periods": periods})
    return out


def chart_data(store: TimeSeriesReader, alerts: Alerts, logs: tuple[LogInfo, ...], site: str,
               pond: str, range_key: str, now: int,
               switches: Sequence[OutputEvent] = ()) -> dict[str, Any]:
    span = RANGES_MS[range_key]
    start, step = now - span, step_s(span)
    present = {k.metric for k in store.series(site, pond)}
    metrics = []
    for key, m in METRICS.items():
        if key not in present:
            continue
        buckets = store.downsample(site, pond, key, start, now + 1, step * 1000)
        metrics.append({
            "key": key, "label_id": m.label_id, "label_en": m.label_en, "unit": m.unit,
            "decimals": m.decimals, "optimal": [m.optimal.low, m.optimal.high],
            # Bucket centres, in seconds (uPlot's time unit).
            "t": [(b.t + step * 500) / 1000 for b in buckets],
            "mean": _r([b.mean for b in buckets], m.decimals),
            "min": _r([b.min for b in buckets], m.decimals),
            "max": _r([b.max for b in buckets], m.decimals)})
    events: list[dict[str, Any]] = [
        {"t": a.since_t / 1000, "kind": "alert", "severity": a.severity, "rule": a.rule,
         "metric": a.metric}
        for a in alerts.find([site], pond=pond, since=start, limit=200)]
    events += [{"t": e.at / 1000, "kind": e.kind.value} for e in logs
               if e.kind in MARKED_LOGS and e.at >= start]
    return {"range": range_key, "start": start / 1000, "end": now / 1000, "step_s": step,
            "metrics": metrics, "events": events,
            "switch_bands": switch_bands(switches, start, now)}
