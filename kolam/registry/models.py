"""Registry tables (SQLAlchemy 2.0): sites, ponds, devices, dead letters.

Times are epoch milliseconds UTC (BigInteger), like the time series, so that
SQLite and PostgreSQL store them identically.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    altitude_m: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Place (kolam.registry.places): null until an admin completes an auto-provisioned site.
    kind: Mapped[str] = mapped_column(String(16), default="other", server_default="other")
    province: Mapped[str | None] = mapped_column(String(100))
    regency: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta",
                                          server_default="Asia/Jakarta")

    ponds: Mapped[list[Pond]] = relationship(back_populates="site", order_by="Pond.slug")


class Pond(Base):
    __tablename__ = "ponds"
    __table_args__ = (UniqueConstraint("site_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    area_m2: Mapped[float | None] = mapped_column(Float)
    depth_cm: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str | None] = mapped_column(String(16))
    min_level_cm: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    site: Mapped[Site] = relationship(back_populates="ponds")
    devices: Mapped[list[Device]] = relationship(back_populates="pond", order_by="Device.slug")


class Device(Base):
    """A sensor node. Its slug is unique within a site; it belongs to one pond."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("site_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    pond_id: Mapped[int] = mapped_column(ForeignKey("ponds.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_provisioned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    online: Mapped[bool | None] = mapped_column(Boolean)
    status_at: Mapped[int | None] = mapped_column(BigInteger)
    fw: Mapped[str | None] = mapped_column(String(64))
    boot: Mapped[int | None] = mapped_column(BigInteger)
    battery_v: Mapped[float | None] = mapped_column(Float)
    rssi_dbm: Mapped[float | None] = mapped_column(Float)
    interval_s: Mapped[float | None] = mapped_column(Float)
    # Broker login (kolam devices add/rotate): two one-way hashes of one random password,
    # Argon2id for Kolam and PBKDF2-SHA512 ($7$) for Mosquitto's password file.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    broker_hash: Mapped[str | None] = mapped_column(String(200))
    credentials_at: Mapped[int | None] = mapped_column(BigInteger)

    pond: Mapped[Pond] = relationship(back_populates="devices")


class BrokerAccount(Base):
    """A service's broker login (ingest, API, a site's gateway, ...); see kolam.broker.acl."""

    __tablename__ = "broker_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    site: Mapped[str | None] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    broker_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[int] = mapped_column(BigInteger)
    credentials_at: Mapped[int] = mapped_column(BigInteger)


class DeadLetter(Base):
    """A message or sample that failed validation, kept so nothing is silently dropped."""

    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_reason_time", "reason", "received_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    received_at: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(Text)


# The farming and user tables live in their own modules; importing them here puts them
# in ``Base.metadata`` for whoever loads the models (Alembic included).
from kolam.registry import (  # noqa: E402, F401
    alert_models,
    business_models,
    farm_models,
    maintenance_models,
    people_models,
    user_models,
)
