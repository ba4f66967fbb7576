"""A fictional month of a team's business for ``kolam demo`` (issue #20).

Invented and labelled so (fiktif): the entrepreneurship team's cash book and stock card over
the last four weeks: capital from the cooperative, feed bought by the sack (Rp 380,000 per
30 kg, DOMAIN.md) and used by the feeding logs, probiotics, packaging, kerupuk kulit lele
sold by the pack, electricity, a transport entry written wrong and reversed, and a count of
the feed that finds 1.5 kg less than the card. The feed bought is just enough for about
five days more at today's ration, so the pages show the week-ahead warning.
"""

from __future__ import annotations

import math

from kolam.business.records import (
    CashCategory,
    Direction,
    MoveKind,
    NewCashEntry,
    NewStockMove,
    StockKind,
)
from kolam.farming.growth import DAY_MS
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.records import CycleInfo, LogKind, MemberInfo
from kolam.registry.repo import Registry

HOUR_MS = 3_600_000
SACK_KG, SACK_RP = 30.0, 380_000.0  # DOMAIN.md: about Rp 380,000 per 30 kg sack
FEED = "pelet apung"
PROTEIN = 31.0  # what the demo's feeding logs name
BY = "demo-trainer"


def seed_business(registry: Registry, site: str, team_id: int, members: list[MemberInfo],
                  cycles: list[CycleInfo], start: int, now: int) -> None:
    """Four weeks of the team's book and stock from ``start`` (a WIB midnight)."""
    b = Business(registry.engine)
    ids = [m.id for m in members]

    def at(day: int, hour: int = 10) -> int:
        return min(start + day * DAY_MS + hour * HOUR_MS, now - HOUR_MS)

    def entry(day: int, direction: Direction, category: CashCategory, amount: float,
              note: str, who: int, counterparty: str = "", quantity: float | None = None,
              unit: str | None = None) -> int:
        e = b.add_entry(site, team_id, NewCashEntry(
            at(day), direction, category, amount, quantity, unit, counterparty, note,
            (ids[who % len(ids)],)), BY, confirmed=True)
        assert e.id is not None
        return e.id

    def move(day: int, kind: MoveKind, item_kind: StockKind, item: str, quantity: float,
             unit: str, who: int, paid: float | None = None, note: str = "",
             counterparty: str = "") -> None:
        b.add_move(site, team_id, NewStockMove(
            at(day), kind, item_kind, item, quantity, unit,
            PROTEIN if item_kind is StockKind.FEED else None, SACK_KG, paid, counterparty,
            note, (ids[who % len(ids)],)), BY, confirmed=True)

    entry(0, Direction.IN, CashCategory.OTHER, 3_000_000, "modal usaha (fiktif)", 0,
          "koperasi (fiktif)")
    for c in cycles:  # the first sack of each pond was paid as the cycle's feed cost
        b.add_move(site, team_id, NewStockMove(
            c.stocked_at, MoveKind.DELIVERY, StockKind.FEED, FEED, 1, "sak", PROTEIN,
            SACK_KG, None, "", f"sak pertama kolam {c.pond} (biaya siklus)"), BY)
    move(2, MoveKind.DELIVERY, StockKind.MEDICINE, "probiotik (fiktif)", 1, "botol", 1,
         paid=85_000, counterparty="toko tani (fiktif)")
    records = Cycles(registry.engine)
    used = sum(e.feed_kg or 0.0 for c in cycles for e in records.records(site, c.id).logs
               if e.kind is LogKind.FEEDING)
    ration = b.ration_kg_per_day(site, team_id, now)
    need = used + 5 * ration - SACK_KG * len(cycles)
    sacks = max(0, math.ceil(need / SACK_KG))
    if sacks:
        move(5, MoveKind.DELIVERY, StockKind.FEED, FEED, sacks, "sak", 2,
             paid=sacks * SACK_RP, counterparty="toko pakan (fiktif)")
    move(7, MoveKind.DELIVERY, StockKind.PACKAGING, "plastik kemasan", 100, "pak", 3,
         paid=40_000, counterparty="toko plastik (fiktif)")
    wrong = entry(8, Direction.OUT, CashCategory.TRANSPORT, 35_000, "ongkos angkut pakan", 0)
    b.reverse(site, team_id, wrong, at(9), BY, "salah tulis, seharusnya Rp 25.000")
    entry(9, Direction.OUT, CashCategory.TRANSPORT, 25_000, "ongkos angkut pakan", 0)
    for n, day in enumerate((10, 17, 24)):
        if at(day) < now - HOUR_MS:
            entry(day, Direction.IN, CashCategory.PRODUCT_SALES, 300_000,
                  "kerupuk kulit lele (fiktif)", n + 1, ("koperasi (fiktif)", "pengunjung",
                                                          "petugas")[n], 20, "pak")
            move(day, MoveKind.USE, StockKind.PACKAGING, "plastik kemasan", 20, "pak", n + 1)
    entry(14, Direction.OUT, CashCategory.ELECTRICITY, 150_000, "listrik aerator", 2)
    lines, _ = b.stock(site, team_id, at(20))
    feed = next((x for x in lines if x.item_kind is StockKind.FEED), None)
    if feed is not None:
        move(20, MoveKind.COUNT, StockKind.FEED, FEED, max(0.0, round(feed.on_hand - 1.5, 1)),
             "kg", 3, note="hitung stok gudang")
    entry(21, Direction.OUT, CashCategory.EQUIPMENT, 120_000, "timbangan gantung", 1,
          "toko alat (fiktif)", 1, "buah")

