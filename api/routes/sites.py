"""Sites and ponds: ``/api/v1/sites``, ``/api/v1/sites/{site}/ponds[/{pond}]``."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ConfigDep, RegistryDep, StoreDep
from api.schemas import DevicePublic, LatestValue, PondDetail, PondSummary, SitePublic
from api.status import pond_status
from kolam.catalogue import METRICS
from kolam.registry.repo import DeviceInfo, PondInfo
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])


def _device(d: DeviceInfo) -> DevicePublic:
    return DevicePublic(slug=d.slug, online=d.online,
                        last_status=iso(d.status_at) if d.status_at else None, fw=d.fw,
                        boot=d.boot, battery_v=d.battery_v, rssi_dbm=d.rssi_dbm,
                        interval_s=d.interval_s)


def _detail(p: PondInfo, store: StoreDep, registry: RegistryDep, config: ConfigDep) -> PondDetail:
    now = now_ms()
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
        status=pond_status(latest, devices, now, config.offline_after_intervals),
        last_seen=iso(newest) if newest else None, latest=values,
        devices=[_device(d) for d in devices])


@router.get("", response_model=list[SitePublic], summary="Sites")
def list_sites(registry: RegistryDep) -> list[SitePublic]:
    return [SitePublic(slug=s.slug, name=s.name, pond_count=s.pond_count)
            for s in registry.sites()]


@router.get("/{site}", response_model=SitePublic, summary="One site")
def get_site(site: str, registry: RegistryDep) -> SitePublic:
    s = registry.site(site)
    return SitePublic(slug=s.slug, name=s.name, pond_count=s.pond_count)


@router.get("/{site}/ponds", response_model=list[PondSummary], summary="Ponds of a site")
def list_ponds(site: str, store: StoreDep, registry: RegistryDep,
               config: ConfigDep) -> list[PondSummary]:
    return [PondSummary(**_detail(p, store, registry, config).model_dump(
                include={"site", "slug", "name", "status", "last_seen"}))
            for p in registry.ponds(site)]


@router.get("/{site}/ponds/{pond}", response_model=PondDetail,
            summary="A pond: latest value per metric, status, devices")
def get_pond(site: str, pond: str, store: StoreDep, registry: RegistryDep,
             config: ConfigDep) -> PondDetail:
    return _detail(registry.pond(site, pond), store, registry, config)
