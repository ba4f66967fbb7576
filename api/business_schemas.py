"""Request and response models of a team's cash book and stock card (issue #20).

Money is rupiah, bounded like every amount a person types (``kolam.farming.bounds``);
the ``*Public`` models are generated from the records (``api.public``).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from api.public import public_of
from kolam.business.records import (
    Batch,
    CashCategory,
    CashEntry,
    CategoryTotal,
    CycleResult,
    Direction,
    FeedLeft,
    MonthSummary,
    MoveKind,
    ProductResult,
    StockKind,
    StockLine,
    StockMove,
)
from kolam.farming.bounds import (
    HARVEST_KG,
    AmountRp,
    CostRp,
    Id,
    Instant,
    Percent,
    Quantity,
    SackKg,
)


class CashEntryCreate(BaseModel):
    """A new line of the book; or, with ``reverses`` and ``reason``, the correction that
    cancels an earlier line (the other direction, the same amount: the rest is taken from
    the entry it reverses)."""

    at: Instant | None = Field(None, description="Default now")
    direction: Direction | None = Field(None, description="in | out (not with reverses)")
    category: CashCategory | None = Field(None, description=", ".join(CashCategory))
    amount_rp: AmountRp | None = None
    quantity: Quantity | None = Field(None, description="How much, in unit (kg, ekor, sak)")
    unit: str | None = Field(None, max_length=32, examples=["kg"])
    counterparty: str = Field("", max_length=200, description="Who paid or was paid")
    note: str = Field("", max_length=2000)
    member_ids: list[Id] = Field(default_factory=list, max_length=100,
                                 description="Members who took part")
    cycle_id: Id | None = Field(None, description="The cycle it belongs to (profit and loss)")
    product: str | None = Field(None, max_length=100, description="A product sale (in, "
                                "product_sales): which of the team's products, required; "
                                "quantity is packs, which leave the stock card")
    reverses: Id | None = Field(None, description="The id of the book entry this cancels")
    reason: str | None = Field(None, max_length=200, description="Why (with reverses)")
    confirm: bool = Field(False, description="Store it although it looks implausible "
                          "(under Rp 1,000, over Rp 50,000,000, fish or feed at an odd price "
                          "per kg, more packs sold than the stock card holds); without it "
                          "such an entry is 422 with needs_confirmation")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.reverses is not None:
            if not (self.reason or "").strip():
                raise ValueError("a correction (reverses) needs a reason")
        elif self.direction is None or self.category is None or self.amount_rp is None:
            raise ValueError("an entry needs direction, category and amount_rp")
        return self


@public_of(CashEntry)
class CashEntryPublic(BaseModel):
    pass


@public_of(CategoryTotal)
class CategoryTotalPublic(BaseModel):
    pass


@public_of(MonthSummary)
class MonthSummaryPublic(BaseModel):
    pass


@public_of(CycleResult)
class CycleResultPublic(BaseModel):
    pass


class StockMoveCreate(BaseModel):
    at: Instant | None = Field(None, description="Default now")
    kind: MoveKind = Field(description="delivery (in) | use (out) | count (what is there)")
    item_kind: StockKind
    item: str = Field(min_length=1, max_length=100, examples=["pelet apung 31%"])
    quantity: Quantity
    unit: str = Field(max_length=32, description="Feed: kg or sak (sacks of sack_kg)",
                      examples=["kg"])
    protein_pct: Percent | None = None
    sack_kg: SackKg | None = Field(None, description="Feed: kg per sack, 30 by default")
    paid_rp: AmountRp | None = Field(None, description="A paid delivery: also written to "
                                     "the cash book (out)")
    counterparty: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)
    member_ids: list[Id] = Field(default_factory=list, max_length=100)
    confirm: bool = False


@public_of(StockMove)
class StockMovePublic(BaseModel):
    pass


@public_of(StockLine)
class StockLinePublic(BaseModel):
    pass


@public_of(FeedLeft)
class FeedLeftPublic(BaseModel):
    pass


class StockPublic(BaseModel):
    lines: list[StockLinePublic]
    feed_left: FeedLeftPublic


class BatchCreate(BaseModel):
    at: Instant | None = Field(None, description="Default now")
    product: str = Field(min_length=1, max_length=100, examples=["abon lele"])
    fish_kg: Annotated[float, Field(gt=0, le=HARVEST_KG.high, allow_inf_nan=False)]
    packs: Quantity = Field(description="Packs made")
    harvest_id: Id | None = Field(None, description="The harvest the fish came from")
    fish_rp: CostRp | None = Field(None, description="What the fish is worth; default kg x "
                                   "the harvest's price")
    inputs_rp: CostRp = Field(0.0, description="Other inputs: flour, oil, spices, gas, packs")
    inputs_paid: bool = Field(False, description="Also write the inputs to the cash book")
    note: str = Field("", max_length=2000)
    member_ids: list[Id] = Field(default_factory=list, max_length=100)
    confirm: bool = Field(False, description="Store it although its packs per kg of fish "
                          "lie outside what the product yields (kolam/business/plausible.py "
                          "YIELDS); without it such a batch is 422 with needs_confirmation")


@public_of(Batch)
class BatchPublic(BaseModel):
    pass


@public_of(ProductResult)
class ProductResultPublic(BaseModel):
    pass
