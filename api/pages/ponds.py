"""What a page shows about a pond: the pond view of ``GET /api/v1/sites/{site}/ponds/{pond}``
(``api.pond_view``, so a tile, the pond page, the overview and the API agree), plus the
cycle's KPIs and logs the pages add.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.pond_view import PondView, PondViews, Reading
from api.status import Status
from kolam.farming.kpi import CycleKpis, cycle_kpis
from kolam.registry.alerts import AlertInfo
from kolam.registry.records import CycleInfo, LogInfo
from kolam.registry.repo import DeviceInfo, PondInfo

KEY_METRICS = ("do_mgl", "temp_c", "ph", "nh3_mgl")
"""What the kiosk tile shows: oxygen first, it kills fastest (DOMAIN.md)."""


@dataclass(frozen=True, slots=True)
class PondCard:
    view: PondView
    kpis: CycleKpis | None
    logs: tuple[LogInfo, ...]

    @property
    def pond(self) -> PondInfo:
        return self.view.pond

    @property
    def status(self) -> Status:
        return self.view.status.value

    @property
    def word_key(self) -> str:
        return self.view.status.word_key

    @property
    def fresh(self) -> bool:
        return self.view.status.fresh

    @property
    def readings(self) -> dict[str, Reading]:
        return self.view.readings

    @property
    def last_t(self) -> int | None:
        return self.view.last_t

    @property
    def alerts(self) -> list[AlertInfo]:
        return self.view.alerts

    @property
    def devices(self) -> list[DeviceInfo]:
        return self.view.devices

    @property
    def cycle(self) -> CycleInfo | None:
        return self.view.cycle

    @property
    def key_readings(self) -> list[Reading]:
        return [self.readings[k] for k in KEY_METRICS if k in self.readings]


def card(views: PondViews, view: PondView, now: int) -> PondCard:
    if view.cycle is None:
        return PondCard(view, None, ())
    records = views.cycles.records(view.pond.site, view.cycle.id)
    temp, do = view.readings.get("temp_c"), view.readings.get("do_mgl")
    kpis = cycle_kpis(records, now, temp.value if temp else None, do.value if do else None,
                      view.pond.area_m2, view.pond.depth_cm)
    return PondCard(view, kpis, records.logs)


def pond_card(views: PondViews, p: PondInfo, now: int, *, with_cycle: bool = True) -> PondCard:
    return card(views, views.pond(p, now, with_cycle=with_cycle), now)


def site_cards(views: PondViews, site: str, now: int, *,
               with_cycle: bool = True) -> list[PondCard]:
    return [card(views, v, now) for v in views.site(site, now, with_cycle=with_cycle)]
