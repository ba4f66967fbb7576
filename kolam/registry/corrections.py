"""Correcting the records of a cycle: nothing is erased, as in a cash book (DOMAIN.md).

A wrong log, harvest or cost is *voided*: it stays in the database with when, by whom and
why, and no longer counts (KPIs, skill records, fish alive, plausibility all skip it). A
*correction* voids the record and adds its replacement, naming the record it replaces,
in one transaction: the replacement is checked like a new record, against the cycle as
it stands without the wrong one. Voiding a final harvest reopens the cycle it ended.
Callers write the audit log (``Users.audit``) with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kolam.errors import NotFound
from kolam.registry.cycles import cost_info, cycle_row, harvest_info, log_info
from kolam.registry.db import session_factory
from kolam.registry.entries import (
    FINAL_HARVEST,
    harvest_row,
    insert_harvest,
    insert_log,
    log_row,
)
from kolam.registry.farm_models import Cost, Cycle, Harvest, LogEntry
from kolam.registry.models import Pond, Site
from kolam.registry.records import (
    CostInfo,
    HarvestInfo,
    InvalidRecord,
    LogInfo,
    NewCost,
    NewHarvest,
    NewLog,
)
from kolam.timeutil import iso, now_ms

REASON_MAX = 200
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Corrected(Generic[T]):
    """The voided record and the one that replaces it (``None`` when only voided)."""

    old: T
    new: T | None


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidRecord("a correction needs a reason", key="reason_required")
    return text[:REASON_MAX]


def _void(row: LogEntry | Harvest | Cost, by: str, reason: str, what: str) -> None:
    if row.voided_at is not None:
        raise InvalidRecord(f"{what} {row.id} was already voided {iso(row.voided_at)} "
                            f"by {row.voided_by}", key="already_voided")
    row.voided_at, row.voided_by, row.void_reason = now_ms(), by, reason


def _reopen(s: Session, c: Cycle, h: Harvest) -> None:
    """A voided final harvest no longer ends its cycle (unless the pond moved on)."""
    if not h.final or c.ended_at != h.at or c.end_reason != FINAL_HARVEST:
        return
    other = s.scalar(select(Cycle.id).where(Cycle.pond_id == c.pond_id, Cycle.id != c.id,
                                            Cycle.stocked_at >= h.at))
    if other is not None:
        raise InvalidRecord(f"the pond was stocked again (cycle {other}) after this final "
                            "harvest: it cannot be voided", key="pond_restocked")
    c.ended_at, c.end_reason = None, None


class Corrections:
    """Voids and corrects logs, harvests and costs; every lookup is scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def void_log(self, site: str, log_id: int, by: str, reason: str, *,
                 own_since: int | None = None) -> LogInfo:
        """Void a log. ``own_since``: only if ``by`` recorded it at or after that time
        (the kiosk's undo of what it just saved)."""
        why = _reason(reason)
        with self._sessions() as s, s.begin():
            e = log_row(s, site, log_id)
            if own_since is not None and (e.recorded_by != by or e.created_at < own_since):
                raise InvalidRecord(f"log {log_id} can no longer be undone here: ask an "
                                    "officer to correct it", key="undo_too_late")
            _void(e, by, why, "log")
            s.flush()
            return log_info(e)

    def correct_log(self, site: str, log_id: int, new: NewLog, by: str, reason: str, *,
                    confirmed: bool = False) -> Corrected[LogInfo]:
        """Void a log and add ``new`` in its place (same cycle, same kind)."""
        why = _reason(reason)
        with self._sessions() as s, s.begin():
            e = log_row(s, site, log_id)
            if new.kind.value != e.kind:
                raise InvalidRecord(f"a correction keeps the kind ({e.kind}): void the log "
                                    "and add a new one instead", key="kind_changed")
            _void(e, by, f"corrected: {why}", "log")
            s.flush()
            c = cycle_row(s, site, e.cycle_id)
            replacement = insert_log(s, c, new, by, confirmed, replaces=e.id)
            return Corrected(log_info(e), log_info(replacement))

    def void_harvest(self, site: str, harvest_id: int, by: str, reason: str) -> HarvestInfo:
        """Void a harvest; a voided final harvest reopens the cycle it ended."""
        why = _reason(reason)
        with self._sessions() as s, s.begin():
            h = harvest_row(s, site, harvest_id)
            _void(h, by, why, "harvest")
            _reopen(s, cycle_row(s, site, h.cycle_id), h)
            s.flush()
            return harvest_info(h)

    def correct_harvest(self, site: str, harvest_id: int, new: NewHarvest, by: str,
                        reason: str, *, confirmed: bool = False) -> Corrected[HarvestInfo]:
        why = _reason(reason)
        with self._sessions() as s, s.begin():
            h = harvest_row(s, site, harvest_id)
            _void(h, by, f"corrected: {why}", "harvest")
            c = cycle_row(s, site, h.cycle_id)
            _reopen(s, c, h)
            if c.ended_at is not None:
                raise InvalidRecord(f"cycle {c.id} ended {iso(c.ended_at)}: no more harvests "
                                    "on it", key="cycle_ended")
            s.flush()
            replacement = insert_harvest(s, c, new, by, confirmed, replaces=h.id)
            return Corrected(harvest_info(h), harvest_info(replacement))

    def void_cost(self, site: str, cost_id: int, by: str, reason: str) -> CostInfo:
        why = _reason(reason)
        with self._sessions() as s, s.begin():
            cost = _cost_row(s, site, cost_id)
            _void(cost, by, why, "cost")
            s.flush()
            return cost_info(cost)

    def correct_cost(self, site: str, cost_id: int, new: NewCost, by: str,
                     reason: str) -> Corrected[CostInfo]:
        why = _reason(reason)
        if new.amount_rp <= 0:
            raise InvalidRecord(f"a cost must be more than Rp 0 (got {new.amount_rp})")
        with self._sessions() as s, s.begin():
            cost = _cost_row(s, site, cost_id)
            _void(cost, by, f"corrected: {why}", "cost")
            replacement = Cost(cycle_id=cost.cycle_id, at=new.at, category=new.category.value,
                               amount_rp=new.amount_rp, description=new.description,
                               recorded_by=by, created_at=now_ms(), replaces_id=cost.id)
            s.add(replacement)
            s.flush()
            return Corrected(cost_info(cost), cost_info(replacement))


def _cost_row(s: Session, site: str, cost_id: int) -> Cost:
    row = s.scalar(select(Cost).join(Cycle).join(Pond).join(Site)
                   .where(Site.slug == site, Cost.id == cost_id))
    if row is None:
        raise NotFound(f"no cost {cost_id} at site {site!r}")
    return row
