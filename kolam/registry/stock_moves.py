"""A team's stock card in the registry (issue #20 item 2).

What is typed is stored (``stock_moves``: deliveries, uses, counts); what other records
already hold is read with it, never typed twice: feeding logs out of the feed
(``kolam.business.stock.feeding_moves``), stockings out of the seed fish
(``kolam.business.stock.seed_moves``), product batches in and product sales out
(``kolam.business.products.product_moves``). A record that drops out (a voided feeding
log, a reversed sale) takes its move with it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kolam.business import products, stock
from kolam.business.plausible import SACK_UNITS
from kolam.business.records import (
    CashCategory,
    Direction,
    FeedLeft,
    MoveKind,
    NewCashEntry,
    NewStockMove,
    Stocking,
    StockKind,
    StockLine,
    StockMove,
)
from kolam.errors import InvalidRecord
from kolam.farming.kpi import cycle_kpis
from kolam.registry.book_entries import check_when, insert_entry, team_members
from kolam.registry.business_models import StockMoveRow
from kolam.registry.farm_models import Cycle
from kolam.registry.models import Pond
from kolam.registry.product_batches import ProductBatches
from kolam.registry.teams import team_row
from kolam.timeutil import now_ms

DEFAULT_SACK_KG = 30.0
"""DOMAIN.md: feed comes in 30 kg sacks."""
PAID_CATEGORY = {StockKind.FEED: CashCategory.FEED, StockKind.SEED: CashCategory.SEED,
                 StockKind.MEDICINE: CashCategory.MEDICINE,
                 StockKind.PACKAGING: CashCategory.OTHER, StockKind.PRODUCT: CashCategory.OTHER}
"""The book category of a paid delivery."""


def move_info(m: StockMoveRow) -> StockMove:
    return StockMove(m.id, m.team_id, m.at, MoveKind(m.kind), StockKind(m.item_kind), m.item,
                     m.quantity, m.unit, m.protein_pct, m.sack_kg, m.cash_entry_id, m.note,
                     tuple(x.id for x in m.members), m.recorded_by, "stock", None)


def _in_kg(new: NewStockMove) -> tuple[float, str, float | None]:
    """Quantity, unit and kg per sack as the card keeps them: feed in kg."""
    quantity, unit, sack_kg = new.quantity, new.unit.strip() or "unit", None
    if new.item_kind is StockKind.FEED:
        sack_kg = new.sack_kg or DEFAULT_SACK_KG
        if unit.casefold() in SACK_UNITS:
            quantity, unit = quantity * sack_kg, "kg"
        elif unit.casefold() != "kg":
            raise InvalidRecord(f"feed is counted in kg or sacks, not {unit!r}",
                                key="feed_unit", unit=unit)
    return quantity, unit, sack_kg


class StockCard(ProductBatches):
    """The cash books, product batches and stock cards of each site's teams."""

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
        quantity, unit, sack_kg = _in_kg(new)
        if new.paid_rp is not None and new.kind is not MoveKind.DELIVERY:
            raise InvalidRecord("only a delivery is paid for", key="paid_not_delivery")
        with self._sessions() as s, s.begin():
            team = team_row(s, site, team_id)
            check_when(team, new.at)
            paid = None
            if new.paid_rp is not None:
                paid = insert_entry(s, team, NewCashEntry(
                    new.at, Direction.OUT, PAID_CATEGORY[new.item_kind], new.paid_rp,
                    quantity, unit, new.counterparty, f"{item} ({new.note})" if new.note
                    else item, new.member_ids), by, confirmed)
            row = StockMoveRow(team_id=team.id, at=new.at, kind=new.kind.value,
                               item_kind=new.item_kind.value, item=item, quantity=quantity,
                               unit=unit, protein_pct=new.protein_pct, sack_kg=sack_kg,
                               cash_entry_id=paid.id if paid is not None else None,
                               note=new.note.strip(), recorded_by=by, created_at=now_ms(),
                               members=team_members(s, team, new.member_ids))
            s.add(row)
            s.flush()
            return move_info(row)

    def _typed_moves(self, site: str, team_id: int
                     ) -> tuple[list[StockMove], list[Stocking], int | None]:
        """The typed moves, the team's stockings, and when its first seed counted in fish
        was recorded (``stock.seed_moves``)."""
        with self._sessions() as s:
            team = team_row(s, site, team_id)
            typed = [move_info(m) for m in s.scalars(
                select(StockMoveRow).where(StockMoveRow.team_id == team.id)
                .options(selectinload(StockMoveRow.members)))]
            seed_since = s.scalar(select(func.min(StockMoveRow.created_at)).where(
                StockMoveRow.team_id == team.id,
                StockMoveRow.item_kind == StockKind.SEED.value,
                func.lower(StockMoveRow.unit).in_(sorted(stock.SEED_UNITS))))
            stockings = [Stocking(c, pond, at, fish, recorded) for c, pond, at, fish, recorded
                         in s.execute(select(Cycle.id, Pond.slug, Cycle.stocked_at,
                                             Cycle.seed_count, Cycle.created_at)
                                      .join(Pond, Cycle.pond_id == Pond.id)
                                      .where(Cycle.team_id == team.id)
                                      .order_by(Cycle.stocked_at, Cycle.id))]
        return typed, stockings, seed_since

    def moves(self, site: str, team_id: int) -> list[StockMove]:
        """Every move of the card, typed and read from the other records, unordered."""
        typed, stockings, seed_since = self._typed_moves(site, team_id)
        return (typed + stock.feeding_moves(team_id, self._records(site, team_id), typed)
                + stock.seed_moves(team_id, stockings, typed, seed_since)
                + products.product_moves(team_id, self.batches(site, team_id),
                                         self.typed_entries(site, team_id)))

    def stock(self, site: str, team_id: int, until: int | None = None
              ) -> tuple[list[StockLine], list[StockMove]]:
        """The card's lines and its moves oldest first (counts with their adjustment)."""
        return stock.stock_card(self.moves(site, team_id), until)

    def packs_left(self, site: str, team_id: int) -> list[StockLine]:
        """The processed products on the card with the packs on hand (made, less sold,
        as the last count put it), by name: what a sale form offers."""
        return [x for x in self.stock(site, team_id)[0] if x.item_kind is StockKind.PRODUCT]

    def product_sale(self, site: str, team_id: int, new: NewCashEntry,
                     confirmed: bool) -> NewCashEntry:
        """``new`` as the book stores it: a product sale (money in, ``product_sales``)
        names one of the team's products, spelt as the card spells it, counted in packs
        (``products.sold_product``: refused without one, asked about when the card holds
        fewer packs); any other entry unchanged."""
        if new.category is not CashCategory.PRODUCT_SALES or new.direction is not Direction.IN:
            return new
        name = products.sold_product(self.packs_left(site, team_id), new.product or "",
                                     new.quantity, confirmed)
        return replace(new, product=name, unit=products.PACK)

    def stocking_seed(self, site: str, team_id: int, cycle_id: int) -> StockLine | None:
        """The seed line a stocking took its fish from, as the card stands now (below 0:
        the card needs a count); None when the stocking took nothing off the card."""
        lines, moves = self.stock(site, team_id)
        took = next((m for m in moves if m.source == "stocking" and m.source_id == cycle_id),
                    None)
        if took is None:
            return None
        key = stock.item_key(StockKind.SEED, took.item, None)
        return next((x for x in lines
                     if stock.item_key(x.item_kind, x.item, x.protein_pct) == key), None)

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
