"""``/admin/sites``: the admins' page to register a site and complete its record (place,
time zone) and its ponds' (kind, area, depth, minimum level, in use).

The same checks as ``POST/PATCH /api/v1/sites...`` (``kolam.registry.places``): an
``InvalidRecord`` is shown beside the form. A blank field leaves the value as it is.
Numbers may be typed the Indonesian way (``-6,12``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import PlacesDep, RegistryDep, UsersDep
from api.pages.render import page
from api.pages.session import PageUser, check_csrf, check_role, page_site
from kolam.errors import InvalidRecord
from kolam.places import PondKind, PondShape, SiteKind, SitePlace
from kolam.registry.repo import Registry
from kolam.security.auth import Forbidden, Principal, Role

router = APIRouter(include_in_schema=False)
ADMINS = frozenset({Role.ADMIN})
ZONES = (("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT"))
SiteAdminPage = Annotated[Principal, Depends(page_site(ADMINS))]
FormText = Annotated[str, Form()]


def _number(text: str, what: str) -> float | None:
    text = text.strip().replace("−", "-").replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise InvalidRecord(f"{what}: not a number ({text[:20]!r})") from exc
    if not math.isfinite(value):
        raise InvalidRecord(f"{what}: not a number")
    return value


def _choice(kind: type[SiteKind] | type[PondKind], text: str) -> Any:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError as exc:
        raise InvalidRecord(f"kind must be one of {', '.join(kind)}") from exc


def _site_place(name: str, kind: str, province: str, regency: str, lat: str, lon: str,
                timezone: str, altitude_m: str) -> SitePlace:
    return SitePlace(name or None, _choice(SiteKind, kind), province or None, regency or None,
                     _number(lat, "lat"), _number(lon, "lon"), timezone or None,
                     _number(altitude_m, "altitude_m"))


def _index(request: Request, registry: Registry, user: Principal, status_code: int = 200,
           **extra: Any) -> Response:
    only = None if user.all_sites else user.sites
    return page(request, "sites_admin.html", status_code=status_code, site=None,
                sites=registry.sites(only), site_kinds=list(SiteKind),
                zones=ZONES, **extra)


@router.get("/admin/sites")
def sites_index(request: Request, user: PageUser, registry: RegistryDep) -> Response:
    check_role(user, ADMINS)
    return _index(request, registry, user)


@router.post("/admin/sites")
def add_site(request: Request, user: PageUser, registry: RegistryDep, places: PlacesDep,
             users: UsersDep, csrf: FormText = "", slug: FormText = "",
             name: FormText = "", kind: FormText = "", province: FormText = "",
             regency: FormText = "", lat: FormText = "", lon: FormText = "",
             timezone: FormText = "", altitude_m: FormText = "") -> Response:
    check_role(user, ADMINS)
    check_csrf(request, csrf)
    slug = slug.strip()
    if slug and not user.can_see(slug):
        raise Forbidden(f"admin {user.username!r} may only register its own sites")
    try:
        place = _site_place(name, kind, province, regency, lat, lon, timezone, altitude_m)
        places.add_site(slug, place)
    except InvalidRecord as exc:
        return _index(request, registry, user, 422, error=str(exc),
                      form={"slug": slug, "name": name})
    users.audit(user.username, "create", "site", None, slug, "page")
    return RedirectResponse(f"/admin/sites/{slug}?saved=1", status_code=303)


def _site(request: Request, registry: Registry, site: str, status_code: int = 200,
          **extra: Any) -> Response:
    return page(request, "sites_admin.html", status_code=status_code, site=registry.site(site),
                ponds=registry.ponds(site), site_kinds=list(SiteKind),
                pond_kinds=list(PondKind), zones=ZONES, **extra)


@router.get("/admin/sites/{site}")
def site_page(request: Request, site: str, _: SiteAdminPage, registry: RegistryDep,
              saved: int = 0) -> Response:
    return _site(request, registry, site, saved=bool(saved))


@router.post("/admin/sites/{site}")
def update_site(request: Request, site: str, user: SiteAdminPage, registry: RegistryDep,
                places: PlacesDep, users: UsersDep, csrf: FormText = "",
                name: FormText = "", kind: FormText = "", province: FormText = "",
                regency: FormText = "", lat: FormText = "", lon: FormText = "",
                timezone: FormText = "", altitude_m: FormText = "") -> Response:
    check_csrf(request, csrf)
    try:
        place = _site_place(name, kind, province, regency, lat, lon, timezone, altitude_m)
        places.update_site(site, place)
    except InvalidRecord as exc:
        return _site(request, registry, site, 422, error=str(exc))
    users.audit(user.username, "update", "site", None, site, "page")
    return RedirectResponse(f"/admin/sites/{site}?saved=1", status_code=303)


def _shape(name: str, kind: str, area_m2: str, depth_cm: str, min_level_cm: str,
           active: bool | None) -> PondShape:
    return PondShape(name or None, _choice(PondKind, kind), _number(area_m2, "area_m2"),
                     _number(depth_cm, "depth_cm"), _number(min_level_cm, "min_level_cm"),
                     active)


@router.post("/admin/sites/{site}/ponds")
def add_pond(request: Request, site: str, user: SiteAdminPage, registry: RegistryDep,
             places: PlacesDep, users: UsersDep, csrf: FormText = "",
             slug: FormText = "", name: FormText = "", kind: FormText = "",
             area_m2: FormText = "", depth_cm: FormText = "",
             min_level_cm: FormText = "") -> Response:
    check_csrf(request, csrf)
    slug = slug.strip()
    try:
        shape = _shape(name, kind, area_m2, depth_cm, min_level_cm, None)
        places.add_pond(site, slug, shape)
    except InvalidRecord as exc:
        return _site(request, registry, site, 422, error=str(exc), pond_form={"slug": slug})
    users.audit(user.username, "create", "pond", None, site, f"{slug}: page")
    return RedirectResponse(f"/admin/sites/{site}?saved=1", status_code=303)


@router.post("/admin/sites/{site}/ponds/{pond}")
def update_pond(request: Request, site: str, pond: str, user: SiteAdminPage,
                registry: RegistryDep, places: PlacesDep, users: UsersDep,
                csrf: FormText = "", name: FormText = "", kind: FormText = "",
                area_m2: FormText = "", depth_cm: FormText = "", min_level_cm: FormText = "",
                active: FormText = "") -> Response:
    check_csrf(request, csrf)
    try:
        shape = _shape(name, kind, area_m2, depth_cm, min_level_cm, active == "1")
        places.update_pond(site, pond, shape)
    except InvalidRecord as exc:
        return _site(request, registry, site, 422, error=f"{pond}: {exc}")
    users.audit(user.username, "update", "pond", None, site, f"{pond}: page")
    return RedirectResponse(f"/admin/sites/{site}?saved=1", status_code=303)
