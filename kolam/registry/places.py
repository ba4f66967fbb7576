"""Sites and ponds as records, stored: managed by admins through the API
(``/api/v1/sites``), the CLI (``kolam sites``, ``kolam ponds``); telemetry from an unknown
pond still creates a bare record (``Registry.check_device``) that is completed here later.
The fields and their checks are ``kolam.places``; a pond change is also checked against the
record it lands on (a new minimum level against the depth already recorded).
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from kolam.errors import InvalidRecord
from kolam.places import (
    DEFAULT_TIMEZONE,
    PondShape,
    SiteKind,
    SitePlace,
    check_pond,
    check_site,
    check_slug,
)
from kolam.registry.db import one, session_factory
from kolam.registry.models import Pond, Site
from kolam.timeutil import now_ms


def _apply(row: object, change: SitePlace | PondShape) -> None:
    for f in dataclasses.fields(change):
        value = getattr(change, f.name)
        if value is not None:
            setattr(row, f.name, value.value if isinstance(value, StrEnum) else value)


def _merged_shape(row: Pond, change: PondShape) -> PondShape:
    """The pond as it would be after ``change``: min_level is checked against the depth
    already recorded, and the other way round."""
    return PondShape(depth_cm=row.depth_cm if change.depth_cm is None else change.depth_cm,
                     min_level_cm=(row.min_level_cm if change.min_level_cm is None
                                   else change.min_level_cm))


class Places:
    """Create and change site and pond records (reads are ``Registry.sites``/``ponds``)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def add_site(self, slug: str, place: SitePlace) -> None:
        check_slug("site", slug)
        place = check_site(place)
        try:
            with self._sessions() as s, s.begin():
                if s.scalar(select(Site.id).where(Site.slug == slug)) is not None:
                    raise InvalidRecord(f"site {slug!r} exists already: change it with PATCH "
                                        f"/api/v1/sites/{slug} or `kolam sites set {slug}`")
                row = Site(slug=slug, name=place.name or slug, altitude_m=0.0,
                           kind=SiteKind.OTHER.value, timezone=DEFAULT_TIMEZONE,
                           created_at=now_ms())
                _apply(row, place)
                s.add(row)
        except IntegrityError as exc:  # registered by another process meanwhile
            raise InvalidRecord(f"site {slug!r} exists already") from exc

    def update_site(self, slug: str, place: SitePlace) -> None:
        place = check_site(place)
        with self._sessions() as s, s.begin():
            row = one(s, select(Site).where(Site.slug == slug), f"no site {slug!r}")
            _apply(row, place)

    def add_pond(self, site: str, slug: str, shape: PondShape) -> None:
        check_slug("pond", slug)
        shape = check_pond(shape)
        try:
            with self._sessions() as s, s.begin():
                site_row = one(s, select(Site).where(Site.slug == site), f"no site {site!r}")
                if s.scalar(select(Pond.id).where(Pond.site_id == site_row.id,
                                                  Pond.slug == slug)) is not None:
                    raise InvalidRecord(f"pond {slug!r} exists already at {site!r}: change it "
                                        f"with PATCH or `kolam ponds set {site} {slug}`")
                row = Pond(site_id=site_row.id, slug=slug, name=shape.name or slug,
                           active=True, created_at=now_ms())
                _apply(row, shape)
                s.add(row)
        except IntegrityError as exc:
            raise InvalidRecord(f"pond {slug!r} exists already at {site!r}") from exc

    def update_pond(self, site: str, slug: str, shape: PondShape) -> None:
        shape = check_pond(shape)
        with self._sessions() as s, s.begin():
            row = one(s, select(Pond).join(Site).where(Site.slug == site, Pond.slug == slug),
                      f"no pond {slug!r} at site {site!r}")
            check_pond(_merged_shape(row, shape))
            _apply(row, shape)
