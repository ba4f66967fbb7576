"""A fictional month of a team's business for ``kolam demo`` (issue #20).

Invented and labelled so (fiktif): the entrepreneurship team's cash book and stock card over
the last four weeks: capital from the cooperative, feed bought by the sack (Rp 380,000 per
30 kg, DOMAIN.md) and used by the feeding logs, probiotics, packaging, a batch of kerupuk
kulit lele from the fish the team kept of its last harvest, its packs sold, electricity, a
transport entry written wrong and reversed, and a count of the feed that finds 1.5 kg less
than the card. The feed bought is just enough for about five days more at today's ration,
so the pages show the week-ahead warning.

The batch, by hand: 30 kg of fish (valued at the harvest's farm-gate Rp 21,000/kg, Rp
630,000) and Rp 70,000 of flour, oil, spices and gas make 70 packs of about 40 g (2.3 packs
per kg of fish, 9 % of its weight: kerupuk's 0.3-4.0 packs per kg, ``kolam.business.
plausible.YIELDS``), Rp 10,000 a pack; 3 x 20 packs sold at Rp 15,000 are Rp 900,000 of
sales, a margin of Rp 900,000 - 60 x 10,000 = Rp 300,000, and 10 packs stay on the card.
"""

from __future__ import annotations

import math

from kolam.business.records import (
    CashCategory,
    Direction,
    MoveKind,
    NewBatch,
    NewCashEntry,
    NewStockMove,
    StockKind,
)
from kolam.farming.growth import DAY_MS
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.records import CostCategory, CycleInfo, HarvestInfo, LogKind, MemberInfo
from kolam.registry.repo import Registry

HOUR_MS = 3_600_000
SACK_KG, SACK_RP = 30.0, 380_000.0  # DOMAIN.md: about Rp 380,000 per 30 kg sack
LOOSE_RP_PER_KG = 13_000.0  # by the kg, a little over a sack's Rp 12,700/kg
CAPITAL_RP = 3_000_000.0
"""The programme's start-up money, before the first cycle's seed and feed (so the book
never goes below zero before the first harvest is sold)."""
FEED = "pelet apung"
PROTEIN = 31.0  # what the demo's feeding logs name
BY = "demo-trainer"
PRODUCT = "kerupuk kulit lele"
BATCH_PACKS, BATCH_INPUTS_RP = 70, 70_000.0  # the batch, by hand in the module docstring
FISH_RP_PER_KG = 21_000.0  # the harvest's farm-gate price (DOMAIN.md: Rp 18,000-25,000)


