"""Registry tables for the farming: teams, members, cycles, daily logs, harvests, costs.

Times are epoch milliseconds UTC like the rest of the registry; money is in rupiah.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kolam.registry.models import Base


class Team(Base):
    """A training team (kelompok) at a site."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    programme: Mapped[str] = mapped_column(String(32))
    instructors: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[int] = mapped_column(BigInteger)
    ends_at: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)

    members: Mapped[list[Member]] = relationship(back_populates="team", order_by="Member.id")


class Member(Base):
    """A trainee in a team. The full name is optional and shown to officers only."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "registration_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    registration_no: Mapped[str] = mapped_column(String(40))
    alias: Mapped[str] = mapped_column(String(60))
    full_name: Mapped[str | None] = mapped_column(String(200))
    joined_at: Mapped[int] = mapped_column(BigInteger)
    left_at: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)

    team: Mapped[Team] = relationship(back_populates="members")


class Cycle(Base):
    """One grow-out cycle (siklus) of one team in one pond, from stocking to final harvest."""

    __tablename__ = "cycles"
    __table_args__ = (
        # One active cycle per pond, enforced by the database as well as by the checks.
        Index("uq_cycles_active_pond", "pond_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pond_id: Mapped[int] = mapped_column(ForeignKey("ponds.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    stocked_at: Mapped[int] = mapped_column(BigInteger)
    seed_count: Mapped[int] = mapped_column(Integer)
    seed_weight_g: Mapped[float] = mapped_column(Float)
    seed_length_cm: Mapped[float | None] = mapped_column(Float)
    seed_source: Mapped[str] = mapped_column(String(200), default="")
    seed_cost_rp: Mapped[float] = mapped_column(Float, default=0.0)
    target_fish_per_kg: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[int] = mapped_column(BigInteger)


class LogEntry(Base):
    """A daily record: feeding, mortality, sampling, water exchange, treatment,
    manual measurement or note. Columns that do not apply to the kind stay NULL."""

    __tablename__ = "cycle_logs"
    __table_args__ = (Index("ix_cycle_logs_cycle_time", "cycle_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    at: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    feed_kg: Mapped[float | None] = mapped_column(Float)
    feed_type: Mapped[str | None] = mapped_column(String(100))
    protein_pct: Mapped[float | None] = mapped_column(Float)
    dead_count: Mapped[int | None] = mapped_column(Integer)
    sample_count: Mapped[int | None] = mapped_column(Integer)
    sample_weight_g: Mapped[float | None] = mapped_column(Float)
    exchange_pct: Mapped[float | None] = mapped_column(Float)
    treatment: Mapped[str | None] = mapped_column(String(200))
    dose: Mapped[str | None] = mapped_column(String(100))
    metric: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(String(200))
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    """The idempotency key of a log made elsewhere (the gateway's kiosk, migration 0012)."""
    replaces_id: Mapped[int | None] = mapped_column(BigInteger)

    members: Mapped[list[Member]] = relationship(secondary="log_members",
                                                 order_by="Member.id")


log_members = Table(
    "log_members", Base.metadata,
    Column("log_id", ForeignKey("cycle_logs.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
"""The members who did the work of a log (issue #17); feeds their skill record."""


harvest_members = Table(
    "harvest_members", Base.metadata,
    Column("harvest_id", ForeignKey("harvests.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)


class Harvest(Base):
    """A partial or final harvest; the final one ends the cycle."""

    __tablename__ = "harvests"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"),
                                          index=True)
    at: Mapped[int] = mapped_column(BigInteger)
    final: Mapped[bool] = mapped_column(Boolean)
    kg: Mapped[float] = mapped_column(Float)
    fish_per_kg: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    count_measured: Mapped[bool] = mapped_column(Boolean)
    buyer: Mapped[str] = mapped_column(String(200), default="")
    price_per_kg_rp: Mapped[float] = mapped_column(Float, default=0.0)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(String(200))
    replaces_id: Mapped[int | None] = mapped_column(BigInteger)

    members: Mapped[list[Member]] = relationship(secondary=harvest_members,
                                                 order_by="Member.id")


class Cost(Base):
    """Money spent on a cycle besides the seed purchase recorded at stocking."""

    __tablename__ = "costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"),
                                          index=True)
    at: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(16))
    amount_rp: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(String(200))
    replaces_id: Mapped[int | None] = mapped_column(BigInteger)
