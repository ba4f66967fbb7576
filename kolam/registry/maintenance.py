"""Probe care entries of each device (``device_maintenance``): add, list, void, what is
due, and how many each member did (their skill record).

The checks and the arithmetic are ``kolam.farming.probe_care``'s; this module stores the
entries, scoped to a site like every other record. A drift check's probe reading comes
from the time series; the caller (the API) looks it up and passes it in
``NewMaintenance.probe_value`` and ``probe_at``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Set
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kolam.errors import InvalidRecord, NotFound, RegistryError
from kolam.farming.probe_care import (
    DRIFT_TOLERANCE,
    KINDS_OF_METRIC,
    Calibration,
    Due,
    Kind,
    calibrate,
    due,
)
from kolam.registry.db import session_factory
from kolam.registry.farm_models import Member, Team
from kolam.registry.maintenance_models import MaintenanceEntry
from kolam.registry.models import Device, Pond, Site
from kolam.timeutil import now_ms

NOTE_CHARS = 500


@dataclass(frozen=True, slots=True)
class NewMaintenance:
    kind: Kind
    at: int
    member_ids: tuple[int, ...] = ()
    buffer1: float | None = None
    reading1: float | None = None
    """The electrode's output in buffer 1, mV."""
    buffer2: float | None = None
    reading2: float | None = None
    temp_c: float | None = None
    """The buffers' temperature (25 °C when not measured)."""
    metric: str | None = None
    manual_value: float | None = None
    probe_value: float | None = None
    probe_at: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class MaintenanceInfo(NewMaintenance):
    id: int = 0
    site: str = ""
    pond: str = ""
    device: str = ""
    recorded_by: str = ""
    voided_at: int | None = None
    voided_by: str | None = None
    void_reason: str | None = None

    @property
    def calibration(self) -> Calibration | None:
        b1, r1, b2, r2 = self.buffer1, self.reading1, self.buffer2, self.reading2
        if self.kind is not Kind.PH_CALIBRATION or b1 is None or r1 is None \
                or b2 is None or r2 is None:
            return None
        try:
            return calibrate(b1, r1, b2, r2, 25.0 if self.temp_c is None else self.temp_c)
        except InvalidRecord:
            return None

    @property
    def difference(self) -> float | None:
        """A drift check: probe minus manual (None without a probe reading)."""
        if self.probe_value is None or self.manual_value is None:
            return None
        return round(self.probe_value - self.manual_value, 3)

    @property
    def drift_ok(self) -> bool | None:
        d = self.difference
        if d is None or self.metric not in DRIFT_TOLERANCE:
            return None
        return abs(d) <= DRIFT_TOLERANCE[self.metric] + 1e-9


def _finite(value: float | None, field: str) -> float:
    if value is None:
        raise InvalidRecord(f"{field}: required for this kind", key="required",
                            field=f"f_{field}")
    if not math.isfinite(value):
        raise InvalidRecord(f"{field}: must be a finite number", key="required",
                            field=f"f_{field}")
    return value


def check(new: NewMaintenance) -> NewMaintenance:
    """The entry as it will be stored: the fields of its kind checked, the others
    dropped. Raises ``InvalidRecord``."""
    base = NewMaintenance(new.kind, new.at, new.member_ids, note=new.note[:NOTE_CHARS])
    if new.kind is Kind.PH_CALIBRATION:
        b1, r1 = _finite(new.buffer1, "buffer1"), _finite(new.reading1, "reading1")
        b2, r2 = _finite(new.buffer2, "buffer2"), _finite(new.reading2, "reading2")
        temp = 25.0 if new.temp_c is None else _finite(new.temp_c, "temp_c")
        calibrate(b1, r1, b2, r2, temp)
        return NewMaintenance(new.kind, new.at, new.member_ids, b1, r1, b2, r2, new.temp_c,
                              note=base.note)
    if new.kind is Kind.DRIFT_CHECK:
        if new.metric not in DRIFT_TOLERANCE:
            raise InvalidRecord(f"metric: drift checks are for {', '.join(DRIFT_TOLERANCE)}",
                                key="drift_metric", metric=str(new.metric))
        manual = _finite(new.manual_value, "manual_value")
        low, high = (0.0, 30.0) if new.metric == "do_mgl" else (0.0, 14.0)
        if not low <= manual <= high:
            raise InvalidRecord(f"manual_value: {manual} is outside {low:g}–{high:g}",
                                key="manual_range", value=manual, low=low, high=high)
        return NewMaintenance(new.kind, new.at, new.member_ids, metric=new.metric,
                              manual_value=manual, probe_value=new.probe_value,
                              probe_at=new.probe_at, note=base.note)
    return base


def _info(e: MaintenanceEntry, site: str, pond: str, device: str) -> MaintenanceInfo:
    return MaintenanceInfo(
        Kind(e.kind), e.at, tuple(m.id for m in e.members), e.buffer1, e.reading1, e.buffer2,
        e.reading2, e.temp_c, e.metric, e.manual_value, e.probe_value, e.probe_at, e.note,
        id=e.id, site=site, pond=pond, device=device, recorded_by=e.recorded_by,
        voided_at=e.voided_at, voided_by=e.voided_by, void_reason=e.void_reason)


