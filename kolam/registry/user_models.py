"""Registry tables for users, their sites, login sessions, API keys and the audit log."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kolam.registry.models import Base


class User(Base):
    """A login. Removal keeps the row (inactive, without password, keys or sessions); a
    user added later under the same name gets a new ``uid``, so nothing of the old
    account's works for the new one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    """Random, named in every token: tokens belong to the account, not the name."""
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    """Named in every token; bumped to end them all (password change, removal, logout-all)."""
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)

    sites: Mapped[list[UserSite]] = relationship(cascade="all, delete-orphan",
                                                 order_by="UserSite.site")


class UserSite(Base):
    """A site a user may see. A slug, not a key: users can be made before their site exists."""

    __tablename__ = "user_sites"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    site: Mapped[str] = mapped_column(String(32), primary_key=True)


class UserSession(Base):
    """One login (a page session or an API token): the token is valid while its row is."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class ApiKey(Base):
    """An integration's key; only its SHA-256 digest is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Who read or changed inmates' data, and when (kept for the rutan's accountability)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_site_time", "site", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    site: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(300), default="")
