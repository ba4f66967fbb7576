"""Registering and completing sites and ponds: ``POST/PATCH /api/v1/sites[/{site}]`` and
``POST/PATCH /api/v1/sites/{site}/ponds[/{pond}]`` (issue #19).

Who may: a site is created by an admin whose sites include it (an admin of every site, or
a site admin named for that slug before it exists) and changed by an admin of it; ponds
are added by the site's admins and changed by its admins and officers (they know the
pond's shape). Every change is audited. In a PATCH an absent or null field stays as it is;
a slug cannot change, since the MQTT topics and the stored series name it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AdminUser, SiteWriter, site_access
from api.deps import PlacesDep, RegistryDep, UsersDep
from api.pond_view import PondViewsDep
from api.routes.sites import pond_summary, site_public
from api.schemas import PondSummary, SitePublic
from kolam.errors import InvalidRecord
from kolam.places import (
    ALTITUDE_RANGE_M,
    AREA_RANGE_M2,
    DEPTH_RANGE_CM,
    LAT_RANGE,
    LON_RANGE,
    NAME_MAX,
    REGION_MAX,
    PondKind,
    PondShape,
    SiteKind,
    SitePlace,
)
from kolam.security.auth import Forbidden, Principal, Role

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
SiteAdmin = Annotated[Principal, Depends(site_access(frozenset({Role.ADMIN})))]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9-]{1,32}$", examples=["rutan-serang"])]
Name = Annotated[str | None, Field(min_length=1, max_length=NAME_MAX)]
Region = Annotated[str | None, Field(min_length=1, max_length=REGION_MAX)]


def _number(low: float, high: float, description: str) -> Any:
    return Field(None, ge=low, le=high, allow_inf_nan=False, description=description)


class SiteFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = None
    kind: SiteKind | None = None
    province: Region = None
    regency: Region = None
    lat: float | None = _number(*LAT_RANGE, "Degrees north (Indonesia: -11 to 6)")
    lon: float | None = _number(*LON_RANGE, "Degrees east (Indonesia: 95 to 141)")
    timezone: str | None = Field(None, max_length=64, examples=["Asia/Makassar"],
                                 description="IANA: Asia/Jakarta (WIB, the default), "
                                             "Asia/Makassar (WITA), Asia/Jayapura (WIT)")
    altitude_m: float | None = _number(*ALTITUDE_RANGE_M, "Metres above sea level")

    def place(self) -> SitePlace:
        return SitePlace(self.name, self.kind, self.province, self.regency, self.lat,
                         self.lon, self.timezone, self.altitude_m)


class SiteCreate(SiteFields):
    slug: Slug


class SiteUpdate(SiteFields):
    slug: Slug | None = Field(None, description="If given, the site's own slug")


class PondFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = None
    kind: PondKind | None = None
    area_m2: float | None = _number(*AREA_RANGE_M2, "Water surface, m²")
    depth_cm: float | None = _number(*DEPTH_RANGE_CM, "Full depth, cm")
    min_level_cm: float | None = _number(0.0, DEPTH_RANGE_CM[1],
                                         "The lowest safe level, below depth_cm")
    active: bool | None = None

    def shape(self) -> PondShape:
        return PondShape(self.name, self.kind, self.area_m2, self.depth_cm, self.min_level_cm,
                         self.active)


class PondCreate(PondFields):
    slug: Slug


class PondUpdate(PondFields):
    slug: Slug | None = Field(None, description="If given, the pond's own slug")


def _same_slug(what: str, path: str, body: str | None) -> None:
    if body is not None and body != path:
        raise InvalidRecord(f"a {what}'s slug cannot change ({path!r} to {body!r}): the MQTT "
                            "topics and the stored readings name it")


def _changes(body: BaseModel) -> str:
    return ", ".join(f"{k}={v}" for k, v in body.model_dump(exclude_none=True,
                                                            mode="json").items())


@router.post("", response_model=SitePublic, status_code=201, summary="Register a site")
def add_site(body: SiteCreate, admin: AdminUser, places: PlacesDep, registry: RegistryDep,
             users: UsersDep) -> SitePublic:
    if not admin.can_see(body.slug):
        raise Forbidden(f"admin {admin.username!r} may only register its own sites "
                        f"({', '.join(sorted(admin.sites))})")
    places.add_site(body.slug, body.place())
    users.audit(admin.username, "create", "site", None, body.slug, _changes(body))
    return site_public(registry.site(body.slug))


@router.patch("/{site}", response_model=SitePublic, summary="Complete or change a site")
def update_site(site: str, body: SiteUpdate, admin: SiteAdmin, places: PlacesDep,
                registry: RegistryDep, users: UsersDep) -> SitePublic:
    _same_slug("site", site, body.slug)
    places.update_site(site, body.place())
    users.audit(admin.username, "update", "site", None, site, _changes(body))
    return site_public(registry.site(site))


@router.post("/{site}/ponds", response_model=PondSummary, status_code=201,
             summary="Register a pond")
def add_pond(site: str, body: PondCreate, admin: SiteAdmin, places: PlacesDep,
             registry: RegistryDep, views: PondViewsDep, users: UsersDep) -> PondSummary:
    places.add_pond(site, body.slug, body.shape())
    users.audit(admin.username, "create", "pond", None, site, _changes(body))
    return pond_summary(views, registry.pond(site, body.slug))


@router.patch("/{site}/ponds/{pond}", response_model=PondSummary,
              summary="Complete or change a pond (its shape, kind, minimum level, in use)")
def update_pond(site: str, pond: str, body: PondUpdate, user: SiteWriter, places: PlacesDep,
                registry: RegistryDep, views: PondViewsDep, users: UsersDep) -> PondSummary:
    _same_slug("pond", pond, body.slug)
    places.update_pond(site, pond, body.shape())
    users.audit(user.username, "update", "pond", None, site, f"{pond}: {_changes(body)}")
    return pond_summary(views, registry.pond(site, pond))
