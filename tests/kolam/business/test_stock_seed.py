"""Seed fish off the stock card at stocking (issue #20 item 2), as pure functions."""

from __future__ import annotations

from datetime import datetime

from kolam.business.records import MoveKind, Stocking, StockKind, StockMove
from kolam.business.stock import seed_moves, stock_card
from kolam.timeutil import WIB, to_ms

RECORDED = 1_000
"""When the card's first seed was recorded (a stocking recorded before it, and dated before
the card's first seed, took seed the card never held)."""


def at(month: int, day: int) -> int:
    return to_ms(datetime(2026, month, day, 9, tzinfo=WIB))


def typed(ident: int, t: int, kind: MoveKind, item: str, fish: float,
          unit: str = "ekor") -> StockMove:
    return StockMove(ident, 1, t, kind, StockKind.SEED, item, fish, unit, None, None, None,
                     "", (), "trainer", "stock", None)


def stocking(cycle: int, t: int, fish: int, recorded: int = RECORDED + 1) -> Stocking:
    return Stocking(cycle, f"kolam-{cycle}", t, fish, recorded)


def test_each_stocking_takes_its_fish_from_the_seed_delivered_last_before_it() -> None:
    """Benih A 1.000 on 1 Sep, benih B 600 on 10 Sep. Stocked: 400 on 5 Sep (from A),
    900 on 12 Sep (from B: 600 - 900 = -300, not refused), and 200 on 20 Aug but typed
    after the card began (from A, the first delivered). A: 1.000 - 400 - 200 = 400."""
    card = [typed(1, at(9, 1), MoveKind.DELIVERY, "benih A", 1000),
            typed(2, at(9, 10), MoveKind.DELIVERY, "benih B", 600)]
    moves = seed_moves(1, [stocking(7, at(9, 5), 400), stocking(8, at(9, 12), 900),
                           stocking(9, at(8, 20), 200)], card, RECORDED)
    assert [(m.source, m.source_id, m.item, m.quantity, m.kind, m.unit) for m in moves] == [
        ("stocking", 7, "benih A", 400, MoveKind.USE, "ekor"),
        ("stocking", 8, "benih B", 900, MoveKind.USE, "ekor"),
        ("stocking", 9, "benih A", 200, MoveKind.USE, "ekor")]
    lines, _ = stock_card(card + moves)
    assert [(x.item, x.delivered, x.used, x.on_hand) for x in lines] == [
        ("benih A", 1000, 600, 400), ("benih B", 600, 900, -300)]


def test_a_stocking_before_the_card_and_a_card_without_seed_in_fish() -> None:
    card = [typed(1, at(9, 1), MoveKind.DELIVERY, "benih", 1000)]
    # Dated before the card's first seed and recorded before it: not from this card.
    old = stocking(5, at(8, 1), 1000, recorded=RECORDED - 1)
    # Recorded before the card, dated after its first seed (typed in another order).
    late = stocking(6, at(9, 2), 700, recorded=RECORDED - 1)
    assert [m.source_id for m in seed_moves(1, [old, late], card, RECORDED)] == [6]
    assert seed_moves(1, [late], [], None) == []  # no seed on the card
    by_kg = [typed(1, at(9, 1), MoveKind.DELIVERY, "benih", 5, unit="kg")]
    assert seed_moves(1, [late], by_kg, RECORDED) == []  # seed by the kg is not fish


def test_a_count_puts_a_negative_card_right() -> None:
    """300 counted in, 500 stocked (300 - 500 = -200), then a count finds 40: +240."""
    card = [typed(1, at(9, 1), MoveKind.COUNT, "benih", 300),
            typed(2, at(9, 6), MoveKind.COUNT, "benih", 40)]
    moves = seed_moves(1, [stocking(3, at(9, 3), 500)], card, RECORDED)
    (line,), walked = stock_card(card + moves)
    assert [m.adjustment for m in walked if m.kind is MoveKind.COUNT] == [300, 240]
    assert (line.used, line.adjusted, line.on_hand) == (500, 540, 40)
