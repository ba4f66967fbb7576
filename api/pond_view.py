"""What the API and the pages show about a pond, gathered once: its newest reading per
metric, its status (``api.status``), open alerts, devices and current cycle.

``GET /api/v1/sites/{site}/ponds[/{pond}]``, the kiosk tiles, the pond page and the overview
all read a ``PondView``, so they agree on every pond by construction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from api.deps import AlertsDep, ConfigDep, CyclesDep, RegistryDep, StoreDep
from api.readings import Reading as Reading
from api.readings import readings
from api.status import PondStatus, pond_status
from kolam.registry.alerts import AlertInfo
from kolam.registry.records import CycleInfo
from kolam.registry.repo import DeviceInfo, PondInfo
from kolam.store.base import Latest


@dataclass(frozen=True, slots=True)
class PondView:
    pond: PondInfo
    status: PondStatus
    readings: dict[str, Reading]
    """The newest reading per catalogue metric, in the catalogue's order."""
    alerts: list[AlertInfo]
    devices: list[DeviceInfo]
    cycle: CycleInfo | None

    heard: dict[str, int]
    """Per device, the newest of its last status message and its newest reading: a node
    whose readings arrive was seen then, whatever its last status said."""

    @property
    def last_t(self) -> int | None:
        return self.status.last_t


def pond_view(p: PondInfo, latest: list[Latest], alerts: list[AlertInfo],
              devices: list[DeviceInfo], cycle: CycleInfo | None, now: int,
              offline_after_intervals: float) -> PondView:
    """A pond's view from what the store and registry hold about it (pure)."""
    status = pond_status(latest, alerts, devices, now, offline_after_intervals)
    heard = {d.slug: d.status_at for d in devices if d.status_at is not None}
    for x in latest:
        heard[x.key.device] = max(heard.get(x.key.device, x.t), x.t)
    return PondView(p, status, readings(latest, alerts), alerts, devices, cycle, heard)


class PondViews:
    """Pond views for one request; a dependency (``PondViewsDep``) for routes and pages."""

    def __init__(self, store: StoreDep, registry: RegistryDep, alerts: AlertsDep,
                 cycles: CyclesDep, config: ConfigDep) -> None:
        self.store, self.registry, self.alerts = store, registry, alerts
        self.cycles, self.config = cycles, config

    def pond(self, p: PondInfo, now: int, *, with_cycle: bool = True) -> PondView:
        cycle = self.cycles.active_cycle(p.site, p.slug) if with_cycle else None
        return pond_view(p, self.store.latest(p.site, p.slug), self.alerts.active(p.site, p.slug),
                         self.registry.devices(p.site, p.slug), cycle, now,
                         self.config.offline_after_intervals)

    def site(self, site: str, now: int, *, with_cycle: bool = True) -> list[PondView]:
        """Every pond of ``site``; ``NotFound`` for a site the registry does not know."""
        self.registry.site(site)
        return self.sites([site], now, with_cycle=with_cycle)[site]

    def sites(self, sites: list[str], now: int, *,
              with_cycle: bool = True) -> dict[str, list[PondView]]:
        """Every pond of each site: ponds, alerts and devices read once for all the sites
        (the national view reads 500), the newest readings pond by pond."""
        alerts: dict[tuple[str, str], list[AlertInfo]] = defaultdict(list)
        for a in self.alerts.find(sites, states=("open", "acknowledged"), limit=1_000_000):
            alerts[(a.site, a.pond)].append(a)
        devices: dict[tuple[str, str], list[DeviceInfo]] = defaultdict(list)
        for d in self.registry.devices_of(sites):
            devices[(d.site, d.pond)].append(d)
        views: dict[str, list[PondView]] = {s: [] for s in sites}
        for p in self.registry.ponds_of(sites):
            cycle = self.cycles.active_cycle(p.site, p.slug) if with_cycle else None
            views[p.site].append(pond_view(
                p, self.store.latest(p.site, p.slug), alerts[(p.site, p.slug)],
                devices[(p.site, p.slug)], cycle, now, self.config.offline_after_intervals))
        return views


PondViewsDep = Annotated[PondViews, Depends()]
