"""Registry tables of people on call: a user's contacts and channel preferences, a site's
duty roster, and the one-time acknowledgement links sent in alert messages."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kolam.registry.models import Base

_ID = BigInteger().with_variant(Integer(), "sqlite")


class UserContact(Base):
    """How to reach a user, and on which channels for each severity."""

    __tablename__ = "user_contacts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    """E.164 digits without +, for WhatsApp and SMS."""
    telegram: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="id")
    critical: Mapped[str] = mapped_column(String(64), default="")
    """Channels for critical alerts, comma-separated (``telegram,whatsapp,sms``)."""
    warning: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[int] = mapped_column(BigInteger)


class DutyShift(Base):
    """A weekly shift of one user at one site, in the site's time zone: on the named
    weekdays from ``starts`` to ``ends`` (``HH:MM``; an end at or before the start runs
    past midnight into the next day). ``level`` is the escalation step: 0 hears first."""

    __tablename__ = "duty_shifts"
    __table_args__ = (Index("ix_duty_shifts_site", "site", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    weekdays: Mapped[str] = mapped_column(String(7), default="0123456")
    """ISO weekday numbers less one (0 Monday ... 6 Sunday) the shift starts on."""
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)


class AckLink(Base):
    """A one-time acknowledgement link sent in one notification; only the SHA-256 digest
    of its token is kept."""

    __tablename__ = "ack_links"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        _ID, ForeignKey("alert_notifications.id", ondelete="CASCADE"), index=True)
    alert_id: Mapped[int] = mapped_column(_ID, ForeignKey("alerts.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(64))
    """Who the link acknowledges as: the user, or ``channel:address`` of a configured
    contact."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger)
