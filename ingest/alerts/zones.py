"""Each site's time zone for the alert side: the times in messages and details, and the
hour of the daily warning digest, are the site's own (WIB, WITA, WIT; issue #19).

Read from the site's record (``sites.timezone``) the first time a site needs it, then
kept: read again ``ZONE_REFRESH_S`` later (a corrected record reaches the messages within
that), never once per message. A registry that cannot be read keeps the zone last known
(WIB before any), and is asked again at the next refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import tzinfo

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kolam.errors import KolamError, RegistryError
from kolam.places import display_zone
from kolam.registry.models import Site
from kolam.timeutil import WIB

log = logging.getLogger(__name__)

ZONE_REFRESH_S = 600.0
"""How long a site's zone is kept before its record is read again."""


def timezone_in(engine: Engine) -> Callable[[str], str | None]:
    """A site's recorded IANA ``timezone`` in the registry at ``engine`` (None for a site
    not registered: WIB); raises ``RegistryError`` when the registry cannot be read."""
    def lookup(site: str) -> str | None:
        try:
            with Session(engine) as s:
                return s.scalar(select(Site.timezone).where(Site.slug == site))
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot read site {site!r}'s time zone: {exc}") from exc
    return lookup


class SiteZones:
    """``zones(site)``: the zone the site's alert times are written in. Shared by the
    engine (details) and the outbox (messages, digest hour); safe across threads."""

    def __init__(self, lookup: Callable[[str], str | None], refresh_s: float = ZONE_REFRESH_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lookup, self._refresh_s, self._clock = lookup, refresh_s, clock
        self._known: dict[str, tuple[tzinfo, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, site: str) -> tzinfo:
        now = self._clock()
        with self._lock:
            known = self._known.get(site)
        if known is not None and now < known[1]:
            return known[0]
        try:
            tz = display_zone(self._lookup(site))
        except KolamError as exc:
            tz = known[0] if known is not None else WIB
            log.warning("alerts: time zone of site %s unread, using %s: %s", site,
                        getattr(tz, "key", "WIB"), exc)
        with self._lock:
            self._known[site] = (tz, now + self._refresh_s)
        return tz
