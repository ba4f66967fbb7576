"""What the time-series store says about a pond's water, for the farming KPIs."""

from __future__ import annotations

import numpy as np

from kolam.farming.kpi import COMPLIANCE_METRICS, compliance_pct
from kolam.store.base import TimeSeriesReader

COMPLIANCE_STEP_MS = 300_000
"""Compliance is counted on 5-minute bucket means: each bucket is an equal slice of time,
whatever the devices' reporting intervals, and a 60-day cycle stays ~17,000 buckets."""


def water_now(store: TimeSeriesReader, site: str, pond: str) -> tuple[float | None, float | None]:
    """(temperature °C, DO mg/L): the newest reading of each, from any device of the pond."""
    newest: dict[str, tuple[int, float]] = {}
    for x in store.latest(site, pond):
        if x.key.metric in ("temp_c", "do_mgl") and x.t > newest.get(x.key.metric, (-1, 0.0))[0]:
            newest[x.key.metric] = (x.t, x.value)
    temp, do = newest.get("temp_c"), newest.get("do_mgl")
    return (temp[1] if temp else None), (do[1] if do else None)


def compliance(store: TimeSeriesReader, site: str, pond: str, start_ms: int,
               end_ms: int) -> dict[str, float | None]:
    """% of time in the optimal band for each metric that has one, between start and end."""
    if end_ms <= start_ms:
        return {}
    series = {}
    for metric in COMPLIANCE_METRICS:
        buckets = store.downsample(site, pond, metric, start_ms, end_ms, COMPLIANCE_STEP_MS)
        if buckets:
            series[metric] = np.array([b.mean for b in buckets], dtype=np.float64)
    return compliance_pct(series)
