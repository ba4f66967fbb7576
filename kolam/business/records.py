"""The cash book and the stock card as the rest of Kolam sees them: frozen dataclasses.

A team's cash book (buku kas) holds the entries typed into it and, derived at read time,
the money its farming records already hold: each harvest sold (kg x price), each cycle
cost and each stocking's seed cost. Those are never typed twice; a voided harvest or cost
drops out of the book. A wrong book entry is never edited: a new entry reverses it
(``reverses``, with the reason), as UMKM trainers teach and DOMAIN.md says.

Money is rupiah; times are epoch milliseconds UTC; months are the site's (WIB) months.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from kolam.registry.fields import Shown


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class CashCategory(StrEnum):
    """The categories of the book, as the UMKM trainers group a lele business's money."""

    FISH_SALES = "fish_sales"
    PRODUCT_SALES = "product_sales"
    SEED = "seed"
    FEED = "feed"
    MEDICINE = "medicine"
    """Medicines and probiotics."""
    EQUIPMENT = "equipment"
    ELECTRICITY = "electricity"
    TRANSPORT = "transport"
    OTHER = "other"


MONEY_IN = frozenset({CashCategory.FISH_SALES, CashCategory.PRODUCT_SALES, CashCategory.OTHER})
"""Categories money comes in by; every category may go out (a refund of sales, other)."""


class Source(StrEnum):
    """Where a book line comes from: typed into the book, or one of the farming records."""

    BOOK = "book"
    HARVEST = "harvest"
    COST = "cost"
    STOCKING = "stocking"


@dataclass(frozen=True, slots=True)
class NewCashEntry:
    at: int
    direction: Direction
    category: CashCategory
    amount_rp: float
    quantity: float | None = None
    unit: str | None = None
    counterparty: str = ""
    note: str = ""
    member_ids: tuple[int, ...] = ()
    cycle_id: int | None = None
    """The cycle the money belongs to, for the cycle's profit and loss (optional)."""
    product: str | None = None
    """A product sale: which processed product (its packs leave the stock card)."""


@dataclass(frozen=True, slots=True)
class CashEntry:
    """One line of the book: typed (``source`` book, with its ``id``) or derived."""

    id: Annotated[int | None, Shown("The book entry's id; null for a derived line")]
    team_id: int
    at: int
    direction: Direction
    category: CashCategory
    amount_rp: float
    quantity: float | None
    unit: str | None
    counterparty: str
    note: str
    member_ids: tuple[int, ...]
    cycle_id: int | None
    source: Annotated[Source, Shown(
        "book: typed into the book; harvest, cost, stocking: the farming record it comes "
        "from (source_id), never typed twice")]
    source_id: int | None
    recorded_by: str
    reverses: Annotated[int | None, Shown("The book entry this one cancels")] = None
    reason: Annotated[str | None, Shown("Why the entry it reverses was wrong")] = None
    reversed_by: Annotated[int | None, Shown("The entry that cancels this one")] = None
    product: Annotated[str | None, Shown("The processed product sold")] = None

    @property
    def signed_rp(self) -> float:
        return self.amount_rp if self.direction is Direction.IN else -self.amount_rp


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    category: CashCategory
    in_rp: float
    out_rp: float


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """A month of the book: the balance carried in, money in and out, the balance out."""

    team_id: int
    month: Annotated[str, Shown("YYYY-MM, the site's month (WIB)")]
    opening_rp: float
    in_rp: float
    out_rp: float
    closing_rp: float
    profit_rp: Annotated[float, Shown("in_rp - out_rp: the month's profit or loss")]
    entries: int
    by_category: tuple[CategoryTotal, ...]


@dataclass(frozen=True, slots=True)
class CycleResult:
    """Profit and loss of one cycle, from the book lines that name it."""

    cycle_id: int
    pond: str
    in_rp: float
    out_rp: Annotated[float, Shown("Its seed, costs, book entries and feed_stock_rp")]
    profit_rp: float
    feed_stock_rp: Annotated[float, Shown(
        "Feed bought through the stock card and used by the cycle's feeding logs, at the "
        "average price paid per kg")] = 0.0


class StockKind(StrEnum):
    FEED = "feed"
    SEED = "seed"
    MEDICINE = "medicine"
    PACKAGING = "packaging"
    PRODUCT = "product"


