"""A team's cash book entries in the registry (issue #20): writing, reversing, reading.

What is typed is stored (``cash_entries``); what the farming records already hold (harvest
sales, cycle costs and seed costs) is read with it (``kolam.business.book.derived_lines``).
Book entries are never changed: a reversal is a new entry, the other direction, the same
amount and category, naming the entry it cancels and why. Callers write the audit log
(``Users.audit``). The stock card (``kolam.registry.stock_moves``) and the product batches
(``kolam.registry.product_batches``) build on this; ``kolam.registry.cashbook.Business``
is all of them.
"""

from __future__ import annotations

import math
from datetime import tzinfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from kolam.business import book
from kolam.business.plausible import check_entry
from kolam.business.records import (
    CashCategory,
    CashEntry,
    Direction,
    MonthSummary,
    NewCashEntry,
    Source,
)
from kolam.errors import Implausible, InvalidRecord, NotFound
from kolam.registry.business_models import CashEntryRow
from kolam.registry.cycles import FUTURE_SLACK_MS, Cycles
from kolam.registry.db import session_factory
from kolam.registry.farm_models import Cycle, Member, Team
from kolam.registry.records import CycleRecords
from kolam.registry.teams import team_row
from kolam.timeutil import WIB, iso, now_ms

REASON_MAX = 200


def entry_info(e: CashEntryRow, reversed_by: int | None = None) -> CashEntry:
    return CashEntry(e.id, e.team_id, e.at, Direction(e.direction), CashCategory(e.category),
                     e.amount_rp, e.quantity, e.unit, e.counterparty, e.note,
                     tuple(m.id for m in e.members), e.cycle_id, Source.BOOK, None,
                     e.recorded_by, e.reverses, e.reason, reversed_by,
                     e.product)


def team_members(s: Session, team: Team, ids: tuple[int, ...]) -> list[Member]:
    """The members ``ids``, each checked to be of ``team``."""
    found = list(s.scalars(select(Member).where(Member.id.in_(ids),
                                                Member.team_id == team.id)))
    unknown = sorted(set(ids) - {m.id for m in found})
    if unknown:
        raise InvalidRecord(f"members {unknown} are not in team {team.id}",
                            key="not_team_members", ids=", ".join(map(str, unknown)))
    return found


def check_when(team: Team, at: int) -> None:
    if at > now_ms() + FUTURE_SLACK_MS:
        raise InvalidRecord(f"an entry dated {iso(at)} is in the future", key="in_future")
    if at < team.starts_at:
        raise InvalidRecord(f"team {team.name!r} started {iso(team.starts_at)}: nothing "
                            "before that goes in its book", key="before_team")


def _check_cycle(s: Session, team: Team, cycle_id: int | None) -> None:
    if cycle_id is None:
        return
    c = s.get(Cycle, cycle_id)
    if c is None or c.team_id != team.id:
        raise InvalidRecord(f"cycle {cycle_id} is not a cycle of team {team.id}",
                            key="not_team_cycle", cycle=cycle_id)


def insert_entry(s: Session, team: Team, new: NewCashEntry, by: str,
                 confirmed: bool) -> CashEntryRow:
    """Check and add a book entry in session ``s``; an implausible one only ``confirmed``."""
    if not math.isfinite(new.amount_rp) or new.amount_rp <= 0:
        raise InvalidRecord(f"an amount must be more than Rp 0 (got {new.amount_rp})")
    if new.quantity is not None and (not math.isfinite(new.quantity) or new.quantity <= 0):
        raise InvalidRecord("a quantity must be more than 0")
    check_when(team, new.at)
    _check_cycle(s, team, new.cycle_id)
    doubt = check_entry(new)
    if doubt is not None and not (confirmed and isinstance(doubt, Implausible)):
        raise doubt
    row = CashEntryRow(team_id=team.id, cycle_id=new.cycle_id, at=new.at,
                       direction=new.direction.value, category=new.category.value,
                       amount_rp=new.amount_rp, quantity=new.quantity,
                       unit=(new.unit or "").strip() or None,
                       counterparty=new.counterparty.strip(), note=new.note.strip(),
                       recorded_by=by, created_at=now_ms(),
                       product=" ".join((new.product or "").split())[:100] or None,
                       members=team_members(s, team, new.member_ids))
    s.add(row)
    s.flush()
    return row


