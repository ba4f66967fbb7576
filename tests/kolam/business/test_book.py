"""The cash book's arithmetic and the stock card's, as pure functions (issue #20)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kolam.business.book import cycle_results, month_summary, months, ordered
from kolam.business.plausible import check_entry
from kolam.business.records import (
    CashCategory,
    CashEntry,
    Direction,
    MoveKind,
    NewCashEntry,
    Source,
    StockKind,
    StockMove,
)
from kolam.business.stock import WARN_DAYS, feed_left, stock_card
from kolam.errors import Implausible
from kolam.timeutil import WIB, to_ms


def at(month: int, day: int) -> int:
    return to_ms(datetime(2026, month, day, 9, tzinfo=WIB))


def line(t: int, direction: Direction, category: CashCategory, amount: float, *,
         ident: int | None = None, reverses: int | None = None,
         cycle: int | None = None) -> CashEntry:
    return CashEntry(ident, 1, t, direction, category, amount, None, None, "", "", (), cycle,
                     Source.BOOK if ident else Source.HARVEST, None if ident else 9, "x",
                     reverses)


def test_a_month_carries_the_balance_and_a_reversal_cancels() -> None:
    lines = ordered([
        line(at(9, 30), Direction.IN, CashCategory.OTHER, 500_000, ident=1),
        line(at(10, 2), Direction.OUT, CashCategory.FEED, 380_000, ident=2),
        line(at(10, 5), Direction.IN, CashCategory.FISH_SALES, 220_000, cycle=4),
        line(at(10, 6), Direction.OUT, CashCategory.TRANSPORT, 30_000, ident=3),
        line(at(11, 1), Direction.IN, CashCategory.TRANSPORT, 30_000, ident=4, reverses=3),
    ])
    october = month_summary(1, lines, "2026-10")
    # opening 500.000; in 220.000; out 380.000 + 30.000 = 410.000; closing 310.000
    assert (october.opening_rp, october.in_rp, october.out_rp, october.closing_rp) == (
        500_000, 220_000, 410_000, 310_000)
    november = month_summary(1, lines, "2026-11")
    # the reversal, a month later, is November's money in (October stays as it was closed)
    assert (november.opening_rp, november.in_rp, november.out_rp, november.closing_rp) == (
        310_000, 30_000, 0, 340_000)
    assert months(lines) == ["2026-11", "2026-10", "2026-09"]
    (c,) = cycle_results(lines, {4: "kolam-1"})
    assert (c.in_rp, c.out_rp, c.profit_rp) == (220_000, 0, 220_000)


def test_a_month_is_the_sites_month() -> None:
    # 31 Oct 23:30 WIB is 16:30 UTC: October in Serang
    late = to_ms(datetime(2026, 10, 31, 23, 30, tzinfo=WIB))
    s = month_summary(1, [line(late, Direction.IN, CashCategory.FISH_SALES, 1_000)], "2026-10")
    assert s.in_rp == 1_000


def move(t: int, kind: MoveKind, qty: float, item: str = "pelet apung",
         protein: float | None = 31.0, source: str = "stock") -> StockMove:
    return StockMove(1, 1, t, kind, StockKind.FEED, item, qty, "kg", protein, 30.0, None, "",
                     (), "x", source, None)


def test_counts_set_the_card_and_keep_the_difference() -> None:
    lines, walked = stock_card([
        move(at(10, 1), MoveKind.DELIVERY, 60), move(at(10, 3), MoveKind.USE, 10),
        move(at(10, 5), MoveKind.COUNT, 48), move(at(10, 6), MoveKind.USE, 8, source="feeding"),
    ])
    (feed,) = lines
    assert (feed.delivered, feed.used, feed.adjusted, feed.on_hand) == (60, 18, -2, 40)
    assert feed.sacks == pytest.approx(40 / 30)
    assert [m.adjustment for m in walked if m.kind is MoveKind.COUNT] == [-2]


def test_feed_left_warns_a_week_ahead() -> None:
    lines, _ = stock_card([move(at(10, 1), MoveKind.DELIVERY, 30)])
    now = at(10, 2)
    assert not feed_left(lines, 30 / (WARN_DAYS + 1), now).warn
    short = feed_left(lines, 30 / (WARN_DAYS - 1), now)
    assert short.warn and short.days_left == pytest.approx(WARN_DAYS - 1)
    assert feed_left([], 5.0, now).days_left is None  # no feed card: nothing to warn of


@pytest.mark.parametrize(("amount", "category", "qty", "unit", "asked"), [
    (22, CashCategory.FEED, None, None, "amount_small"),
    (380_000, CashCategory.FEED, 30, "kg", None),
    (380_000, CashCategory.FEED, 1, "sak", None),
    (3_800, CashCategory.FEED, 1, "sak", "feed_price_odd"),
    (440_000, CashCategory.FISH_SALES, 20, "kg", None),
    (44_000, CashCategory.FISH_SALES, 20, "kg", "price_odd"),
    (60_000_000, CashCategory.OTHER, None, None, "amount_large"),
], ids=["22-for-22000", "sack-by-kg", "sack", "sack-typo", "sale", "sale-typo", "huge"])
def test_implausible_entries(amount: float, category: CashCategory, qty: float | None,
                             unit: str | None, asked: str | None) -> None:
    direction = Direction.IN if category is CashCategory.FISH_SALES else Direction.OUT
    doubt = check_entry(NewCashEntry(0, direction, category, amount, qty, unit))
    assert (doubt.key if isinstance(doubt, Implausible) else None) == asked


def test_money_in_as_a_cost_is_asked() -> None:
    doubt = check_entry(NewCashEntry(0, Direction.IN, CashCategory.FEED, 380_000))
    assert isinstance(doubt, Implausible) and doubt.key == "in_as_cost"