class MoveKind(StrEnum):
    DELIVERY = "delivery"
    """In: bought or received."""
    USE = "use"
    """Out, typed (medicine used, packs sold); feed used is read from the feeding logs."""
    COUNT = "count"
    """A count of what is there: the card is set to it, the difference shown."""


@dataclass(frozen=True, slots=True)
class NewStockMove:
    at: int
    kind: MoveKind
    item_kind: StockKind
    item: str
    quantity: float
    unit: str
    protein_pct: float | None = None
    sack_kg: float | None = None
    """Feed: kg per sack (30 kg usually, DOMAIN.md)."""
    paid_rp: float | None = None
    """A delivery paid for: also a cash book entry (out, this category), in one go."""
    counterparty: str = ""
    note: str = ""
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class StockMove:
    id: int | None
    team_id: int
    at: int
    kind: MoveKind
    item_kind: StockKind
    item: str
    quantity: float
    unit: str
    protein_pct: float | None
    sack_kg: float | None
    cash_entry_id: int | None
    note: str
    member_ids: tuple[int, ...]
    recorded_by: str
    source: Annotated[str, Shown(
        "stock: typed; feeding: a feeding log; stocking: a cycle's seed (the cycle is "
        "source_id); batch: a product batch's packs; sale: a product sale's packs")]
    source_id: int | None
    adjustment: Annotated[float | None, Shown(
        "A count: counted minus what the card said before it")] = None


@dataclass(frozen=True, slots=True)
class Stocking:
    """A cycle's stocking as the stock card reads it: fish out of the seed stock."""

    cycle_id: int
    pond: str
    at: int
    fish: int
    recorded_at: int


@dataclass(frozen=True, slots=True)
class StockLine:
    """One item of the stock card and what is left of it."""

    item_kind: StockKind
    item: str
    unit: str
    protein_pct: float | None
    delivered: float
    used: float
    adjusted: float
    on_hand: float
    sack_kg: float | None
    sacks: Annotated[float | None, Shown("Feed: on_hand in sacks of sack_kg")]
    last_count_at: int | None


@dataclass(frozen=True, slots=True)
class FeedLeft:
    """Days of feed left at today's ration, and whether to warn (a week ahead)."""

    on_hand_kg: float
    ration_kg_per_day: float
    days_left: float | None
    runs_out_at: int | None
    warn: bool


@dataclass(frozen=True, slots=True)
class TeamMonth:
    """A team's business in a month, for the site's monthly report (issue #20 item 6)."""

    team_id: int
    team_name: str
    in_rp: float
    out_rp: float
    profit_rp: float
    closing_rp: float
    product_sales_rp: float
    fish_sales_rp: float
    packs_made: Annotated[float, Shown("Packs of processed products made in the month")] = 0.0
    packs_sold: Annotated[float, Shown(
        "Packs sold in the month: product sales that stand (neither a correction nor "
        "corrected)")] = 0.0


@dataclass(frozen=True, slots=True)
class NewBatch:
    """A production batch: fish (kg, from a harvest) and other inputs in, packs out."""

    at: int
    product: str
    fish_kg: float
    packs: float
    harvest_id: int | None = None
    fish_rp: float | None = None
    """What the fish is worth; by default kg x the harvest's price per kg."""
    inputs_rp: float = 0.0
    """Flour, oil, spices, gas, packaging..."""
    inputs_paid: bool = False
    """The inputs were bought now: also a cash book entry (out, other)."""
    note: str = ""
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Batch:
    id: int
    team_id: int
    at: int
    product: str
    harvest_id: int | None
    fish_kg: float
    fish_rp: float
    inputs_rp: float
    packs: float
    cost_per_pack_rp: float
    note: str
    member_ids: tuple[int, ...]
    recorded_by: str


@dataclass(frozen=True, slots=True)
class ProductResult:
    """Yield and margin of one processed product over its batches and sales."""

    product: str
    batches: int
    fish_kg: float
    packs_made: float
    packs_sold: float
    cost_rp: Annotated[float, Shown("Fish and other inputs of every batch")]
    cost_per_pack_rp: float
    sales_rp: float
    margin_rp: Annotated[float, Shown("sales_rp - packs_sold x cost_per_pack_rp")]
    yield_packs_per_kg: Annotated[float, Shown("Packs made per kg of fish")]
