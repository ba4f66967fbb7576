"""The registry: sites, ponds, devices and dead letters, behind plain methods.

Callers get frozen dataclasses, never ORM objects, so sessions stay inside.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from kolam.errors import NotFound, RegistryError
from kolam.protocol import ROOT as TOPIC_ROOT
from kolam.protocol import DeviceRef, Status
from kolam.registry.db import make_engine, migrate, session_factory
from kolam.registry.models import DeadLetter, Device, Pond, Site
from kolam.runtime.deadletter import MAX_DETAIL_CHARS, MAX_PAYLOAD_BYTES, MAX_TOPIC_CHARS
from kolam.timeutil import now_ms


@dataclass(frozen=True, slots=True)
class SiteInfo:
    slug: str
    name: str
    altitude_m: float
    pond_count: int
    kind: str = "other"
    province: str | None = None
    regency: str | None = None
    lat: float | None = None
    lon: float | None = None
    timezone: str = "Asia/Jakarta"


@dataclass(frozen=True, slots=True)
class PondInfo:
    site: str
    slug: str
    name: str
    area_m2: float | None
    depth_cm: float | None
    kind: str | None = None
    min_level_cm: float | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    site: str
    pond: str
    slug: str
    enabled: bool
    online: bool | None
    status_at: int | None
    fw: str | None
    boot: int | None
    battery_v: float | None
    rssi_dbm: float | None
    interval_s: float | None


@dataclass(frozen=True, slots=True)
class DeadLetterIn:
    topic: str
    reason: str
    detail: str
    payload: str
    received_at: int
    source: str = "ingest"


@dataclass(frozen=True, slots=True)
class DeadLetterOut(DeadLetterIn):
    id: int = 0


class DeviceCheck(StrEnum):
    """Result of checking a device against the registry."""

    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    DISABLED = "disabled"
    MOVED = "moved"



def _on_sites(sites: frozenset[str]) -> ColumnElement[bool]:
    """A dead letter's topic is under one of these sites."""
    return or_(false(), *(DeadLetter.topic.startswith(f"{TOPIC_ROOT}/{site}/", autoescape=True)
                          for site in sorted(sites)))


def _device_info(d: Device) -> DeviceInfo:
    return DeviceInfo(d.pond.site.slug, d.pond.slug, d.slug, d.enabled, d.online, d.status_at,
                      d.fw, d.boot, d.battery_v, d.rssi_dbm, d.interval_s)


