"""Is a cash book entry plausible? Typos caught before they reach the month's balance.

The API's bounds (``kolam.farming.bounds.AMOUNT_RP``) refuse what no team could spend;
these ask (``Implausible``: stored only when confirmed) about what is possible but odd:
- an amount under Rp 1,000: nothing a lele team buys or sells costs so little; "22" for
  "22.000" is the usual slip (issue #17 saw a price of Rp 22/kg).
- an amount over Rp 50,000,000: about 2,000 kg of lele at the farm gate, some 70 times a
  Rutan Serang harvest (25–30 kg, DOMAIN.md).
- fish sold by the kg outside Rp 5,000–60,000/kg (``kolam.farming.plausible.check_price``;
  farm gate Rp 18,000–25,000/kg).
- feed bought by the kg outside Rp 5,000–30,000/kg, or by the sack outside
  Rp 150,000–900,000 a sack (DOMAIN.md: about Rp 380,000 per 30 kg sack, Rp 12,700/kg).
- money coming in as seed, feed, medicine, equipment, electricity or transport (a refund
  is possible, a slip of the in/out switch likelier).
- a production batch whose packs per kg of fish lie outside what the product yields
  (``check_batch``, ``YIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kolam.business.records import MONEY_IN, CashCategory, Direction, NewBatch, NewCashEntry
from kolam.errors import Implausible
from kolam.farming.plausible import check_price

AMOUNT_LOW_RP = 1_000.0
AMOUNT_HIGH_RP = 50_000_000.0
FEED_KG_LOW_RP, FEED_KG_HIGH_RP = 5_000.0, 30_000.0
FEED_SACK_LOW_RP, FEED_SACK_HIGH_RP = 150_000.0, 900_000.0
KG_UNITS = frozenset({"kg"})
SACK_UNITS = frozenset({"sack", "sak", "karung"})


def check_entry(new: NewCashEntry) -> Implausible | None:
    """Why the entry looks wrong, or None."""
    amount = new.amount_rp
    if amount < AMOUNT_LOW_RP:
        return Implausible(
            f"Rp {amount:,.0f} is very little for a {new.category.value} entry: did you mean "
            f"Rp {amount * 1000:,.0f}? Resend confirmed if it is right", key="amount_small",
            amount=amount, meant=amount * 1000)
    if amount > AMOUNT_HIGH_RP:
        return Implausible(
            f"Rp {amount:,.0f} is more than a team's business moves at once: resend "
            "confirmed if it is right", key="amount_large", amount=amount)
    if new.direction is Direction.IN and new.category not in MONEY_IN:
        return Implausible(
            f"money in as {new.category.value}: is it money out? Resend confirmed if it is "
            "a refund", key="in_as_cost", category=new.category.value)
    unit = (new.unit or "").strip().casefold()
    per = amount / new.quantity if new.quantity else None
    if per is None:
        return None
    if new.category is CashCategory.FISH_SALES and unit in KG_UNITS:
        return check_price(per)
    if new.category is CashCategory.FEED and unit in KG_UNITS and not (
            FEED_KG_LOW_RP <= per <= FEED_KG_HIGH_RP):
        return Implausible(
            f"feed at Rp {per:,.0f}/kg is outside Rp {FEED_KG_LOW_RP:,.0f}–"
            f"{FEED_KG_HIGH_RP:,.0f}/kg (a 30 kg sack is about Rp 380,000): resend confirmed "
            "if it is right", key="feed_price_odd", price=round(per), unit="kg")
    if new.category is CashCategory.FEED and unit in SACK_UNITS and not (
            FEED_SACK_LOW_RP <= per <= FEED_SACK_HIGH_RP):
        return Implausible(
            f"feed at Rp {per:,.0f} a sack is outside Rp {FEED_SACK_LOW_RP:,.0f}–"
            f"{FEED_SACK_HIGH_RP:,.0f} (a 30 kg sack is about Rp 380,000): resend confirmed "
            "if it is right", key="feed_price_odd", price=round(per), unit="sack")
    return None


@dataclass(frozen=True, slots=True)
class Yield:
    """What one kg of whole lele makes of a product (kg, low-high) and its usual packs (g),
    so packs per kg of fish lie between ``low_kg / pack_high_g`` and ``high_kg / pack_low_g``."""

    low_kg: float
    high_kg: float
    pack_low_g: float
    pack_high_g: float

    @property
    def packs_per_kg(self) -> tuple[float, float]:
        return (round(self.low_kg / self.pack_high_g * 1000, 1),
                round(self.high_kg / self.pack_low_g * 1000, 1))


YIELDS: dict[str, Yield] = {
    # ~30 %: a Cilacap abon maker gets 3 kg of abon from 10 kg of lele; 100-200 g packs.
    "abon": Yield(0.25, 0.40, 50, 250),
    # Skinned fillet 32-40 % of the whole fish (Salisu & Faturoti 2016, IJSR 5(4):1714),
    # up to 47 % for farmed males (Hoffman et al. 1993, EAS Spec. Publ. 18:421).
    "fillet": Yield(0.30, 0.47, 250, 1000),
    "filet": Yield(0.30, 0.47, 250, 1000),
    # Skin is ~4.6 % of the fish (Souza et al. 2008, Acta Sci. Anim. Sci. 21:637); fried,
    # often with a flour coat, 3-10 %; small 25-100 g packs.
    "kerupuk": Yield(0.03, 0.10, 25, 100),
    "keripik": Yield(0.03, 0.10, 25, 100),
    # Whole gutted fish smoked to about a third to a half of its weight; 100-500 g packs.
    "asap": Yield(0.30, 0.50, 100, 500),
    # Edible meat ~46 % (Souza et al. 2008) mixed with about as much tapioca, flour and egg;
    # 250 g-1 kg packs.
    "nugget": Yield(0.60, 1.20, 250, 1000),
}
"""Reasoned ranges (DOMAIN.md names the products, not their yields), matched by a word
of the product's name; broad on purpose: a question, not a refusal."""
ANY_PRODUCT = Yield(0.10, 1.20, 25, 1000)
"""Another product: about the span of the usual ones (0.1-48 packs per kg)."""


def product_yield(product: str) -> Yield:
    words = product.casefold()
    return next((y for word, y in YIELDS.items() if word in words), ANY_PRODUCT)


def check_batch(new: NewBatch) -> Implausible | None:
    """Why a batch's packs per kg of fish look wrong for its product, or None."""
    low, high = product_yield(new.product).packs_per_kg
    per_kg = new.packs / new.fish_kg
    if low <= per_kg <= high:
        return None
    return Implausible(
        f"{new.packs:g} packs of {new.product} from {new.fish_kg:g} kg of fish is "
        f"{per_kg:.1f} packs per kg, outside {low:g}-{high:g}: resend confirmed if it is "
        "right", key="batch_yield_odd", per_kg=round(per_kg, 1), low=low, high=high,
        product=new.product)
