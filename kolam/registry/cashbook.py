"""A team's cash book and stock card in the registry (issue #20).

What is typed is stored (``cash_entries``, ``stock_moves``); what the farming records
already hold is read with them: harvest sales, cycle costs and seed costs into the book
(``kolam.business.book.derived_lines``), feeding logs out of the feed stock
(``kolam.business.stock.feeding_moves``). Book entries are never changed: a reversal is a
new entry, the other direction, the same amount and category, naming the entry it
cancels and why. Callers write the audit log (``Users.audit``).
"""

from __future__ import annotations

import math
from datetime import tzinfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from kolam.business import book, products, stock
from kolam.business.plausible import SACK_UNITS, check_entry
from kolam.business.records import (
    Batch,
    CashCategory,
    CashEntry,
    CycleResult,
    Direction,
    FeedLeft,
    MonthSummary,
    MoveKind,
    NewBatch,
    NewCashEntry,
    NewStockMove,
    ProductResult,
    Source,
    StockKind,
    StockLine,
    StockMove,
    TeamMonth,
)
from kolam.errors import Implausible, InvalidRecord, NotFound
from kolam.farming.kpi import cycle_kpis
from kolam.farming.skills import BusinessWork
from kolam.registry.business_models import (
    CashEntryRow,
    ProductBatchRow,
    StockMoveRow,
    cash_entry_members,
    product_batch_members,
    stock_move_members,
)
from kolam.registry.cycles import FUTURE_SLACK_MS, Cycles
from kolam.registry.db import session_factory
from kolam.registry.farm_models import Cycle, Harvest, Member, Team, harvest_members
from kolam.registry.records import CycleRecords, LogKind
from kolam.registry.teams import Teams, site_id, team_row
from kolam.timeutil import WIB, iso, local_month, now_ms

REASON_MAX = 200
DEFAULT_SACK_KG = 30.0
"""DOMAIN.md: feed comes in 30 kg sacks."""
PAID_CATEGORY = {StockKind.FEED: CashCategory.FEED, StockKind.SEED: CashCategory.SEED,
                 StockKind.MEDICINE: CashCategory.MEDICINE,
                 StockKind.PACKAGING: CashCategory.OTHER, StockKind.PRODUCT: CashCategory.OTHER}
"""The book category of a paid delivery."""


def _entry(e: CashEntryRow, reversed_by: int | None = None) -> CashEntry:
    return CashEntry(e.id, e.team_id, e.at, Direction(e.direction), CashCategory(e.category),
                     e.amount_rp, e.quantity, e.unit, e.counterparty, e.note,
                     tuple(m.id for m in e.members), e.cycle_id, Source.BOOK, None,
                     e.recorded_by, e.reverses, e.reason, reversed_by,
                     e.product)


def _move(m: StockMoveRow) -> StockMove:
    return StockMove(m.id, m.team_id, m.at, MoveKind(m.kind), StockKind(m.item_kind), m.item,
                     m.quantity, m.unit, m.protein_pct, m.sack_kg, m.cash_entry_id, m.note,
                     tuple(x.id for x in m.members), m.recorded_by, "stock", None)


def _batch(b: ProductBatchRow) -> Batch:
    return Batch(b.id, b.team_id, b.at, b.product, b.harvest_id, b.fish_kg, b.fish_rp,
                 b.inputs_rp, b.packs, (b.fish_rp + b.inputs_rp) / b.packs, b.note,
                 tuple(m.id for m in b.members), b.recorded_by)


def _members(s: Session, team: Team, ids: tuple[int, ...]) -> list[Member]:
    found = list(s.scalars(select(Member).where(Member.id.in_(ids),
                                                Member.team_id == team.id)))
    unknown = sorted(set(ids) - {m.id for m in found})
    if unknown:
        raise InvalidRecord(f"members {unknown} are not in team {team.id}",
                            key="not_team_members", ids=", ".join(map(str, unknown)))
    return found


def _check_when(team: Team, at: int) -> None:
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


def _insert_entry(s: Session, team: Team, new: NewCashEntry, by: str,
                  confirmed: bool) -> CashEntryRow:
    if not math.isfinite(new.amount_rp) or new.amount_rp <= 0:
        raise InvalidRecord(f"an amount must be more than Rp 0 (got {new.amount_rp})")
    if new.quantity is not None and (not math.isfinite(new.quantity) or new.quantity <= 0):
        raise InvalidRecord("a quantity must be more than 0")
    _check_when(team, new.at)
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
                       members=_members(s, team, new.member_ids))
    s.add(row)
    s.flush()
    return row


