"""A team's production batches of processed products in the registry (issue #20 item 3).

A batch takes fish (kg, from one of the team's harvests, valued at that harvest's price
unless ``fish_rp`` is given) and other inputs, and yields packs; paid inputs also go in the
book. Packs per kg of fish implausible for the product (``kolam.business.plausible``) are
stored only when confirmed. Yield and margin per product: ``kolam.business.products``.
"""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kolam.business import products
from kolam.business.plausible import check_batch
from kolam.business.records import (
    Batch,
    CashCategory,
    Direction,
    NewBatch,
    NewCashEntry,
    ProductResult,
)
from kolam.errors import InvalidRecord
from kolam.registry.book_entries import BookEntries, check_when, insert_entry, team_members
from kolam.registry.business_models import ProductBatchRow
from kolam.registry.farm_models import Cycle, Harvest
from kolam.registry.teams import team_row
from kolam.timeutil import now_ms


def batch_info(b: ProductBatchRow) -> Batch:
    return Batch(b.id, b.team_id, b.at, b.product, b.harvest_id, b.fish_kg, b.fish_rp,
                 b.inputs_rp, b.packs, (b.fish_rp + b.inputs_rp) / b.packs, b.note,
                 tuple(m.id for m in b.members), b.recorded_by)


def _check_numbers(new: NewBatch) -> str:
    """The batch's product name, cleaned; ``InvalidRecord`` for what no batch can be."""
    product = " ".join(new.product.split())[:100]
    if not product:
        raise InvalidRecord("a batch needs a product", key="item_required")
    for name, v in (("fish_kg", new.fish_kg), ("packs", new.packs)):
        if not math.isfinite(v) or v <= 0:
            raise InvalidRecord(f"{name} must be more than 0")
    if not math.isfinite(new.inputs_rp) or new.inputs_rp < 0 or (
            new.fish_rp is not None and (not math.isfinite(new.fish_rp) or new.fish_rp < 0)):
        raise InvalidRecord("amounts cannot be negative")
    return product


class ProductBatches(BookEntries):
    """The cash books with the teams' production batches."""

    def add_batch(self, site: str, team_id: int, new: NewBatch, by: str, *,
                  confirmed: bool = False) -> Batch:
        """A production batch; its fish from one of the team's harvests (valued at that
        harvest's price unless ``fish_rp`` is given); paid inputs also go in the book.
        Packs per kg of fish outside the product's range (``check_batch``) only
        ``confirmed``, asked after every refusal."""
        product = _check_numbers(new)
        with self._sessions() as s, s.begin():
            team = team_row(s, site, team_id)
            check_when(team, new.at)
            fish_rp = new.fish_rp
            if new.harvest_id is not None:
                h = s.scalar(select(Harvest).join(Cycle).where(
                    Harvest.id == new.harvest_id, Cycle.team_id == team.id,
                    Harvest.voided_at.is_(None)))
                if h is None:
                    raise InvalidRecord(f"harvest {new.harvest_id} is not a harvest of team "
                                        f"{team.id}", key="not_team_cycle",
                                        cycle=new.harvest_id)
                if new.fish_kg > h.kg:
                    raise InvalidRecord(f"{new.fish_kg:g} kg is more than the harvest's "
                                        f"{h.kg:g} kg")
                fish_rp = fish_rp if fish_rp is not None else new.fish_kg * h.price_per_kg_rp
            members = team_members(s, team, new.member_ids)
            doubt = check_batch(new)
            if doubt is not None and not confirmed:
                raise doubt
            if new.inputs_paid and new.inputs_rp > 0:
                insert_entry(s, team, NewCashEntry(
                    new.at, Direction.OUT, CashCategory.OTHER, new.inputs_rp, None, None, "",
                    f"bahan {product}", new.member_ids), by, True)
            row = ProductBatchRow(team_id=team.id, at=new.at, product=product,
                                  harvest_id=new.harvest_id, fish_kg=new.fish_kg,
                                  fish_rp=fish_rp or 0.0, inputs_rp=new.inputs_rp,
                                  packs=new.packs, note=new.note.strip(), recorded_by=by,
                                  created_at=now_ms(), members=members)
            s.add(row)
            s.flush()
            return batch_info(row)

    def batches(self, site: str, team_id: int) -> list[Batch]:
        with self._sessions() as s:
            team = team_row(s, site, team_id)
            return [batch_info(b) for b in s.scalars(
                select(ProductBatchRow).where(ProductBatchRow.team_id == team.id)
                .options(selectinload(ProductBatchRow.members))
                .order_by(ProductBatchRow.at, ProductBatchRow.id))]

    def products(self, site: str, team_id: int) -> list[ProductResult]:
        return products.product_results(self.batches(site, team_id),
                                        self.typed_entries(site, team_id))
