"""Registry tables for probe care: calibration and maintenance entries of a device.

An entry is never erased: a wrong one is voided (when, by whom, why), like the daily
logs (migration 0006).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kolam.registry.models import Base

if TYPE_CHECKING:
    from kolam.registry.farm_models import Member


class MaintenanceEntry(Base):
    """A DO membrane check, a pH calibration, a probe cleaning or a drift check of one
    device. Columns that do not apply to the kind stay NULL."""

    __tablename__ = "device_maintenance"
    __table_args__ = (Index("ix_device_maintenance_device_kind_at", "device_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    pond_id: Mapped[int] = mapped_column(ForeignKey("ponds.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(64))
    # pH calibration: the two buffers, the electrode's mV in each, their temperature.
    buffer1: Mapped[float | None] = mapped_column(Float)
    reading1: Mapped[float | None] = mapped_column(Float)
    buffer2: Mapped[float | None] = mapped_column(Float)
    reading2: Mapped[float | None] = mapped_column(Float)
    temp_c: Mapped[float | None] = mapped_column(Float)
    # Drift check: the metric and the manual reading (the probe's is read from the store).
    metric: Mapped[str | None] = mapped_column(String(32))
    manual_value: Mapped[float | None] = mapped_column(Float)
    probe_value: Mapped[float | None] = mapped_column(Float)
    probe_at: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str | None] = mapped_column(String(200))

    members: Mapped[list[Member]] = relationship(secondary="maintenance_members",
                                                 order_by="Member.id")


maintenance_members = Table(
    "maintenance_members", Base.metadata,
    Column("entry_id", ForeignKey("device_maintenance.id", ondelete="CASCADE"),
           primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
"""The members who did the care; feeds their skill record."""
