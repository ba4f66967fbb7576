"""Registry tables of the alerting engine: alerts, silences, the notification outbox and
every delivery attempt. Times are epoch ms UTC; ``*_t`` columns are event (sample) time,
``*_at`` columns wall-clock time."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from kolam.registry.models import Base

_ID = BigInteger().with_variant(Integer(), "sqlite")


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        # One active alert per (pond, rule key), enforced by the database too.
        Index("uq_alerts_active", "site", "pond", "rule_key", unique=True,
              sqlite_where=text("state != 'resolved'"),
              postgresql_where=text("state != 'resolved'")),
        Index("ix_alerts_site_state", "site", "state"),
        Index("ix_alerts_key_resolved", "site", "pond", "rule_key", "resolved_t"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    pond: Mapped[str] = mapped_column(String(32))
    rule_key: Mapped[str] = mapped_column(String(120))
    rule: Mapped[str] = mapped_column(String(32))
    device: Mapped[str | None] = mapped_column(String(32))
    metric: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    threshold: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(String(200), default="")
    since_t: Mapped[int] = mapped_column(BigInteger)
    last_t: Mapped[int] = mapped_column(BigInteger)
    resolved_t: Mapped[int | None] = mapped_column(BigInteger)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    summarised: Mapped[bool] = mapped_column(Boolean, default=False)
    silenced: Mapped[bool] = mapped_column(Boolean, default=False)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    acked_at: Mapped[int | None] = mapped_column(BigInteger)
    acked_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    notified_at: Mapped[int | None] = mapped_column(BigInteger)
    notified_severity: Mapped[str | None] = mapped_column(String(16))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    reminded_at: Mapped[int | None] = mapped_column(BigInteger)


class SilenceRow(Base):
    """A maintenance window: alerts of the pond (or device, or rule) are recorded, not sent."""

    __tablename__ = "alert_silences"
    __table_args__ = (Index("ix_alert_silences_site_end", "site", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    pond: Mapped[str | None] = mapped_column(String(32))
    device: Mapped[str | None] = mapped_column(String(32))
    rule: Mapped[str | None] = mapped_column(String(32))
    starts_at: Mapped[int] = mapped_column(BigInteger)
    ends_at: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)


class NotificationRow(Base):
    """The durable outbox: one row per message per recipient, kept after it is sent."""

    __tablename__ = "alert_notifications"
    __table_args__ = (Index("ix_alert_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), index=True)
    site: Mapped[str] = mapped_column(String(32))
    pond: Mapped[str | None] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2), default="id")
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    """The user this message is for (a duty roster's person), or None for a configured
    contact."""


class AttemptRow(Base):
    """Every delivery attempt and its outcome (ok, error, rate_limited)."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("alert_notifications.id", ondelete="CASCADE"), index=True)
    at: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