class Registry:
    """Access to the registry database; safe to share between threads."""

    def __init__(self, url: str, *, run_migrations: bool = True,
                 device_cache_s: float = 60.0) -> None:
        self.engine = make_engine(url)
        if run_migrations:
            try:
                migrate(self.engine)
            except SQLAlchemyError as exc:
                raise RegistryError(f"cannot migrate the registry: {exc}") from exc
        self._sessions = session_factory(self.engine)
        # Accepted devices, until a monotonic deadline: a device disabled or moved
        # elsewhere (another process's write) is refused within ``device_cache_s``.
        self._known: dict[DeviceRef, float] = {}
        self._device_cache_s = device_cache_s
        self._lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()

    def _session(self) -> Session:
        return self._sessions()

    # ------------------------------------------------------------ sites and ponds

    def ensure_pond(self, site: str, pond: str, *, site_name: str | None = None,
                    pond_name: str | None = None, area_m2: float | None = None,
                    depth_cm: float | None = None) -> None:
        """Create the site and pond if missing (idempotent)."""
        with self._session() as s, s.begin():
            self._ensure_pond(s, site, pond, site_name, pond_name, area_m2, depth_cm)

    def _ensure_pond(self, s: Session, site: str, pond: str, site_name: str | None = None,
                     pond_name: str | None = None, area_m2: float | None = None,
                     depth_cm: float | None = None) -> Pond:
        site_row = s.scalar(select(Site).where(Site.slug == site))
        if site_row is None:
            site_row = Site(slug=site, name=site_name or site, altitude_m=0.0, kind="other",
                            timezone="Asia/Jakarta", created_at=now_ms())
            s.add(site_row)
            s.flush()
        pond_row = s.scalar(select(Pond).where(Pond.site_id == site_row.id, Pond.slug == pond))
        if pond_row is None:
            pond_row = Pond(site_id=site_row.id, slug=pond, name=pond_name or pond,
                            area_m2=area_m2, depth_cm=depth_cm, active=True,
                            created_at=now_ms())
            s.add(pond_row)
            s.flush()
        return pond_row

    def sites(self, only: Iterable[str] | None = None) -> list[SiteInfo]:
        with self._session() as s:
            q = (select(Site, func.count(Pond.id)).outerjoin(Pond).group_by(Site.id)
                 .order_by(Site.slug))
            if only is not None:
                q = q.where(Site.slug.in_(list(only)))
            return [SiteInfo(site.slug, site.name, site.altitude_m, n, site.kind, site.province,
                             site.regency, site.lat, site.lon, site.timezone)
                    for site, n in s.execute(q)]

    def site(self, site: str) -> SiteInfo:
        found = self.sites([site])
        if not found:
            raise NotFound(f"no site {site!r}")
        return found[0]

    def ponds(self, site: str) -> list[PondInfo]:
        self.site(site)
        return self.ponds_of([site])

    def ponds_of(self, sites: Iterable[str]) -> list[PondInfo]:
        """The ponds of many sites in one query, by site and slug (the national view's;
        an unknown site has none)."""
        with self._session() as s:
            rows = s.execute(select(Pond, Site.slug).join(Site)
                             .where(Site.slug.in_(list(sites))).order_by(Site.slug, Pond.slug))
            return [PondInfo(site, p.slug, p.name, p.area_m2, p.depth_cm, p.kind, p.min_level_cm,
                             p.active) for p, site in rows]

    def pond(self, site: str, pond: str) -> PondInfo:
        for p in self.ponds(site):
            if p.slug == pond:
                return p
        raise NotFound(f"no pond {pond!r} at site {site!r}")

    # ------------------------------------------------------------ devices

    def devices(self, site: str, pond: str | None = None) -> list[DeviceInfo]:
        return self.devices_of([site], pond)

    def devices_of(self, sites: Iterable[str], pond: str | None = None) -> list[DeviceInfo]:
        """The devices of many sites in one query, by site, pond and slug."""
        with self._session() as s:
            q = select(Device).join(Pond, Device.pond_id == Pond.id).join(Site).where(
                Site.slug.in_(list(sites)))
            if pond is not None:
                q = q.where(Pond.slug == pond)
            return [_device_info(d) for d in s.scalars(q.order_by(Site.slug, Pond.slug,
                                                                 Device.slug))]

    def check_device(self, ref: DeviceRef, *, auto_provision: bool) -> DeviceCheck:
        """Is ``ref`` allowed to publish? Registers it first if auto-provisioning.

        Returns a ``DeviceCheck`` value. Results for accepted devices are cached for
        ``device_cache_s`` seconds: this runs for every message.
        """
        expires = self._known.get(ref)
        if expires is not None and time.monotonic() < expires:
            return DeviceCheck.ACCEPTED
        for attempt in range(5):
            try:
                with self._session() as s, s.begin():
                    result = self._check_device(s, ref, auto_provision)
                break
            except (IntegrityError, OperationalError) as exc:
                # Another worker registered the same site, pond or device at the same
                # moment (or held the write lock): the next attempt sees its rows.
                if attempt == 4:
                    raise RegistryError(f"device lookup failed: {exc}") from exc
                time.sleep(0.05 * (attempt + 1))
            except SQLAlchemyError as exc:
                raise RegistryError(f"device lookup failed: {exc}") from exc
        with self._lock:
            if result == DeviceCheck.ACCEPTED:
                self._known[ref] = time.monotonic() + self._device_cache_s
            else:
                self._known.pop(ref, None)
        return result

    def _check_device(self, s: Session, ref: DeviceRef, auto_provision: bool) -> DeviceCheck:
        device = s.scalar(select(Device).join(Site, Device.site_id == Site.id)
                          .where(Site.slug == ref.site, Device.slug == ref.device))
        if device is None:
            if not auto_provision:
                return DeviceCheck.UNKNOWN
            pond = self._ensure_pond(s, ref.site, ref.pond)
            s.add(Device(site_id=pond.site_id, pond_id=pond.id, slug=ref.device, enabled=True,
                         auto_provisioned=True, created_at=now_ms()))
            return DeviceCheck.ACCEPTED
        if not device.enabled:
            return DeviceCheck.DISABLED
        if device.pond.slug != ref.pond:
            return DeviceCheck.MOVED
        return DeviceCheck.ACCEPTED

    def forget_cache(self) -> None:
        with self._lock:
            self._known.clear()

    def record_status(self, ref: DeviceRef, status: Status, at_ms: int) -> None:
        """Store a device's latest status (the newest by arrival wins)."""
        try:
            self._record_status(ref, status, at_ms)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot record the status of {ref.device}: {exc}") from exc

    def _record_status(self, ref: DeviceRef, status: Status, at_ms: int) -> None:
        with self._session() as s, s.begin():
            device = s.scalar(select(Device).join(Site, Device.site_id == Site.id)
                              .where(Site.slug == ref.site, Device.slug == ref.device))
            if device is None:
                return
            device.online = status.online
            device.status_at = at_ms
            if status.online:
                device.fw = status.fw or device.fw
                device.boot = status.boot if status.boot is not None else device.boot
                device.battery_v = status.battery_v
                device.rssi_dbm = status.rssi_dbm
                if status.interval_s is not None:
                    device.interval_s = status.interval_s

    # ------------------------------------------------------------ dead letters

    def add_dead_letters(self, letters: Sequence[DeadLetterIn]) -> None:
        if not letters:
            return
        try:
            with self._session() as s, s.begin():
                s.add_all([DeadLetter(received_at=d.received_at, source=d.source,
                                      topic=d.topic[:MAX_TOPIC_CHARS], reason=d.reason,
                                      detail=d.detail[:MAX_DETAIL_CHARS],
                                      payload=d.payload[:MAX_PAYLOAD_BYTES])
                           for d in letters])
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot store dead letters: {exc}") from exc

    def dead_letters(self, *, reason: str | None = None, sites: frozenset[str] | None = None,
                     limit: int = 100, offset: int = 0) -> list[DeadLetterOut]:
        """Newest first; ``sites`` keeps only letters on those sites' topics."""
        with self._session() as s:
            q = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit).offset(offset)
            if reason is not None:
                q = q.where(DeadLetter.reason == reason)
            if sites is not None:
                q = q.where(_on_sites(sites))
            return [DeadLetterOut(d.topic, d.reason, d.detail, d.payload, d.received_at,
                                  d.source, d.id) for d in s.scalars(q)]

    def dead_letter_counts(self, sites: frozenset[str] | None = None) -> dict[str, int]:
        with self._session() as s:
            q = select(DeadLetter.reason, func.count()).group_by(DeadLetter.reason)
            rows = s.execute(q if sites is None else q.where(_on_sites(sites)))
            return {reason: int(n) for reason, n in rows}
