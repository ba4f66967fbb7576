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
    StockLine,
    StockMove,
)
from kolam.business.stock import item_key
from kolam.errors import Implausible, InvalidRecord

PACK = "pak"
"""A product sale is counted in packs."""


def live_sales(lines: Sequence[CashEntry]) -> list[CashEntry]:
    """Product sales that stand: neither reversed nor a reversal."""
    return [e for e in lines if e.category is CashCategory.PRODUCT_SALES and e.product
            and e.direction is Direction.IN and e.reverses is None and e.reversed_by is None]


def sold_product(products: Sequence[StockLine], name: str, packs: float | None,
                 confirmed: bool) -> str:
    """The product a sale (money in, ``product_sales``) names, as the stock card spells it:
    one of ``products`` (the team's, ``Business.packs_left``), else ``InvalidRecord``; more
    ``packs`` than its card holds are ``Implausible`` unless ``confirmed`` (the card can be
    wrong: it goes below 0 until a count). The book's, the kiosk's and the products page's
    sale forms and the API all ask this."""
    key = item_key(StockKind.PRODUCT, name, None)[1]
    line = next((x for x in products if key and item_key(x.item_kind, x.item, None)[1] == key),
                None)
    if line is None:
        known = ", ".join(x.item for x in products) or "none yet: record a batch first"
        raise InvalidRecord(f"a product sale names the product sold, one of the team's "
                            f"products ({known}); got {name!r}", key="sale_product")
    if not packs:
        raise InvalidRecord(f"how many packs of {line.item} were sold? (quantity)",
                            key="sale_packs", product=line.item)
    left = max(0.0, line.on_hand)
    if packs > line.on_hand + 1e-9 and not confirmed:
        raise Implausible(
            f"{packs:g} packs of {line.item} sold, but the stock card holds {left:g}: "
            "resend confirmed if it is right (then count the packs)",
            key="sale_over_stock", packs=packs, left=left, product=line.item)
    return line.item


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
