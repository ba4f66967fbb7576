"""Sites and ponds: ``/api/v1/sites``, ``/api/v1/sites/{site}/ponds[/{pond}]``.

A pond's ``status`` is its ``api.status.PondStatus``: the worst of its open alerts (``ok``
when none), or ``offline`` when its data stopped; ``latest[metric].level`` still grades each
reading against the catalogue's default bands.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import CurrentUser, SiteUser
from api.deps import RegistryDep
from api.pond_view import PondView, PondViews, PondViewsDep
from api.routes.alerts import public
from api.schemas import DevicePublic, LatestValue, PondDetail, PondSummary, SitePublic
from kolam.catalogue import METRICS
from kolam.registry.repo import DeviceInfo, PondInfo, SiteInfo
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])


def _device(d: DeviceInfo) -> DevicePublic:
    return DevicePublic(slug=d.slug, online=d.online,
                        last_status=iso(d.status_at) if d.status_at else None, fw=d.fw,
                        boot=d.boot, battery_v=d.battery_v, rssi_dbm=d.rssi_dbm,
                        interval_s=d.interval_s)


def _current_cycle(view: PondView, now: int) -> dict[str, object] | None:
    c = view.cycle
    if c is None:
        return None
    return {"id": c.id, "team_id": c.team_id, "team_name": c.team_name,
            "stocked_at": iso(c.stocked_at), "day": (now - c.stocked_at) // 86_400_000 + 1,
            "seed_count": c.seed_count}


def _summary(view: PondView) -> PondSummary:
    p, last = view.pond, view.last_t
    return PondSummary(site=p.site, slug=p.slug, name=p.name, status=view.status.value.value,
                       last_seen=iso(last) if last else None, area_m2=p.area_m2,
                       depth_cm=p.depth_cm, kind=p.kind, min_level_cm=p.min_level_cm,
                       active=p.active)


def pond_summary(views: PondViews, p: PondInfo) -> PondSummary:
    """One pond's summary as ``GET /sites/{site}/ponds`` lists it."""
    return _summary(views.pond(p, now_ms(), with_cycle=False))


def site_public(s: SiteInfo) -> SitePublic:
    return SitePublic(slug=s.slug, name=s.name, pond_count=s.pond_count, kind=s.kind,
                      province=s.province, regency=s.regency, lat=s.lat, lon=s.lon,
                      timezone=s.timezone, altitude_m=s.altitude_m)


def _detail(view: PondView, now: int) -> PondDetail:
    latest = {
        m: LatestValue(value=round(r.value, METRICS[m].decimals + 1), unit=METRICS[m].unit,
                       t=iso(r.t), t_ms=r.t, age_s=round((now - r.t) / 1000, 1),
                       level=r.level, device=r.device)
        for m, r in view.readings.items()}
    return PondDetail(
        **_summary(view).model_dump(),
        latest=latest, devices=[_device(d) for d in view.devices],
        active_alerts=[public(a).model_dump() for a in view.alerts],
        current_cycle=_current_cycle(view, now))



@router.get("", response_model=list[SitePublic], summary="Sites")
def list_sites(user: CurrentUser, registry: RegistryDep) -> list[SitePublic]:
    return [site_public(s) for s in registry.sites(None if user.all_sites else user.sites)]


@router.get("/{site}", response_model=SitePublic, summary="One site")
def get_site(site: str, _: SiteUser, registry: RegistryDep) -> SitePublic:
    return site_public(registry.site(site))


@router.get("/{site}/ponds", response_model=list[PondSummary], summary="Ponds of a site")
def list_ponds(site: str, _: SiteUser, views: PondViewsDep) -> list[PondSummary]:
    return [_summary(v) for v in views.site(site, now_ms(), with_cycle=False)]


@router.get("/{site}/ponds/{pond}", response_model=PondDetail,
            summary="A pond: latest value per metric, status (worst open alert, or offline), "
                    "devices")
def get_pond(site: str, pond: str, _: SiteUser, registry: RegistryDep,
             views: PondViewsDep) -> PondDetail:
    now = now_ms()
    return _detail(views.pond(registry.pond(site, pond), now), now)
