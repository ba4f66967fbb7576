"""Pond status from the latest readings and device health."""

from __future__ import annotations

from kolam.catalogue import METRICS, Level
from kolam.registry.repo import DeviceInfo
from kolam.store.base import Latest

ORDER = {Level.OK: 0, Level.WARNING: 1, Level.CRITICAL: 2}
DEFAULT_INTERVAL_S = 60.0


def pond_status(latest: list[Latest], devices: list[DeviceInfo], now: int,
                offline_after_intervals: float) -> str:
    """``offline`` when no reading is fresh, else the worst level among fresh readings."""
    intervals = [d.interval_s for d in devices if d.interval_s]
    interval_s = max(intervals) if intervals else DEFAULT_INTERVAL_S
    fresh_after = now - int(offline_after_intervals * interval_s * 1000)
    fresh = [x for x in latest if x.t >= fresh_after]
    all_offline = bool(devices) and all(d.online is False for d in devices)
    if not fresh or all_offline:
        return "offline"
    worst = Level.OK
    for x in fresh:
        metric = METRICS.get(x.key.metric)
        if metric is None:
            continue
        level = metric.level(x.value)
        if ORDER[level] > ORDER[worst]:
            worst = level
    return worst.value
