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
"""

from __future__ import annotations

from kolam.business.records import MONEY_IN, CashCategory, Direction, NewCashEntry
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
