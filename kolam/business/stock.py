"""The stock card's arithmetic: what is on hand of each item, and how long the feed lasts.

Moves are deliveries (in), uses (out) and counts (the card is set to what was counted,
the difference kept as the count's adjustment). Feed used is read from the feeding logs
of the team's cycles, never typed twice: a log names its feed type and protein, and
deducts from the item of that name and protein; a log whose feed the card does not know
deducts from the feed delivered last before it (the sack in use). Seed fish likewise: a
stocking takes its fish off the seed the card holds in fish (``seed_moves``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from kolam.business.records import (
    FeedLeft,
    MoveKind,
    Stocking,
    StockKind,
    StockLine,
    StockMove,
)
from kolam.farming.growth import DAY_MS
from kolam.registry.records import CycleRecords, LogKind

WARN_DAYS = 7.0
"""Warn a week before the feed runs out (issue #20)."""
UNNAMED_FEED = "pakan"
SEED_UNITS = frozenset({"ekor", "fish"})
"""Seed is counted in fish (DOMAIN.md: about Rp 300 each); a stocking is a count of fish."""


def item_key(kind: StockKind, item: str, protein_pct: float | None) -> tuple[str, str, float]:
    return kind.value, " ".join(item.casefold().split()), protein_pct or 0.0


def _feed_item(moves: Sequence[StockMove], feed_type: str | None, protein: float | None,
               at: int) -> tuple[str, float | None]:
    """The item of the card a feeding log deducts from (see the module docstring)."""
    feeds = [m for m in moves if m.item_kind is StockKind.FEED and m.source == "stock"]
    if feed_type:
        name = item_key(StockKind.FEED, feed_type, None)[1]
        for m in feeds:
            same = item_key(m.item_kind, m.item, None)[1] == name
            if same and (protein is None or m.protein_pct in (None, protein)):
                return m.item, m.protein_pct
    delivered = sorted((m for m in feeds if m.kind is MoveKind.DELIVERY),
                       key=lambda m: (m.at, m.id or 0))
    before = [m for m in delivered if m.at <= at]
    pick = before[-1] if before else (delivered[0] if delivered else None)
    if pick is not None:
        return pick.item, pick.protein_pct
    return feed_type or UNNAMED_FEED, protein


def feeding_moves(team_id: int, records: Iterable[CycleRecords],
                  typed: Sequence[StockMove]) -> list[StockMove]:
    """The team's feeding logs as uses of its feed stock; none while the card holds no
    feed (a team that does not keep a feed stock card)."""
    if not any(m.item_kind is StockKind.FEED for m in typed):
        return []
    out = []
    for r in records:
        for e in r.logs:
            if e.kind is not LogKind.FEEDING or not e.feed_kg:
                continue
            item, protein = _feed_item(typed, e.feed_type, e.protein_pct, e.at)
            out.append(StockMove(None, team_id, e.at, MoveKind.USE, StockKind.FEED, item,
                                 e.feed_kg, "kg", protein, None, None,
                                 f"pakan kolam {r.cycle.pond}", e.member_ids, e.recorded_by,
                                 "feeding", e.id))
    return out


def _seed_item(seeds: Sequence[StockMove], at: int) -> StockMove:
    """The seed move whose item a stocking at ``at`` takes from: the seed delivered last
    before it, else the first delivered, else the first seed on the card."""
    delivered = sorted((m for m in seeds if m.kind is MoveKind.DELIVERY),
                       key=lambda m: (m.at, m.id or 0))
    before = [m for m in delivered if m.at <= at]
    if before:
        return before[-1]
    return delivered[0] if delivered else min(seeds, key=lambda m: (m.at, m.id or 0))


def seed_moves(team_id: int, stockings: Iterable[Stocking], typed: Sequence[StockMove],
               card_recorded_at: int | None) -> list[StockMove]:
    """The team's stockings as uses of its seed stock, each of its ``seed_count`` fish.

    Only while the card holds seed counted in fish (``SEED_UNITS``; a team that keeps no
    seed on its card has nothing deducted), and only the stockings made with the card:
    recorded after its first seed move was (``card_recorded_at``), or dated after that
    move's date (seed delivered, then stocked, typed in another order). A stocking before
    the team kept seed on its card took seed the card never held. More fish than the card
    holds are deducted all the same: the card goes below 0 and a count puts it right."""
    seeds = [m for m in typed if m.item_kind is StockKind.SEED and m.source == "stock"
             and m.unit.casefold() in SEED_UNITS]
    if not seeds or card_recorded_at is None:
        return []
    first_at = min(m.at for m in seeds)
    out = []
    for st in stockings:
        if st.recorded_at < card_recorded_at and st.at < first_at:
            continue
        pick = _seed_item(seeds, st.at)
        out.append(StockMove(None, team_id, st.at, MoveKind.USE, StockKind.SEED, pick.item,
                             float(st.fish), pick.unit, None, None, None,
                             f"tebar benih kolam {st.pond}", (), "", "stocking",
                             st.cycle_id))
    return out


def ordered(moves: Iterable[StockMove]) -> list[StockMove]:
    """Oldest first; on the same instant deliveries, then uses, then counts."""
    rank = {MoveKind.DELIVERY: 0, MoveKind.USE: 1, MoveKind.COUNT: 2}
    return sorted(moves, key=lambda m: (m.at, rank[m.kind], m.source != "stock",
                                        m.id or m.source_id or 0))


@dataclasses.dataclass
class _Card:
    first: StockMove
    delivered: float = 0.0
    used: float = 0.0
    adjusted: float = 0.0
    sack_kg: float | None = None
    last_count_at: int | None = None

    @property
    def on_hand(self) -> float:
        return self.delivered - self.used + self.adjusted

    def line(self) -> StockLine:
        f = self.first
        return StockLine(f.item_kind, f.item, f.unit, f.protein_pct, self.delivered,
                         self.used, self.adjusted, self.on_hand, self.sack_kg,
                         self.on_hand / self.sack_kg if self.sack_kg else None,
                         self.last_count_at)


def stock_card(moves: Iterable[StockMove], until: int | None = None
               ) -> tuple[list[StockLine], list[StockMove]]:
    """Each item's totals and what is on hand (as of ``until``, else after every move),
    and the moves oldest first with each count's adjustment filled in."""
    cards: dict[tuple[str, str, float], _Card] = {}
    walked = []
    for m in ordered(moves):
        if until is not None and m.at > until:
            continue
        card = cards.setdefault(item_key(m.item_kind, m.item, m.protein_pct), _Card(m))
        if m.kind is MoveKind.DELIVERY:
            card.delivered += m.quantity
            card.sack_kg = m.sack_kg or card.sack_kg
        elif m.kind is MoveKind.USE:
            card.used += m.quantity
        else:
            diff = m.quantity - card.on_hand
            card.adjusted += diff
            card.last_count_at = m.at
            m = dataclasses.replace(m, adjustment=diff)
        walked.append(m)
    kinds = list(StockKind)
    lines = sorted((c.line() for c in cards.values()),
                   key=lambda x: (kinds.index(x.item_kind), x.item.casefold()))
    return lines, walked


def feed_left(lines: Sequence[StockLine], ration_kg_per_day: float, now: int) -> FeedLeft:
    """Days of feed on hand at today's ration (the KPIs' ``feed_today``, summed over the
    team's active cycles), and a warning from a week before it runs out; no days (and no
    warning) while the card holds no feed or nothing is being fed."""
    feeds = [x for x in lines if x.item_kind is StockKind.FEED]
    on_hand = max(0.0, sum(x.on_hand for x in feeds))
    if ration_kg_per_day <= 0 or not feeds:
        return FeedLeft(on_hand, 0.0, None, None, False)
    days = on_hand / ration_kg_per_day
    return FeedLeft(on_hand, ration_kg_per_day, days, now + round(days * DAY_MS),
                    days < WARN_DAYS)
