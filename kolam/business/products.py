"""Processed products (abon, nugget, kerupuk kulit, lele asap, fillet): yield and margin.

A batch takes fish (kg, valued at its harvest's price) and other inputs and yields packs;
its cost per pack is (fish + inputs) / packs. A product's margin is its sales minus the
packs sold at the product's average cost per pack; its yield is packs made per kg of fish.
"""

from __future__ import annotations

from collections.abc import Sequence

from kolam.business.records import (
    Batch,
    CashCategory,
    CashEntry,
    Direction,
    MoveKind,
    ProductResult,
    StockKind,
    StockMove,
)
from kolam.business.stock import item_key


def live_sales(lines: Sequence[CashEntry]) -> list[CashEntry]:
    """Product sales that stand: neither reversed nor a reversal."""
    return [e for e in lines if e.category is CashCategory.PRODUCT_SALES and e.product
            and e.direction is Direction.IN and e.reverses is None and e.reversed_by is None]


def product_moves(team_id: int, batches: Sequence[Batch],
                  lines: Sequence[CashEntry]) -> list[StockMove]:
    """Packs made by the batches (in) and sold in the book (out), for the stock card."""
    made = [StockMove(None, team_id, b.at, MoveKind.DELIVERY, StockKind.PRODUCT, b.product,
                      b.packs, "pak", None, None, None, b.note, b.member_ids, b.recorded_by,
                      "batch", b.id) for b in batches]
    sold = [StockMove(None, team_id, e.at, MoveKind.USE, StockKind.PRODUCT, e.product or "",
                      e.quantity or 0.0, "pak", None, None, e.id, e.note, e.member_ids,
                      e.recorded_by, "sale", e.id)
            for e in live_sales(lines) if e.quantity]
    return made + sold


def product_results(batches: Sequence[Batch], lines: Sequence[CashEntry]
                    ) -> list[ProductResult]:
    def key(name: str) -> str:
        return item_key(StockKind.PRODUCT, name, None)[1]

    sales = live_sales(lines)
    out = []
    for name in sorted({key(b.product) for b in batches} | {key(e.product or "") for e in sales}):
        mine = [b for b in batches if key(b.product) == name]
        sold = [e for e in sales if key(e.product or "") == name]
        fish = sum(b.fish_kg for b in mine)
        packs = sum(b.packs for b in mine)
        cost = sum(b.fish_rp + b.inputs_rp for b in mine)
        per_pack = cost / packs if packs else 0.0
        n_sold = sum(e.quantity or 0.0 for e in sold)
        revenue = sum(e.amount_rp for e in sold)
        shown = mine[0].product if mine else (sold[0].product or name)
        out.append(ProductResult(shown, len(mine), fish, packs, n_sold, cost, per_pack,
                                 revenue, revenue - n_sold * per_pack,
                                 packs / fish if fish else 0.0))
    return out
