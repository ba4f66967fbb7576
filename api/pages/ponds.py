"""What a page shows about a pond, gathered once per request from the store and registry.

Status comes from the same functions as ``GET /api/v1/sites/{site}/ponds/{pond}``
(``api.status.pond_status`` raised by the open alerts), so a tile and the API agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.routes.alerts import pond_alert_status
from api.status import pond_status
from kolam.catalogue import METRICS
from kolam.kpi import CycleKpis, cycle_kpis
from kolam.registry.alerts import AlertInfo
from kolam.registry.records import CycleInfo, LogInfo
from kolam.registry.repo import DeviceInfo, PondInfo
from kolam.store.base import Latest

KEY_METRICS = ("do_mgl", "temp_c", "ph", "nh3_mgl")
"""What the kiosk tile shows: oxygen first, it kills fastest (DOMAIN.md)."""


@dataclass(frozen=True, slots=True)
class Reading:
    metric: str
    value: float
    t: int
    level: str


@dataclass(frozen=True, slots=True)
class PondCard:
    pond: PondInfo
    status: str
    readings: dict[str, Reading]
    last_t: int | None
    alerts: list[AlertInfo]
    devices: list[DeviceInfo]
    cycle: CycleInfo | None
    kpis: CycleKpis | None
    logs: tuple[LogInfo, ...]

    @property
    def key_readings(self) -> list[Reading]:
        return [self.readings[k] for k in KEY_METRICS if k in self.readings]


def _readings(latest: list[Latest]) -> dict[str, Reading]:
    out: dict[str, Reading] = {}
    for x in latest:
        metric = METRICS.get(x.key.metric)
        if metric is None or (x.key.metric in out and out[x.key.metric].t >= x.t):
            continue
        out[x.key.metric] = Reading(x.key.metric, x.value, x.t, metric.level(x.value).value)
    return dict(sorted(out.items(), key=lambda kv: list(METRICS).index(kv[0])))


def pond_card(request: Request, p: PondInfo, now: int, *, with_cycle: bool = True) -> PondCard:
    state = request.app.state
    latest = state.store.latest(p.site, p.slug)
    devices = state.registry.devices(p.site, p.slug)
    alerts = state.alerts.active(p.site, p.slug)
    status = pond_alert_status(
        pond_status(latest, devices, now, state.config.offline_after_intervals), alerts)
    readings = _readings(latest)
    cycle = state.cycles.active_cycle(p.site, p.slug) if with_cycle else None
    kpis, logs = None, ()
    if cycle is not None:
        records = state.cycles.records(p.site, cycle.id)
        temp, do = readings.get("temp_c"), readings.get("do_mgl")
        kpis = cycle_kpis(records, now, temp.value if temp else None, do.value if do else None)
        logs = records.logs
    return PondCard(p, status, readings, max((r.t for r in readings.values()), default=None),
                    alerts, devices, cycle, kpis, logs)


def site_cards(request: Request, site: str, now: int, *,
               with_cycle: bool = True) -> list[PondCard]:
    return [pond_card(request, p, now, with_cycle=with_cycle)
            for p in request.app.state.registry.ponds(site)]
