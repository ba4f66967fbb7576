"""A pond's newest reading per metric, coloured by its open alerts: what a tile and the pond
page show. Light on purpose (no registry, no store): the gateway's kiosk builds its tiles
with it too (``api.kiosk_view``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.advice import AlertText
from api.status import Status, worst_severity
from kolam.catalogue import METRICS
from kolam.store.base import Latest

_METRIC_ORDER = {key: i for i, key in enumerate(METRICS)}


@dataclass(frozen=True, slots=True)
class Reading:
    metric: str
    value: float
    t: int
    device: str
    level: str
    """``ok | warning | critical`` against the catalogue's default bands: a fact about the
    number, shown in the API; the pages colour a reading by ``alert`` instead."""
    alert: str | None
    """The worst severity among the open alerts on this metric, or ``None``."""


def readings(latest: Sequence[Latest], alerts: Sequence[AlertText]) -> dict[str, Reading]:
    """The newest reading per catalogue metric (any device), coloured by its open alerts."""
    newest: dict[str, Latest] = {}
    for x in latest:
        m = x.key.metric
        if m in METRICS and (m not in newest or newest[m].t < x.t):
            newest[m] = x
    out: dict[str, Reading] = {}
    for m in sorted(newest, key=_METRIC_ORDER.__getitem__):
        x = newest[m]
        on_metric = [a for a in alerts if a.metric == m]
        worst = worst_severity(on_metric)
        out[m] = Reading(m, x.value, x.t, x.key.device, METRICS[m].level(x.value).value,
                         worst.value if on_metric and worst is not Status.OK else None)
    return out
