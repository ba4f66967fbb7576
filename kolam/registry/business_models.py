"""Registry tables of the team's business (issue #20): cash book entries and stock moves.

Only what is typed is stored; harvest sales, cycle costs and feeding logs are read from
their own tables when the book and the stock card are shown (``kolam.registry.cashbook``).
Nothing is updated after it is written: a reversal is a new row naming the one it cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kolam.registry.models import Base

if TYPE_CHECKING:
    from kolam.registry.farm_models import Member


class CashEntryRow(Base):
    """A line typed into a team's cash book."""

    __tablename__ = "cash_entries"
    __table_args__ = (Index("ix_cash_entries_team_time", "team_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    at: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32))
    amount_rp: Mapped[float] = mapped_column(Float)
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    product: Mapped[str | None] = mapped_column(String(100))
    reverses: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    reason: Mapped[str | None] = mapped_column(String(200))

    members: Mapped[list[Member]] = relationship(secondary="cash_entry_members",
                                                 order_by="Member.id")


cash_entry_members = Table(
    "cash_entry_members", Base.metadata,
    Column("entry_id", ForeignKey("cash_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
"""The members who took part in a book entry: their skill record's business work."""


class StockMoveRow(Base):
    """A delivery, a typed use, or a count of one item of a team's stock."""

    __tablename__ = "stock_moves"
    __table_args__ = (Index("ix_stock_moves_team_time", "team_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    at: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    item_kind: Mapped[str] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    protein_pct: Mapped[float | None] = mapped_column(Float)
    sack_kg: Mapped[float | None] = mapped_column(Float)
    cash_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("cash_entries.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)

    members: Mapped[list[Member]] = relationship(secondary="stock_move_members",
                                                 order_by="Member.id")


stock_move_members = Table(
    "stock_move_members", Base.metadata,
    Column("move_id", ForeignKey("stock_moves.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class ProductBatchRow(Base):
    """A production batch of a processed product: fish (kg, from a harvest) and other
    inputs in, packs out."""

    __tablename__ = "product_batches"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         index=True)
    at: Mapped[int] = mapped_column(BigInteger)
    product: Mapped[str] = mapped_column(String(100))
    harvest_id: Mapped[int | None] = mapped_column(
        ForeignKey("harvests.id", ondelete="SET NULL"))
    fish_kg: Mapped[float] = mapped_column(Float)
    fish_rp: Mapped[float] = mapped_column(Float)
    inputs_rp: Mapped[float] = mapped_column(Float)
    packs: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)

    members: Mapped[list[Member]] = relationship(secondary="product_batch_members",
                                                 order_by="Member.id")


product_batch_members = Table(
    "product_batch_members", Base.metadata,
    Column("batch_id", ForeignKey("product_batches.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