class Business:
    """Cash books and stock cards of each site's teams; every lookup is scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._cycles = Cycles(engine)

    # --- the cash book ----------------------------------------------------------------

    def add_entry(self, site: str, team_id: int, new: NewCashEntry, by: str, *,
                  confirmed: bool = False) -> CashEntry:
        """Write an entry; an implausible one (``kolam.business.plausible``) only
        ``confirmed``."""
        with self._sessions() as s, s.begin():
            return _entry(_insert_entry(s, team_row(s, site, team_id), new, by, confirmed))

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
            _check_when(team, at)
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
            return _entry(row)

    def _records(self, site: str, team_id: int) -> list[CycleRecords]:
        return [self._cycles.records(site, c.id)
                for c in self._cycles.cycles(site, team_id=team_id)]

    def typed_entries(self, site: str, team_id: int) -> list[CashEntry]:
        with self._sessions() as s:
            team = team_row(s, site, team_id)
            rows = list(s.scalars(select(CashEntryRow).where(CashEntryRow.team_id == team.id)
                                  .options(selectinload(CashEntryRow.members))))
            by = {r.reverses: r.id for r in rows if r.reverses is not None}
            return [_entry(r, by.get(r.id)) for r in rows]

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

    def site_month(self, site: str, month: str, tz: tzinfo = WIB) -> list[TeamMonth]:
        """Each team's month of business at the site (teams with lines in the month)."""
        out = []
        for team in Teams(self._engine).teams(site):
            s = self.summary(site, team.id, month, tz)
            if not s.entries:
                continue
            cats = {c.category: c for c in s.by_category}
            sales = [cats[c].in_rp if c in cats else 0.0
                     for c in (CashCategory.PRODUCT_SALES, CashCategory.FISH_SALES)]
            out.append(TeamMonth(team.id, team.name, s.in_rp, s.out_rp, s.profit_rp,
                                 s.closing_rp, sales[0], sales[1]))
        return out

    def cycle_results(self, site: str, team_id: int) -> list[CycleResult]:
        """Each cycle's profit and loss, with the feed it used from the stock card at the
        average price paid per kg of feed delivered (``kolam.business.book``)."""
        ponds = {c.id: c.pond for c in self._cycles.cycles(site, team_id=team_id)}
        entries = {e.id: e for e in self.typed_entries(site, team_id)}
        moves = [m for m in self.moves(site, team_id) if m.item_kind is StockKind.FEED]
        paid = [(m.quantity, entries[m.cash_entry_id].amount_rp) for m in moves
                if m.source == "stock" and m.cash_entry_id in entries
                and entries[m.cash_entry_id].reversed_by is None]
        kg_paid = sum(kg for kg, _ in paid)
        feed_rp: dict[int, float] = {}
        if kg_paid > 0 and any(m.source == "feeding" for m in moves):
            per_kg = sum(rp for _, rp in paid) / kg_paid
            for r in self._records(site, team_id):
                feed_rp[r.cycle.id] = per_kg * sum(
                    e.feed_kg or 0.0 for e in r.logs if e.kind is LogKind.FEEDING)
        return book.cycle_results(self.lines(site, team_id), ponds, feed_rp)

    # --- the stock card ---------------------------------------------------------------

    def add_move(self, site: str, team_id: int, new: NewStockMove, by: str, *,
                 confirmed: bool = False) -> StockMove:
        """A delivery, a use or a count. Feed is kept in kg: a quantity in sacks is
        multiplied by ``sack_kg`` (30 kg unless given). A delivery ``paid_rp`` is also
        written to the book (out, its category), in the same transaction."""
        item = " ".join(new.item.split())
        if not item:
            raise InvalidRecord("a stock item needs a name", key="item_required")
        if not math.isfinite(new.quantity) or new.quantity < 0 or (
                new.quantity == 0 and new.kind is not MoveKind.COUNT):
            raise InvalidRecord("a quantity must be more than 0 (a count may be 0)")
        quantity, unit, sack_kg = new.quantity, new.unit.strip() or "unit", None
        if new.item_kind is StockKind.FEED:
            sack_kg = new.sack_kg or DEFAULT_SACK_KG
            if unit.casefold() in SACK_UNITS:
                quantity, unit = quantity * sack_kg, "kg"
            elif unit.casefold() != "kg":
                raise InvalidRecord(f"feed is counted in kg or sacks, not {unit!r}",
                                    key="feed_unit", unit=unit)
        if new.paid_rp is not None and new.kind is not MoveKind.DELIVERY:
            raise InvalidRecord("only a delivery is paid for", key="paid_not_delivery")
        with self._sessions() as s, s.begin():
            team = team_row(s, site, team_id)
            _check_when(team, new.at)
            paid = None
            if new.paid_rp is not None:
                paid = _insert_entry(s, team, NewCashEntry(
                    new.at, Direction.OUT, PAID_CATEGORY[new.item_kind], new.paid_rp,
                    quantity, unit, new.counterparty, f"{item} ({new.note})" if new.note
                    else item, new.member_ids), by, confirmed)
            row = StockMoveRow(team_id=team.id, at=new.at, kind=new.kind.value,
                               item_kind=new.item_kind.value, item=item, quantity=quantity,
                               unit=unit, protein_pct=new.protein_pct, sack_kg=sack_kg,
                               cash_entry_id=paid.id if paid is not None else None,
                               note=new.note.strip(), recorded_by=by, created_at=now_ms(),
                               members=_members(s, team, new.member_ids))
            s.add(row)
            s.flush()
            return _move(row)

    def moves(self, site: str, team_id: int) -> list[StockMove]:
        """Every move of the card, typed and read from the feeding logs, unordered."""
        with self._sessions() as s:
            team = team_row(s, site, team_id)
            typed = [_move(m) for m in s.scalars(
                select(StockMoveRow).where(StockMoveRow.team_id == team.id)
                .options(selectinload(StockMoveRow.members)))]
        return (typed + stock.feeding_moves(team_id, self._records(site, team_id), typed)
                + products.product_moves(team_id, self.batches(site, team_id),
                                         self.typed_entries(site, team_id)))

    def stock(self, site: str, team_id: int, until: int | None = None
              ) -> tuple[list[StockLine], list[StockMove]]:
        """The card's lines and its moves oldest first (counts with their adjustment)."""
        return stock.stock_card(self.moves(site, team_id), until)

    # --- processed products -------------------------------------------------------------

    def add_batch(self, site: str, team_id: int, new: NewBatch, by: str) -> Batch:
        """A production batch; its fish from one of the team's harvests (valued at that
        harvest's price unless ``fish_rp`` is given); paid inputs also go in the book."""
        product = " ".join(new.product.split())[:100]
        if not product:
            raise InvalidRecord("a batch needs a product", key="item_required")
        for name, v in (("fish_kg", new.fish_kg), ("packs", new.packs)):
            if not math.isfinite(v) or v <= 0:
                raise InvalidRecord(f"{name} must be more than 0")
        if not math.isfinite(new.inputs_rp) or new.inputs_rp < 0 or (
                new.fish_rp is not None and (not math.isfinite(new.fish_rp) or new.fish_rp < 0)):
            raise InvalidRecord("amounts cannot be negative")
        with self._sessions() as s, s.begin():
            team = team_row(s, site, team_id)
            _check_when(team, new.at)
            fish_rp = new.fish_rp
            if new.harvest_id is not None:
                h = s.scalar(select(Harvest).join(Cycle).where(
                    Harvest.id == new.harvest_id, Cycle.team_id == team.id,
                    Harvest.voided_at.is_(None)))
                if h is None:
                    raise InvalidRecord(f"harvest {new.harvest_id} is not a harvest of team "
                                        f"{team.id}", key="not_team_cycle",
                                        cycle=new.harvest_id)
                if new.fish_kg > h.kg:
                    raise InvalidRecord(f"{new.fish_kg:g} kg is more than the harvest's "
                                        f"{h.kg:g} kg")
                fish_rp = fish_rp if fish_rp is not None else new.fish_kg * h.price_per_kg_rp
            if new.inputs_paid and new.inputs_rp > 0:
                _insert_entry(s, team, NewCashEntry(
                    new.at, Direction.OUT, CashCategory.OTHER, new.inputs_rp, None, None, "",
                    f"bahan {product}", new.member_ids), by, True)
            row = ProductBatchRow(team_id=team.id, at=new.at, product=product,
                                  harvest_id=new.harvest_id, fish_kg=new.fish_kg,
                                  fish_rp=fish_rp or 0.0, inputs_rp=new.inputs_rp,
                                  packs=new.packs, note=new.note.strip(), recorded_by=by,
                                  created_at=now_ms(), members=_members(s, team, new.member_ids))
            s.add(row)
            s.flush()
            return _batch(row)

    def batches(self, site: str, team_id: int) -> list[Batch]:
        with self._sessions() as s:
            team = team_row(s, site, team_id)
            return [_batch(b) for b in s.scalars(
                select(ProductBatchRow).where(ProductBatchRow.team_id == team.id)
                .options(selectinload(ProductBatchRow.members))
                .order_by(ProductBatchRow.at, ProductBatchRow.id))]

    def products(self, site: str, team_id: int) -> list[ProductResult]:
        return products.product_results(self.batches(site, team_id),
                                        self.typed_entries(site, team_id))

    def ration_kg_per_day(self, site: str, team_id: int, now: int) -> float:
        """Today's ration of the team's active cycles, by the feeding table (the KPIs)."""
        total = 0.0
        for c in self._cycles.cycles(site, team_id=team_id, active=True):
            today = cycle_kpis(self._cycles.records(site, c.id), now).feed_today
            total += today.kg_per_day if today is not None else 0.0
        return total

    def feed_left(self, site: str, team_id: int, now: int) -> FeedLeft:
        lines, _ = self.stock(site, team_id, now)
        return stock.feed_left(lines, self.ration_kg_per_day(site, team_id, now), now)

    # --- the skill record ---------------------------------------------------------------

    def member_work(self, site: str, member_id: int, now: int,
                    tz: tzinfo = WIB) -> BusinessWork:
        """What a member did in the team's business: book entries (neither reversed nor a
        reversal), sales (money in from sales, and harvests sold), stock counts, and the
        past months in which they kept the book."""
        with self._sessions() as s:
            sid = site_id(s, site)
            reversed_ids = select(CashEntryRow.reverses).where(CashEntryRow.reverses.is_not(None))
            rows = s.execute(
                select(CashEntryRow.at, CashEntryRow.direction, CashEntryRow.category)
                .join(cash_entry_members, cash_entry_members.c.entry_id == CashEntryRow.id)
                .join(Team, Team.id == CashEntryRow.team_id)
                .where(cash_entry_members.c.member_id == member_id,
                       Team.site_id == sid,
                       CashEntryRow.reverses.is_(None),
                       CashEntryRow.id.not_in(reversed_ids))).all()
            counts = s.execute(
                select(StockMoveRow.at)
                .join(stock_move_members, stock_move_members.c.move_id == StockMoveRow.id)
                .join(Team, Team.id == StockMoveRow.team_id)
                .where(stock_move_members.c.member_id == member_id,
                       Team.site_id == sid,
                       StockMoveRow.kind == MoveKind.COUNT.value)).all()
            harvests_sold = s.scalar(
                select(func.count()).select_from(Harvest)
                .join(harvest_members, harvest_members.c.harvest_id == Harvest.id)
                .where(harvest_members.c.member_id == member_id, Harvest.voided_at.is_(None),
                       Harvest.price_per_kg_rp > 0)) or 0
            batches = s.scalar(
                select(func.count()).select_from(ProductBatchRow)
                .join(product_batch_members,
                      product_batch_members.c.batch_id == ProductBatchRow.id)
                .join(Team, Team.id == ProductBatchRow.team_id)
                .where(product_batch_members.c.member_id == member_id,
                       Team.site_id == sid)) or 0
        sales = {CashCategory.FISH_SALES.value, CashCategory.PRODUCT_SALES.value}
        this_month = local_month(now, tz)
        months = {local_month(int(r[0]), tz) for r in (*rows, *counts)}
        sold = sum(1 for r in rows if r[1] == Direction.IN.value and r[2] in sales)
        return BusinessWork(len(rows), sold + int(harvests_sold), len(counts),
                            sum(1 for m in months if m < this_month), int(batches))
