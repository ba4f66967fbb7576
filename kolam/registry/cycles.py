"""Grow-out cycles (siklus): stocking, reading back with their records, ending."""

from __future__ import annotations

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kolam.errors import NotFound
from kolam.registry.db import one, session_factory
from kolam.registry.farm_models import Cost, Cycle, Harvest, LogEntry, Team
from kolam.registry.fields import columns, from_row
from kolam.registry.models import Pond, Site
from kolam.registry.records import (
    CostInfo,
    CycleInfo,
    CycleRecords,
    HarvestInfo,
    InvalidRecord,
    LogInfo,
    NewCycle,
)
from kolam.registry.teams import team_row
from kolam.timeutil import iso, now_ms

FUTURE_SLACK_MS = 3_600_000
"""How far ahead of the server clock a record may be dated (clock skew, time zones)."""


def pond_row(s: Session, site: str, pond: str) -> Pond:
    return one(s, select(Pond).join(Site).where(Site.slug == site, Pond.slug == pond),
               f"no pond {pond!r} at site {site!r}")


def cycle_row(s: Session, site: str, cycle_id: int) -> Cycle:
    return one(s, select(Cycle).join(Pond).join(Site)
               .where(Site.slug == site, Cycle.id == cycle_id),
               f"no cycle {cycle_id} at site {site!r}")


def _select_infos() -> Select[Cycle, str, str, str]:
    return (select(Cycle, Pond.slug, Site.slug, Team.name)
            .join(Pond, Cycle.pond_id == Pond.id).join(Site, Pond.site_id == Site.id)
            .join(Team, Cycle.team_id == Team.id))


def _info(c: Cycle, pond: str, site: str, team: str) -> CycleInfo:
    return from_row(CycleInfo, c, site=site, pond=pond, team_name=team)


def log_info(e: LogEntry) -> LogInfo:
    ids = tuple(m.id for m in e.members)
    if e.member_id is not None and e.member_id not in ids:
        ids = (e.member_id, *ids)
    return from_row(LogInfo, e, member_ids=ids)


def harvest_info(h: Harvest) -> HarvestInfo:
    return from_row(HarvestInfo, h, member_ids=tuple(m.id for m in h.members))


def cost_info(c: Cost) -> CostInfo:
    return from_row(CostInfo, c)


