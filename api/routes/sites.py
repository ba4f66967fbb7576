"""Sites and ponds: ``/api/v1/sites``, ``/api/v1/sites/{site}/ponds[/{pond}]``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.auth import CurrentUser, SiteUser
from api.deps import ConfigDep, CyclesDep, RegistryDep, StoreDep
from api.routes.alerts import pond_alert_status, public
from api.schemas import DevicePublic, LatestValue, PondDetail, PondSummary, SitePublic
from api.status import pond_status
from kolam.catalogue import METRICS
from kolam.registry.repo import DeviceInfo, PondInfo, SiteInfo
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])


def _device(d: DeviceInfo) -> DevicePublic:
    return DevicePublic(slug=d.slug, online=d.online,
                        last_status=iso(d.status_at) if d.status_at else None, fw=d.fw,
                        boot=d.boot, battery_v=d.battery_v, rssi_dbm=d.rssi_dbm,
                        interval_s=d.interval_s)


def _current_cycle(cycles: CyclesDep, p: PondInfo, now: int) -> dict[str, object] | None:
    c = cycles.active_cycle(p.site, p.slug)
    if c is None:
        return None
    return {"id": c.id, "team_id": c.team_id, "team_name": c.team_name,
            "stocked_at": iso(c.stocked_at), "day": (now - c.stocked_at) // 86_400_000 + 1,
            "seed_count": c.seed_count}


def _detail(p: PondInfo, store: StoreDep, registry: RegistryDep, config: ConfigDep,
            request: Request | None = None) -> PondDetail:
    now = now_ms()
    active = request.app.state.alerts.active(p.site, p.slug) if request else []
    latest = store.latest(p.site, p.slug)
    devices = registry.devices(p.site, p.slug)
    values: dict[str, LatestValue] = {}
    for x in latest:
        metric = METRICS.get(x.key.metric)
        if metric is None or (x.key.metric in values and values[x.key.metric].t_ms >= x.t):
            continue
        values[x.key.metric] = LatestValue(
            value=round(x.value, metric.decimals + 1), unit=metric.unit, t=iso(x.t), t_ms=x.t,
            age_s=round((now - x.t) / 1000, 1), level=metric.level(x.value).value,
            device=x.key.device)
    newest = max((x.t for x in latest), default=None)
    return PondDetail(
        site=p.site, slug=p.slug, name=p.name, area_m2=p.area_m2, depth_cm=p.depth_cm,
        kind=p.kind, min_level_cm=p.min_level_cm, active=p.active,
        status=pond_alert_status(
            pond_status(latest, devices, now, config.offline_after_intervals), active),
        last_seen=iso(newest) if newest else None, latest=values,
        devices=[_device(d) for d in devices],
        active_alerts=[public(a).model_dump() for a in active])


def site_public(s: SiteInfo) -> SitePublic:
    return SitePublic(slug=s.slug, name=s.name, pond_count=s.pond_count, kind=s.kind,
                      province=s.province, regency=s.regency, lat=s.lat, lon=s.lon,
                      timezone=s.timezone, altitude_m=s.altitude_m)


def pond_summary(p: PondInfo, store: StoreDep, registry: RegistryDep, config: ConfigDep,
                 request: Request) -> PondSummary:
    return PondSummary(**_detail(p, store, registry, config, request).model_dump(
        include=set(PondSummary.model_fields)))


@router.get("", response_model=list[SitePublic], summary="Sites")
def list_sites(user: CurrentUser, registry: RegistryDep) -> list[SitePublic]:
    return [site_public(s) for s in registry.sites(None if user.all_sites else user.sites)]


@router.get("/{site}", response_model=SitePublic, summary="One site")
def get_site(site: str, _: SiteUser, registry: RegistryDep) -> SitePublic:
    return site_public(registry.site(site))


@router.get("/{site}/ponds", response_model=list[PondSummary], summary="Ponds of a site")
def list_ponds(site: str, _: SiteUser, store: StoreDep, registry: RegistryDep,
               config: ConfigDep, request: Request) -> list[PondSummary]:
    return [pond_summary(p, store, registry, config, request) for p in registry.ponds(site)]


@router.get("/{site}/ponds/{pond}", response_model=PondDetail,
            summary="A pond: latest value per metric, status, devices")
def get_pond(site: str, pond: str, _: SiteUser, store: StoreDep, registry: RegistryDep,
             config: ConfigDep, cycles: CyclesDep, request: Request) -> PondDetail:
    p = registry.pond(site, pond)
    detail = _detail(p, store, registry, config, request)
    detail.current_cycle = _current_cycle(cycles, p, now_ms())
    return detail
