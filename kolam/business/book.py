"""The cash book's arithmetic: derived lines, month summaries, profit and loss per cycle.

Pure functions over records; the registry (``kolam.registry.cashbook``) reads them.
A month is a calendar month in the site's zone (``kolam.farming.monthly.month_span``); its
opening balance is every line before it, so a reversal made in a later month changes that
later month, as in a paper book (the month already closed is not rewritten).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo

from kolam.business.records import (
    CashCategory,
    CashEntry,
    CategoryTotal,
    CycleResult,
    Direction,
    MonthSummary,
    Source,
)
from kolam.farming.monthly import month_span
from kolam.registry.records import CostCategory, CycleRecords
from kolam.timeutil import WIB, local_month

COST_CATEGORY = {CostCategory.SEED: CashCategory.SEED, CostCategory.FEED: CashCategory.FEED,
                 CostCategory.OTHER: CashCategory.OTHER}
"""A cycle cost's category in the book."""
_SOURCE_ORDER = {Source.STOCKING: 0, Source.COST: 1, Source.HARVEST: 2, Source.BOOK: 3}


def derived_lines(team_id: int, records: Iterable[CycleRecords]) -> list[CashEntry]:
    """The money the farming records already hold, as book lines: each stocking's seed
    cost, each cycle cost, each harvest sold (kg x price > 0). Voided records are not in
    ``records`` (``Cycles.records`` leaves them out), so they are not in the book."""
    out: list[CashEntry] = []
    for r in records:
        c = r.cycle
        if c.seed_cost_rp > 0:
            out.append(CashEntry(
                None, team_id, c.stocked_at, Direction.OUT, CashCategory.SEED, c.seed_cost_rp,
                float(c.seed_count), "ekor", c.seed_source, f"benih kolam {c.pond}", (), c.id,
                Source.STOCKING, c.id, "", None, None))
        for cost in r.costs:
            out.append(CashEntry(
                None, team_id, cost.at, Direction.OUT, COST_CATEGORY[cost.category],
                cost.amount_rp, None, None, "", cost.description, (), c.id, Source.COST,
                cost.id, cost.recorded_by))
        for h in r.harvests:
            if h.revenue_rp <= 0:
                continue
            out.append(CashEntry(
                None, team_id, h.at, Direction.IN, CashCategory.FISH_SALES, h.revenue_rp,
                h.kg, "kg", h.buyer, f"panen kolam {c.pond}", h.member_ids, c.id,
                Source.HARVEST, h.id, h.recorded_by))
    return out


def ordered(lines: Iterable[CashEntry]) -> list[CashEntry]:
    """Oldest first; on the same instant the farming records before the typed lines."""
    return sorted(lines, key=lambda e: (e.at, _SOURCE_ORDER[e.source],
                                        e.id if e.id is not None else e.source_id or 0))


def _totals(lines: Sequence[CashEntry]) -> tuple[float, float]:
    """Money in and out. A reversal of an entry among ``lines`` takes its amount off that
    entry's side (a wrong Rp 35,000 of transport and its reversal leave Rp 0 out, not
    35,000 in and 35,000 out), so the totals say what really came in and went out; the
    reversal of an entry from an earlier month counts the way it goes, as in a paper book."""
    ids = {e.id for e in lines if e.id is not None}
    in_rp = out_rp = 0.0
    for e in lines:
        if e.reverses is not None and e.reverses in ids:
            out_rp -= e.amount_rp if e.direction is Direction.IN else 0.0
            in_rp -= e.amount_rp if e.direction is Direction.OUT else 0.0
        else:
            in_rp += e.amount_rp if e.direction is Direction.IN else 0.0
            out_rp += e.amount_rp if e.direction is Direction.OUT else 0.0
    return in_rp, out_rp


def month_summary(team_id: int, lines: Sequence[CashEntry], month: str,
                  tz: tzinfo = WIB) -> MonthSummary:
    """Opening balance, money in and out, closing balance and the categories of ``month``."""
    start, end = month_span(month, tz)
    before = [e for e in lines if e.at < start]
    inside = [e for e in lines if start <= e.at < end]
    opening = sum(e.signed_rp for e in before)
    in_rp, out_rp = _totals(inside)
    by_category = []
    for cat in CashCategory:
        mine = [e for e in inside if e.category is cat]
        if mine:
            cin, cout = _totals(mine)
            by_category.append(CategoryTotal(cat, cin, cout))
    return MonthSummary(team_id, month, opening, in_rp, out_rp, opening + in_rp - out_rp,
                        in_rp - out_rp, len(inside), tuple(by_category))


def months(lines: Iterable[CashEntry], tz: tzinfo = WIB) -> list[str]:
    """The months that have lines, newest first."""
    return sorted({local_month(e.at, tz) for e in lines}, reverse=True)


def cycle_results(lines: Sequence[CashEntry], ponds: dict[int, str],
                  feed_stock_rp: dict[int, float] | None = None) -> list[CycleResult]:
    """Profit and loss of each cycle (``ponds``: cycle id to pond), from the lines that
    name it (its seed, costs and harvests, and the book entries given its cycle) and the
    feed it used from the stock card (``feed_stock_rp``: bought for the team, not the
    cycle, so valued at the average price paid per kg)."""
    out = []
    for cycle_id, pond in sorted(ponds.items()):
        in_rp, out_rp = _totals([e for e in lines if e.cycle_id == cycle_id])
        feed = (feed_stock_rp or {}).get(cycle_id, 0.0)
        out.append(CycleResult(cycle_id, pond, in_rp, out_rp + feed, in_rp - out_rp - feed,
                               feed))
    return out