def seed_business(registry: Registry, site: str, team_id: int, members: list[MemberInfo],
                  cycles: list[CycleInfo], start: int, now: int,
                  kept: HarvestInfo | None = None) -> None:
    """Four weeks of the team's book and stock from ``start`` (a WIB midnight); the
    kerupuk kulit from ``kept``, fish the team kept of a harvest (none without)."""
    b = Business(registry.engine)
    ids = [m.id for m in members]

    def at(day: int, hour: int = 10) -> int:
        return min(start + day * DAY_MS + hour * HOUR_MS, now - HOUR_MS)

    def entry(day: int, direction: Direction, category: CashCategory, amount: float,
              note: str, who: int, counterparty: str = "", quantity: float | None = None,
              unit: str | None = None, product: str | None = None) -> int:
        new = b.product_sale(site, team_id, NewCashEntry(
            at(day), direction, category, amount, quantity, unit, counterparty, note,
            (ids[who % len(ids)],), product=product), confirmed=False)
        e = b.add_entry(site, team_id, new, BY, confirmed=True)
        assert e.id is not None
        return e.id

    def move(day: int, kind: MoveKind, item_kind: StockKind, item: str, quantity: float,
             unit: str, who: int, paid: float | None = None, note: str = "",
             counterparty: str = "") -> None:
        b.add_move(site, team_id, NewStockMove(
            at(day), kind, item_kind, item, quantity, unit,
            PROTEIN if item_kind is StockKind.FEED else None, SACK_KG, paid, counterparty,
            note, (ids[who % len(ids)],)), BY, confirmed=True)

    if cycles and min(c.stocked_at for c in cycles) < start:
        first = min(c.stocked_at for c in cycles) - HOUR_MS
        b.add_entry(site, team_id, NewCashEntry(
            first, Direction.IN, CashCategory.OTHER, CAPITAL_RP, None, None,
            "program pembinaan (fiktif)", "modal awal benih dan pakan (fiktif)",
            (ids[0],)), BY)
    entry(0, Direction.IN, CashCategory.OTHER, 3_000_000, "modal usaha (fiktif)", 0,
          "koperasi (fiktif)")
    records = Cycles(registry.engine)
    delivered = 0.0
    for c in cycles:  # the sacks each cycle paid as its feed costs, on the card that day
        for cost in records.records(site, c.id).costs:
            if cost.category is CostCategory.FEED and not cost.voided_at:
                sacks = round(cost.amount_rp / SACK_RP)
                b.add_move(site, team_id, NewStockMove(
                    cost.at, MoveKind.DELIVERY, StockKind.FEED, FEED, sacks, "sak", PROTEIN,
                    SACK_KG, None, "", f"sak kolam {c.pond} (biaya siklus)"), BY)
                delivered += sacks * SACK_KG
    move(2, MoveKind.DELIVERY, StockKind.MEDICINE, "probiotik (fiktif)", 1, "botol", 1,
         paid=85_000, counterparty="toko tani (fiktif)")
    if kept is not None:
        b.add_batch(site, team_id, NewBatch(
            at(1), PRODUCT, kept.kg, BATCH_PACKS, kept.id, kept.kg * FISH_RP_PER_KG,
            BATCH_INPUTS_RP, True, "ikan panen yang disimpan beku (fiktif)",
            tuple(ids[:2])), BY)
    used = sum(e.feed_kg or 0.0 for c in cycles for e in records.records(site, c.id).logs
               if e.kind is LogKind.FEEDING)
    ration = b.ration_kg_per_day(site, team_id, now)
    # Feed for five days more: whole sacks, and the rest by the kg (a sack lasts longer
    # than a week of this ration, so sacks alone could miss the warning).
    whole, loose = divmod(max(0.0, used + 5 * ration - delivered), SACK_KG)
    if whole:
        move(5, MoveKind.DELIVERY, StockKind.FEED, FEED, whole, "sak", 2,
             paid=whole * SACK_RP, counterparty="toko pakan (fiktif)")
    if loose:
        kg = math.ceil(loose)
        move(5, MoveKind.DELIVERY, StockKind.FEED, FEED, kg, "kg", 2,
             paid=kg * LOOSE_RP_PER_KG, note="eceran", counterparty="toko pakan (fiktif)")
    move(7, MoveKind.DELIVERY, StockKind.PACKAGING, "plastik kemasan", 100, "pak", 3,
         paid=40_000, counterparty="toko plastik (fiktif)")
    wrong = entry(8, Direction.OUT, CashCategory.TRANSPORT, 35_000, "ongkos angkut pakan", 0)
    b.reverse(site, team_id, wrong, at(9), BY, "salah tulis, seharusnya Rp 25.000")
    entry(9, Direction.OUT, CashCategory.TRANSPORT, 25_000, "ongkos angkut pakan", 0)
    for n, day in enumerate((10, 17, 24)):
        if kept is not None and at(day) < now - HOUR_MS:  # packs of the batch
            entry(day, Direction.IN, CashCategory.PRODUCT_SALES, 300_000,
                  "kerupuk kulit lele (fiktif)", n + 1, ("koperasi (fiktif)", "pengunjung",
                                                          "petugas")[n], 20, "pak", PRODUCT)
            move(day, MoveKind.USE, StockKind.PACKAGING, "plastik kemasan", 20, "pak", n + 1)
    entry(14, Direction.OUT, CashCategory.ELECTRICITY, 150_000, "listrik aerator", 2)
    lines, _ = b.stock(site, team_id, at(20))
    feed = next((x for x in lines if x.item_kind is StockKind.FEED), None)
    if feed is not None:
        move(20, MoveKind.COUNT, StockKind.FEED, FEED, max(0.0, round(feed.on_hand - 1.5, 1)),
             "kg", 3, note="hitung stok gudang")
    entry(21, Direction.OUT, CashCategory.EQUIPMENT, 120_000, "timbangan gantung", 1,
          "toko alat (fiktif)", 1, "buah")

