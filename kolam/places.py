"""Where a site is and what shape a pond has: the fields of their records, their kinds and
the plausibility checks (stored by ``kolam.registry.places``; no database here, so the CLI
and the pages can use it without loading SQLAlchemy).

Every number is checked for plausibility, not just type: a site is in Indonesia, a pond's
minimum level is below its depth. A change names only the fields it sets (``None`` leaves a
field as it is).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from kolam.errors import InvalidRecord
from kolam.protocol import GATEWAY_SEGMENT, SLUG_RE
from kolam.timeutil import WIB

DEFAULT_TIMEZONE = "Asia/Jakarta"
"""WIB: where a site is until its record says otherwise (DESIGN.md, "Time and place")."""

# Indonesia spans about 6° N (Weh island) to 11° S (Rote) and 95° E (Aceh) to 141° E (the
# Papua New Guinea border): a site outside is a typo (a swapped sign, lat for lon).
LAT_RANGE = (-11.0, 6.0)
LON_RANGE = (95.0, 141.0)
ALTITUDE_RANGE_M = (-20.0, 3500.0)
"""Coastal ponds a little below sea level to highland farms (Dieng ~2000 m); DO saturation
uses it (DOMAIN.md, "Water chemistry")."""
AREA_RANGE_M2 = (0.5, 50_000.0)
"""A 1 m round tarpaulin pond (~0.8 m²) to a 5 ha earthen pond."""
DEPTH_RANGE_CM = (10.0, 500.0)
"""The level sensor's range is 0–500 cm (DESIGN.md, metric catalogue)."""
NAME_MAX = 200
REGION_MAX = 100


class SiteKind(StrEnum):
    RUTAN = "rutan"
    """Rumah tahanan: a remand prison."""
    LAPAS = "lapas"
    """Lembaga pemasyarakatan: a prison."""
    LPKA = "lpka"
    """Lembaga pembinaan khusus anak: a juvenile facility."""
    OTHER = "other"


class PondKind(StrEnum):
    TARPAULIN = "tarpaulin"
    CONCRETE = "concrete"
    EARTHEN = "earthen"
    BIOFLOC = "biofloc"


@dataclass(frozen=True, slots=True)
class SitePlace:
    """A site's record fields (the API's and CLI's); ``None`` means "not set" / "unchanged"."""

    name: str | None = None
    kind: SiteKind | None = None
    province: str | None = None
    regency: str | None = None
    lat: float | None = None
    lon: float | None = None
    timezone: str | None = None
    altitude_m: float | None = None


@dataclass(frozen=True, slots=True)
class PondShape:
    """A pond's record fields; ``None`` means "not set" / "unchanged"."""

    name: str | None = None
    kind: PondKind | None = None
    area_m2: float | None = None
    depth_cm: float | None = None
    min_level_cm: float | None = None
    active: bool | None = None


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    """An IANA time zone name this machine knows (``Asia/Makassar``), else ``InvalidRecord``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRecord(f"unknown time zone {name[:64]!r}: use an IANA name such as "
                            "Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)"
                            ) from exc
    if name not in _zones():
        raise InvalidRecord(f"{name[:64]!r} is not an IANA time zone name (e.g. Asia/Jakarta)")
    return name


def site_zone(timezone: str | None) -> ZoneInfo:
    """The zone of a site's record; WIB for a name this machine does not know (never fails:
    pages and reports keep working on a registry written elsewhere)."""
    try:
        return ZoneInfo(timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def display_zone(timezone: str | None = None) -> tzinfo:
    """The zone a site's times are shown in, from its record's IANA ``timezone``: WIB
    (UTC+7, named "WIB") when the record has none or the default, else the zone itself
    (WITA, WIT by their tz database names). The pages' (``api.fmt.zone``) and the alert
    messages' (ingest learns each site's record through ``ingest.alerts.zones``)."""
    if not timezone or timezone == DEFAULT_TIMEZONE:
        return WIB
    return site_zone(timezone)


def check_slug(what: str, slug: str) -> str:
    if not SLUG_RE.fullmatch(slug):
        raise InvalidRecord(f"a {what} slug is 1-32 of a-z, 0-9 and '-', got {slug[:40]!r}")
    if what == "pond" and slug == GATEWAY_SEGMENT:
        raise InvalidRecord(f"{GATEWAY_SEGMENT!r} names the gateway in MQTT topics, not a pond")
    return slug


def _in(what: str, value: float | None, low: float, high: float, unit: str) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidRecord(f"{what} must be between {low:g} and {high:g} {unit}, got {value:g}"
                            .rstrip())


def _text(what: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > limit or not text.isprintable():
        raise InvalidRecord(f"{what} must be 1-{limit} printable characters")
    return text


def check_site(place: SitePlace) -> SitePlace:
    """``place`` with its texts trimmed, or ``InvalidRecord`` saying which field is wrong."""
    _in("lat", place.lat, *LAT_RANGE, "° (Indonesia)")
    _in("lon", place.lon, *LON_RANGE, "° (Indonesia)")
    _in("altitude_m", place.altitude_m, *ALTITUDE_RANGE_M, "m")
    if place.timezone is not None:
        check_timezone(place.timezone)
    return dataclasses.replace(place, name=_text("name", place.name, NAME_MAX),
                               province=_text("province", place.province, REGION_MAX),
                               regency=_text("regency", place.regency, REGION_MAX))


def check_pond(shape: PondShape) -> PondShape:
    _in("area_m2", shape.area_m2, *AREA_RANGE_M2, "m²")
    _in("depth_cm", shape.depth_cm, *DEPTH_RANGE_CM, "cm")
    _in("min_level_cm", shape.min_level_cm, 0.0, DEPTH_RANGE_CM[1], "cm")
    if shape.min_level_cm is not None and shape.depth_cm is not None and \
            shape.min_level_cm >= shape.depth_cm:
        raise InvalidRecord(f"min_level_cm ({shape.min_level_cm:g}) must be below the pond's "
                            f"depth_cm ({shape.depth_cm:g})")
    return dataclasses.replace(shape, name=_text("name", shape.name, NAME_MAX))
