"""Users, their sites and API keys, and the audit log of who touched members' data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from kolam.auth import (
    DUMMY_HASH,
    AuthError,
    Principal,
    Role,
    api_key_digest,
    check_sites,
    new_api_key,
)
from kolam.errors import NotFound
from kolam.hashing import hash_password, verify_password
from kolam.protocol import SLUG_RE
from kolam.registry.db import session_factory
from kolam.registry.records import InvalidRecord
from kolam.registry.user_models import ApiKey, AuditEntry, User, UserSite
from kolam.timeutil import now_ms


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: int
    username: str
    action: str
    entity: str
    entity_id: int | None
    site: str | None
    detail: str


def _principal(u: User, via: str = "token") -> Principal:
    return Principal(u.username, Role(u.role), frozenset(x.site for x in u.sites), via)


class Users:
    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def add(self, username: str, role: Role, sites: Iterable[str] = (),
            password: str | None = None) -> Principal:
        """Create a user (or replace the role, sites and password of an existing one)."""
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise InvalidRecord("a username is 1–64 characters without spaces")
        site_set = frozenset(sites)
        bad = sorted(x for x in site_set if not SLUG_RE.fullmatch(x))
        if bad:
            raise InvalidRecord(f"not site slugs: {bad}")
        try:
            check_sites(role, site_set)
            digest = hash_password(password) if password is not None else None
        except ValueError as exc:
            raise InvalidRecord(str(exc)) from exc
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                u = User(username=username, role=role.value, active=True, created_at=now_ms())
                s.add(u)
            u.role, u.active = role.value, True
            if digest is not None:
                u.password_hash = digest
            u.sites = [UserSite(site=x) for x in sorted(site_set)]
            s.flush()
            return _principal(u)

    def get(self, username: str) -> Principal:
        with self._sessions() as s:
            u = s.scalar(select(User).where(User.username == username, User.active))
            if u is None:
                raise NotFound(f"no user {username!r}")
            return _principal(u)

    def all(self) -> list[Principal]:
        with self._sessions() as s:
            return [_principal(u) for u in s.scalars(select(User).where(User.active)
                                                     .order_by(User.username))]

    def deactivate(self, username: str) -> None:
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                raise NotFound(f"no user {username!r}")
            u.active = False

    def authenticate(self, username: str, password: str) -> Principal:
        """The user whose password this is; ``AuthError`` with one message for any failure."""
        with self._sessions() as s:
            u = s.scalar(select(User).where(User.username == username, User.active))
            stored = u.password_hash if u is not None and u.password_hash else DUMMY_HASH
            ok = verify_password(stored, password)
            if u is None or not u.password_hash or not ok:
                raise AuthError("wrong username or password")
            return _principal(u, "password")

    def add_api_key(self, username: str, name: str) -> str:
        """Create a key acting as ``username``; the key is shown once, only its digest kept."""
        key = new_api_key()
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username, User.active))
            if u is None:
                raise NotFound(f"no user {username!r}")
            s.add(ApiKey(user_id=u.id, name=name, digest=api_key_digest(key),
                         created_at=now_ms(), revoked=False))
        return key

    def by_api_key(self, key: str) -> Principal:
        with self._sessions() as s:
            u = s.scalar(select(User).join(ApiKey).where(
                ApiKey.digest == api_key_digest(key), ApiKey.revoked.is_(False), User.active))
            if u is None:
                raise AuthError("invalid API key")
            return _principal(u, "api_key")

    def audit(self, who: str, action: str, entity: str, entity_id: int | None,
              site: str | None, detail: str = "") -> None:
        with self._sessions() as s, s.begin():
            s.add(AuditEntry(at=now_ms(), username=who, action=action, entity=entity,
                             entity_id=entity_id, site=site, detail=detail[:300]))

    def audit_log(self, *, site: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[AuditRecord]:
        with self._sessions() as s:
            q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
            if site is not None:
                q = q.where(AuditEntry.site == site)
            return [AuditRecord(a.id, a.at, a.username, a.action, a.entity, a.entity_id,
                                a.site, a.detail) for a in s.scalars(q)]
