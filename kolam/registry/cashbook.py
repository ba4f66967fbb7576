"""A team's small business in the registry (issue #20): ``Business``, the cash book, the
stock card and the product batches of each site's teams, with what they add up to.

Each concept has its module, which ``Business`` gathers: the book's entries
(``kolam.registry.book_entries``: typed and reversed, with the farming records' money read
with them), the product batches (``kolam.registry.product_batches``) and the stock card
(``kolam.registry.stock_moves``: typed moves with the feeding logs, stockings, batches and
sales read as moves). Here: the site's month per team, each cycle's profit and loss, and a
member's business work for the skill record. Callers write the audit log
(``Users.audit``).
"""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import func, select

from kolam.business import book
from kolam.business.records import (
    CashCategory,
    CycleResult,
    Direction,
    MoveKind,
    StockKind,
)
from kolam.farming.skills import BusinessWork
from kolam.registry.business_models import (
    CashEntryRow,
    ProductBatchRow,
    StockMoveRow,
    cash_entry_members,
    product_batch_members,
    stock_move_members,
)
from kolam.registry.farm_models import Harvest, Team, harvest_members
from kolam.registry.records import LogKind
from kolam.registry.stock_moves import StockCard
from kolam.registry.teams import site_id
from kolam.timeutil import WIB, local_month


class Business(StockCard):
    """Cash books, product batches and stock cards of each site's teams; every lookup is
    scoped to a site."""

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