class BookEntries:
    """The cash books of each site's teams; every lookup is scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._cycles = Cycles(engine)

    def add_entry(self, site: str, team_id: int, new: NewCashEntry, by: str, *,
                  confirmed: bool = False) -> CashEntry:
        """Write an entry; an implausible one (``kolam.business.plausible``) only
        ``confirmed``."""
        with self._sessions() as s, s.begin():
            return entry_info(insert_entry(s, team_row(s, site, team_id), new, by, confirmed))

    def reverse(self, site: str, team_id: int, entry_id: int, at: int, by: str,
                reason: str) -> CashEntry:
        """Cancel a book entry by a new one the other way (never an edit)."""
        why = reason.strip()[:REASON_MAX]
        if not why:
            raise InvalidRecord("a correction needs a reason", key="reason_required")
        with self._sessions() as s, s.begin():
            team = team_row(s, site, team_id)
            old = s.scalar(select(CashEntryRow).where(CashEntryRow.id == entry_id,
                                                      CashEntryRow.team_id == team.id))
            if old is None:
                raise NotFound(f"no book entry {entry_id} in team {team_id}")
            if old.reverses is not None:
                raise InvalidRecord(f"entry {entry_id} is itself a correction: add a new "
                                    "entry instead", key="reverse_reversal")
            done = s.scalar(select(CashEntryRow.id).where(CashEntryRow.reverses == old.id))
            if done is not None:
                raise InvalidRecord(f"entry {entry_id} was already reversed by entry {done}",
                                    key="already_reversed", entry=done)
            check_when(team, at)
            row = CashEntryRow(
                team_id=team.id, cycle_id=old.cycle_id, at=max(at, old.at),
                direction=(Direction.OUT if old.direction == Direction.IN.value
                           else Direction.IN).value,
                category=old.category, amount_rp=old.amount_rp, quantity=old.quantity,
                unit=old.unit, counterparty=old.counterparty,
                note=f"koreksi entri {old.id}: {why}", recorded_by=by, created_at=now_ms(),
                reverses=old.id, reason=why, product=old.product, members=list(old.members))
            s.add(row)
            s.flush()
            return entry_info(row)

    def _records(self, site: str, team_id: int) -> list[CycleRecords]:
        return [self._cycles.records(site, c.id)
                for c in self._cycles.cycles(site, team_id=team_id)]

    def typed_entries(self, site: str, team_id: int) -> list[CashEntry]:
        with self._sessions() as s:
            team = team_row(s, site, team_id)
            rows = list(s.scalars(select(CashEntryRow).where(CashEntryRow.team_id == team.id)
                                  .options(selectinload(CashEntryRow.members))))
            by = {r.reverses: r.id for r in rows if r.reverses is not None}
            return [entry_info(r, by.get(r.id)) for r in rows]

    def entry(self, site: str, team_id: int, entry_id: int) -> CashEntry:
        for e in self.typed_entries(site, team_id):
            if e.id == entry_id:
                return e
        raise NotFound(f"no book entry {entry_id} in team {team_id}")

    def lines(self, site: str, team_id: int) -> list[CashEntry]:
        """The whole book, oldest first: typed entries and the farming records' money."""
        typed = self.typed_entries(site, team_id)
        return book.ordered(typed + book.derived_lines(team_id, self._records(site, team_id)))

    def summary(self, site: str, team_id: int, month: str, tz: tzinfo = WIB) -> MonthSummary:
        return book.month_summary(team_id, self.lines(site, team_id), month, tz)