class Maintenance:
    """Probe care entries, every lookup scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    @staticmethod
    def _device(s: Session, site: str, pond: str, device: str) -> tuple[Pond, Device]:
        row = s.execute(select(Pond, Device).join(Device, Device.pond_id == Pond.id)
                        .join(Site, Site.id == Pond.site_id)
                        .where(Site.slug == site, Pond.slug == pond, Device.slug == device)
                        ).first()
        if row is None:
            raise NotFound(f"device {device!r} not found in pond {site}/{pond}")
        return row[0], row[1]

    def add(self, site: str, pond: str, device: str, new: NewMaintenance,
            by: str) -> MaintenanceInfo:
        """Record an entry. Raises ``NotFound`` (no such device in the pond) and
        ``InvalidRecord`` (fields that cannot be true, members of another site)."""
        new = check(new)
        try:
            with self._sessions() as s, s.begin():
                p, d = self._device(s, site, pond, device)
                members = list(s.scalars(select(Member).join(Team).where(
                    Member.id.in_(new.member_ids), Team.site_id == p.site_id)))
                unknown = sorted(set(new.member_ids) - {m.id for m in members})
                if unknown:
                    raise InvalidRecord(f"members {unknown} are not members of site {site}",
                                        key="not_site_members",
                                        ids=", ".join(map(str, unknown)))
                e = MaintenanceEntry(
                    device_id=d.id, pond_id=p.id, kind=new.kind.value, at=new.at,
                    recorded_by=by[:64], buffer1=new.buffer1, reading1=new.reading1,
                    buffer2=new.buffer2, reading2=new.reading2, temp_c=new.temp_c,
                    metric=new.metric, manual_value=new.manual_value,
                    probe_value=new.probe_value, probe_at=new.probe_at, note=new.note,
                    created_at=now_ms(), members=members)
                s.add(e)
                s.flush()
                return _info(e, site, pond, device)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot record the care of {device}: {exc}") from exc

    def entries(self, site: str, pond: str, *, device: str | None = None,
                kind: Kind | None = None, voided: bool = False,
                limit: int = 100) -> list[MaintenanceInfo]:
        """A pond's entries, newest first (voided ones only when asked)."""
        q = (select(MaintenanceEntry, Device.slug).select_from(MaintenanceEntry)
             .join(Device, Device.id == MaintenanceEntry.device_id)
             .join(Pond, Pond.id == MaintenanceEntry.pond_id)
             .join(Site, Site.id == Pond.site_id)
             .where(Site.slug == site, Pond.slug == pond)
             .order_by(MaintenanceEntry.at.desc(), MaintenanceEntry.id.desc()).limit(limit))
        if device is not None:
            q = q.where(Device.slug == device)
        if kind is not None:
            q = q.where(MaintenanceEntry.kind == kind.value)
        if not voided:
            q = q.where(MaintenanceEntry.voided_at.is_(None))
        with self._sessions() as s:
            return [_info(e, site, pond, slug) for e, slug in s.execute(q).all()]

    def entry(self, site: str, entry_id: int) -> MaintenanceInfo:
        with self._sessions() as s:
            row = s.execute(select(MaintenanceEntry, Device.slug, Pond.slug)
                            .select_from(MaintenanceEntry)
                            .join(Device, Device.id == MaintenanceEntry.device_id)
                            .join(Pond, Pond.id == MaintenanceEntry.pond_id)
                            .join(Site, Site.id == Pond.site_id)
                            .where(Site.slug == site, MaintenanceEntry.id == entry_id)).first()
            if row is None:
                raise NotFound(f"maintenance entry {entry_id} not found in site {site!r}")
            return _info(row[0], site, row[2], row[1])

    def void(self, site: str, entry_id: int, by: str, reason: str) -> MaintenanceInfo:
        """Void a wrong entry (kept, no longer counted for due dates or skills)."""
        old = self.entry(site, entry_id)
        if old.voided_at is not None:
            raise InvalidRecord(f"maintenance entry {entry_id} is already voided",
                                key="already_voided")
        with self._sessions() as s, s.begin():
            e = s.get(MaintenanceEntry, entry_id)
            assert e is not None
            e.voided_at, e.voided_by, e.void_reason = now_ms(), by[:64], reason[:200]
        return self.entry(site, entry_id)

    def due(self, site: str, pond: str, metrics: Mapping[str, Set[str]],
            now: int) -> list[Due]:
        """What each device of the pond needs and when (``metrics``: device → the metrics
        it reports, from the time series), the most pressing first."""
        with self._sessions() as s:
            devices = {d.slug: d for d in s.scalars(
                select(Device).join(Pond).join(Site)
                .where(Site.slug == site, Pond.slug == pond, Device.enabled.is_(True)))}
        entries = self.entries(site, pond, limit=2000)
        out = []
        for slug, d in sorted(devices.items()):
            kinds = sorted({k for m in metrics.get(slug, ()) for k in KINDS_OF_METRIC.get(m, ())},
                           key=list(Kind).index)
            mine = [e for e in entries if e.device == slug]
            failed = max((e.at for e in mine if e.kind is Kind.DRIFT_CHECK
                          and e.drift_ok is False), default=None)
            for kind in kinds:
                last = max((e.at for e in mine if e.kind is kind), default=None)
                out.append(due(slug, kind, last, d.created_at, now, failed_drift_at=failed))
        return sorted(out, key=lambda x: (not x.overdue, x.due_at))

    def member_counts(self, site: str, member_id: int) -> Counter[Kind]:
        """How many (not voided) entries of each kind a member took part in."""
        with self._sessions() as s:
            q = (select(MaintenanceEntry.kind).select_from(MaintenanceEntry)
                 .join(MaintenanceEntry.members).join(Team, Team.id == Member.team_id)
                 .join(Site, Site.id == Team.site_id)
                 .where(Site.slug == site, Member.id == member_id,
                        MaintenanceEntry.voided_at.is_(None)))
            return Counter(Kind(k) for k in s.scalars(q))
