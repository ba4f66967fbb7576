"""``kolam sites add|set|list`` and ``kolam ponds add|set|list``: sites and ponds as records
(kolam.registry.places), for the operator at a shell. Changes are audited as ``cli``, like
the API's are under the admin's name.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from kolam.places import PondKind, PondShape, SiteKind, SitePlace

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", envvar="KOLAM_CONFIG",
                                                help="YAML config file", exists=True,
                                                dir_okay=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
Name = Annotated[str | None, typer.Option(help="Display name (default: the slug)")]
SiteKindOpt = Annotated[SiteKind | None, typer.Option("--kind", help="The kind of unit")]
Region = Annotated[str | None, typer.Option()]
Lat = Annotated[float | None, typer.Option(help="Degrees north (Indonesia: -11 to 6)")]
Lon = Annotated[float | None, typer.Option(help="Degrees east (Indonesia: 95 to 141)")]
Zone = Annotated[str | None, typer.Option(
    help="IANA time zone: Asia/Jakarta (WIB, default), Asia/Makassar (WITA), Asia/Jayapura "
         "(WIT)")]
Altitude = Annotated[float | None, typer.Option("--altitude-m", help="Metres above sea level")]
PondKindOpt = Annotated[PondKind | None, typer.Option("--kind", help="How the pond is built")]
Area = Annotated[float | None, typer.Option("--area-m2", help="Water surface, m²")]
Depth = Annotated[float | None, typer.Option("--depth-cm", help="Full depth, cm")]
MinLevel = Annotated[float | None, typer.Option("--min-level-cm",
                                                help="Lowest safe level, below the depth")]
Active = Annotated[bool | None, typer.Option("--active/--inactive", help="In use or not")]

sites_app = typer.Typer(no_args_is_help=True,
                        help="Sites (rutan, lapas, LPKA): name, place and time zone.")
ponds_app = typer.Typer(no_args_is_help=True,
                        help="Ponds of a site: kind, area, depth, minimum level.")


@contextmanager
def _places(config: Path | None) -> Iterator[tuple[Any, Any, Callable[..., None]]]:
    """The registry, its places and an audit writer, closed afterwards."""
    from kolam.cli import _load
    from kolam.registry.places import Places
    from kolam.registry.repo import Registry
    from kolam.registry.users import Users

    registry = Registry(_load(config, "places").registry_url)
    try:
        yield registry, Places(registry.engine), Users(registry.engine).audit
    finally:
        registry.close()


def _said(change: SitePlace | PondShape) -> str:
    return ", ".join(f"{f.name}={getattr(change, f.name)}" for f in dataclasses.fields(change)
                     if getattr(change, f.name) is not None)


def _site_row(s: Any) -> dict[str, Any]:
    return {"slug": s.slug, "name": s.name, "kind": s.kind, "province": s.province,
            "regency": s.regency, "lat": s.lat, "lon": s.lon, "timezone": s.timezone,
            "altitude_m": s.altitude_m, "pond_count": s.pond_count}


def _pond_row(p: Any) -> dict[str, Any]:
    return {"site": p.site, "slug": p.slug, "name": p.name, "kind": p.kind,
            "area_m2": p.area_m2, "depth_cm": p.depth_cm, "min_level_cm": p.min_level_cm,
            "active": p.active}


def _blank(value: object) -> str:
    return "-" if value is None else str(value)


@sites_app.command("add")
def sites_add(slug: Annotated[str, typer.Argument(help="a-z, 0-9, '-': as in MQTT topics")],
              name: Name = None, kind: SiteKindOpt = None, province: Region = None,
              regency: Region = None, lat: Lat = None, lon: Lon = None, timezone: Zone = None,
              altitude_m: Altitude = None, config: ConfigOpt = None) -> None:
    """Register a site (WIB and kind "other" unless told)."""
    place = SitePlace(name, kind, province, regency, lat, lon, timezone, altitude_m)
    with _places(config) as (registry, places, audit):
        places.add_site(slug, place)
        audit("cli", "create", "site", None, slug, _said(place))
        s = registry.site(slug)
    typer.echo(f"site {s.slug} ({s.name}): {s.kind}, {s.timezone}")


@sites_app.command("set")
def sites_set(slug: Annotated[str, typer.Argument()], name: Name = None,
              kind: SiteKindOpt = None, province: Region = None, regency: Region = None,
              lat: Lat = None, lon: Lon = None, timezone: Zone = None,
              altitude_m: Altitude = None, config: ConfigOpt = None) -> None:
    """Complete or change a site (one made by telemetry, say); options left out stay."""
    place = SitePlace(name, kind, province, regency, lat, lon, timezone, altitude_m)
    with _places(config) as (registry, places, audit):
        places.update_site(slug, place)
        audit("cli", "update", "site", None, slug, _said(place))
        s = registry.site(slug)
    typer.echo(f"site {s.slug} ({s.name}): {s.kind}, {s.timezone}")


@sites_app.command("list")
def sites_list(as_json: JsonOpt = False, config: ConfigOpt = None) -> None:
    """Every site: slug, name, kind, province, regency, lat, lon, time zone, ponds."""
    with _places(config) as (registry, _, _audit):
        rows = [_site_row(s) for s in registry.sites()]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for r in rows:
        typer.echo("\t".join(_blank(r[k]) for k in ("slug", "name", "kind", "province",
                                                    "regency", "lat", "lon", "timezone",
                                                    "altitude_m", "pond_count")))


@ponds_app.command("add")
def ponds_add(site: Annotated[str, typer.Argument()],
              pond: Annotated[str, typer.Argument(help="a-z, 0-9, '-': as in MQTT topics")],
              name: Name = None, kind: PondKindOpt = None, area_m2: Area = None,
              depth_cm: Depth = None, min_level_cm: MinLevel = None, active: Active = None,
              config: ConfigOpt = None) -> None:
    """Register a pond at a site."""
    shape = PondShape(name, kind, area_m2, depth_cm, min_level_cm, active)
    with _places(config) as (_, places, audit):
        places.add_pond(site, pond, shape)
        audit("cli", "create", "pond", None, site, f"{pond}: {_said(shape)}")
    typer.echo(f"pond {site}/{pond} registered")


@ponds_app.command("set")
def ponds_set(site: Annotated[str, typer.Argument()], pond: Annotated[str, typer.Argument()],
              name: Name = None, kind: PondKindOpt = None, area_m2: Area = None,
              depth_cm: Depth = None, min_level_cm: MinLevel = None, active: Active = None,
              config: ConfigOpt = None) -> None:
    """Complete or change a pond; options left out stay."""
    shape = PondShape(name, kind, area_m2, depth_cm, min_level_cm, active)
    with _places(config) as (_, places, audit):
        places.update_pond(site, pond, shape)
        audit("cli", "update", "pond", None, site, f"{pond}: {_said(shape)}")
    typer.echo(f"pond {site}/{pond} updated")


@ponds_app.command("list")
def ponds_list(site: Annotated[str, typer.Argument()], as_json: JsonOpt = False,
               config: ConfigOpt = None) -> None:
    """A site's ponds: slug, name, kind, area, depth, minimum level, active."""
    with _places(config) as (registry, _, _audit):
        rows = [_pond_row(p) for p in registry.ponds(site)]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for r in rows:
        typer.echo("\t".join(_blank(r[k]) for k in ("slug", "name", "kind", "area_m2",
                                                    "depth_cm", "min_level_cm", "active")))