class Cycles:
    """Cycles of each site; every lookup is scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def start(self, site: str, pond: str, new: NewCycle) -> CycleInfo:
        """Stock a pond. Refused while the pond has an active cycle."""
        if new.seed_count <= 0:
            raise InvalidRecord("seed count must be at least 1 fish")
        if new.seed_weight_g <= 0:
            raise InvalidRecord("seed weight must be more than 0 g")
        if new.seed_length_cm is not None and new.seed_length_cm <= 0:
            raise InvalidRecord("seed length must be more than 0 cm")
        if new.seed_cost_rp < 0:
            raise InvalidRecord("seed cost cannot be negative")
        if new.target_fish_per_kg <= 0:
            raise InvalidRecord("target size must be more than 0 fish/kg")
        if new.stocked_at > now_ms() + FUTURE_SLACK_MS:
            raise InvalidRecord(f"stocking date {iso(new.stocked_at)} is in the future")
        try:
            with self._sessions() as s, s.begin():
                p = pond_row(s, site, pond)
                team = team_row(s, site, new.team_id)
                if team.ends_at is not None and team.ends_at < new.stocked_at:
                    raise InvalidRecord(f"team {team.name!r} ended {iso(team.ends_at)}, "
                                        "before this stocking")
                active = s.scalar(select(Cycle).where(Cycle.pond_id == p.id,
                                                      Cycle.ended_at.is_(None)))
                if active is not None:
                    raise InvalidRecord(
                        f"pond {pond!r} already has an active cycle (#{active.id}, stocked "
                        f"{iso(active.stocked_at)}): finish it with a final harvest first",
                        key="active_cycle")
                last_end = s.scalar(select(Cycle.ended_at).where(Cycle.pond_id == p.id)
                                    .order_by(Cycle.ended_at.desc()).limit(1))
                if last_end is not None and new.stocked_at < last_end:
                    raise InvalidRecord(f"pond {pond!r} had a cycle until {iso(last_end)}: "
                                        "a new one cannot be stocked before that")
                c = Cycle(**columns(new), pond_id=p.id, created_at=now_ms())
                s.add(c)
                s.flush()
                return _info(c, pond, site, team.name)
        except IntegrityError as exc:
            # Another request stocked the pond between our check and our insert.
            raise InvalidRecord(f"pond {pond!r} already has an active cycle",
                                key="active_cycle") from exc

    def end(self, site: str, cycle_id: int, at: int, reason: str) -> CycleInfo:
        """End a cycle without a final harvest (total loss, pond repairs)."""
        with self._sessions() as s, s.begin():
            c = cycle_row(s, site, cycle_id)
            if c.ended_at is not None:
                raise InvalidRecord(f"cycle {cycle_id} already ended {iso(c.ended_at)}")
            last = s.scalar(select(LogEntry.at).where(LogEntry.cycle_id == c.id,
                                                      LogEntry.voided_at.is_(None))
                            .order_by(LogEntry.at.desc()).limit(1))
            if at < max(c.stocked_at, last or 0):
                raise InvalidRecord(f"cycle {cycle_id} has records until "
                                    f"{iso(max(c.stocked_at, last or 0))}: it cannot end before")
            c.ended_at, c.end_reason = at, reason.strip() or "ended"
        return self.cycle(site, cycle_id)

    def cycles(self, site: str, *, pond: str | None = None, team_id: int | None = None,
               active: bool | None = None) -> list[CycleInfo]:
        with self._sessions() as s:
            q = _select_infos().where(Site.slug == site)
            if pond is not None:
                pond_row(s, site, pond)
                q = q.where(Pond.slug == pond)
            if team_id is not None:
                q = q.where(Cycle.team_id == team_id)
            if active is not None:
                q = q.where(Cycle.ended_at.is_(None) if active else Cycle.ended_at.is_not(None))
            return [_info(*row) for row in s.execute(q.order_by(Cycle.stocked_at.desc(),
                                                                 Cycle.id.desc()))]

    def cycle(self, site: str, cycle_id: int) -> CycleInfo:
        with self._sessions() as s:
            row = s.execute(_select_infos().where(Site.slug == site, Cycle.id == cycle_id)
                            ).first()
            if row is None:
                raise NotFound(f"no cycle {cycle_id} at site {site!r}")
            return _info(*row)

    def active_cycle(self, site: str, pond: str) -> CycleInfo | None:
        found = self.cycles(site, pond=pond, active=True)
        return found[0] if found else None

    def records(self, site: str, cycle_id: int, *,
                include_voided: bool = False) -> CycleRecords:
        """The cycle with its logs, harvests and costs, each oldest first; voided records
        (wrong, or replaced by a correction) only ``include_voided``, for the history."""
        cycle = self.cycle(site, cycle_id)
        with self._sessions() as s:
            lq = select(LogEntry).where(LogEntry.cycle_id == cycle_id)
            hq = select(Harvest).where(Harvest.cycle_id == cycle_id)
            cq = select(Cost).where(Cost.cycle_id == cycle_id)
            if not include_voided:
                lq = lq.where(LogEntry.voided_at.is_(None))
                hq = hq.where(Harvest.voided_at.is_(None))
                cq = cq.where(Cost.voided_at.is_(None))
            logs = s.scalars(lq.options(selectinload(LogEntry.members))
                             .order_by(LogEntry.at, LogEntry.id))
            harvests = s.scalars(hq.order_by(Harvest.at, Harvest.id))
            costs = s.scalars(cq.order_by(Cost.at, Cost.id))
            return CycleRecords(cycle, tuple(log_info(e) for e in logs),
                                tuple(harvest_info(h) for h in harvests),
                                tuple(cost_info(c) for c in costs))
