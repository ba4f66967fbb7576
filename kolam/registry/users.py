"""Users, their sites, logins and API keys, and the audit log of who touched members' data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from kolam.errors import NotFound
from kolam.protocol import SLUG_RE
from kolam.registry.db import session_factory
from kolam.registry.fields import from_row
from kolam.registry.records import InvalidRecord
from kolam.registry.user_models import ApiKey, AuditEntry, User, UserSession, UserSite
from kolam.security.auth import (
    DUMMY_HASH,
    AuthError,
    Principal,
    Role,
    TokenClaims,
    api_key_digest,
    check_sites,
    new_account_id,
    new_api_key,
)
from kolam.security.hashing import hash_password, verify_password
from kolam.security.strength import check_password
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


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key as listed: never the key itself, which is shown once when made."""

    id: int
    name: str
    created_at: int
    revoked: bool


def _principal(u: User, via: str = "token") -> Principal:
    return Principal(u.username, Role(u.role), frozenset(x.site for x in u.sites), via,
                     uid=u.uid, token_version=u.token_version)


def _end_logins(s: Session, u: User) -> None:
    """Every token of the account stops working: a new version, and no sessions."""
    u.token_version += 1
    s.execute(delete(UserSession).where(UserSession.user_id == u.id))


class Users:
    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def add(self, username: str, role: Role, sites: Iterable[str] = (),
            password: str | None = None) -> Principal:
        """Create a user (or replace the role, sites and password of an existing one).

        A new password ends every login of the user. A removed user's name given again
        makes a new account: none of the old one's tokens, sessions or keys work for it.
        """
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise InvalidRecord("a username is 1–64 characters without spaces")
        site_set = frozenset(sites)
        bad = sorted(x for x in site_set if not SLUG_RE.fullmatch(x))
        if bad:
            raise InvalidRecord(f"not site slugs: {bad}")
        try:
            check_sites(role, site_set)
            if password is not None:
                check_password(password, username)
        except ValueError as exc:
            raise InvalidRecord(str(exc)) from exc
        # Argon2 runs outside the write transaction, which it would hold for its duration.
        digest = hash_password(password) if password is not None else None
        unchanged = password is not None and self._has_password(username, password)
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                u = User(username=username, role=role.value, active=True, created_at=now_ms(),
                         uid=new_account_id(), token_version=0)
                s.add(u)
            elif not u.active:  # a new person under a removed user's name
                u.uid, u.created_at, u.password_hash = new_account_id(), now_ms(), None
                _end_logins(s, u)
                unchanged = False
            u.role, u.active = role.value, True
            if digest is not None and not unchanged:
                if u.password_hash:
                    _end_logins(s, u)
                u.password_hash = digest
            u.sites = [UserSite(site=x) for x in sorted(site_set)]
            s.flush()
            return _principal(u)

    def _has_password(self, username: str, password: str) -> bool:
        with self._sessions() as s:
            stored = s.scalar(select(User.password_hash).where(User.username == username))
        return stored is not None and verify_password(stored, password)

    def get(self, username: str) -> Principal:
        with self._sessions() as s:
            u = s.scalar(select(User).where(User.username == username, User.active))
            if u is None:
                raise NotFound(f"no user {username!r}")
            return _principal(u)

    def find(self, username: str) -> Principal | None:
        """The active user of this name, or None."""
        try:
            return self.get(username.strip())
        except NotFound:
            return None

    def all(self) -> list[Principal]:
        with self._sessions() as s:
            return [_principal(u) for u in s.scalars(select(User).where(User.active)
                                                     .order_by(User.username))]

    def deactivate(self, username: str) -> None:
        """Remove a user: its password, sessions and API keys go, its tokens end.

        The row stays (inactive) so the audit log's names keep meaning the same account.
        """
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                raise NotFound(f"no user {username!r}")
            u.active, u.password_hash = False, None
            _end_logins(s, u)
            s.execute(delete(ApiKey).where(ApiKey.user_id == u.id))

    def authenticate(self, username: str, password: str) -> Principal:
        """The user whose password this is; ``AuthError`` with one message for any failure."""
        with self._sessions() as s:
            u = s.scalar(select(User).where(User.username == username, User.active))
            stored = u.password_hash if u is not None and u.password_hash else DUMMY_HASH
            ok = verify_password(stored, password)
            if u is None or not u.password_hash or not ok:
                raise AuthError("wrong username or password")
            return _principal(u, "password")

    # ------------------------------------------------------------ logins

    def start_session(self, user: Principal, ttl_s: int) -> TokenClaims:
        """A new server-side session for ``user``: the claims its token carries.

        Sessions past their expiry are swept here, so the table holds only live ones.
        """
        now = now_ms()
        sid = new_account_id()
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.uid == user.uid, User.active))
            if u is None:
                raise AuthError("this login's user no longer exists")
            s.execute(delete(UserSession).where(UserSession.expires_at < now))
            s.add(UserSession(id=sid, user_id=u.id, created_at=now,
                              expires_at=now + ttl_s * 1000))
            return TokenClaims(u.username, u.uid, u.token_version, sid)

    def by_token(self, claims: TokenClaims) -> Principal:
        """The user a token's claims name, if the account, its token version and the
        session all still hold; ``AuthError`` otherwise."""
        with self._sessions() as s:
            u = s.scalar(select(User).join(UserSession).where(
                User.uid == claims.uid, User.active, User.token_version == claims.version,
                UserSession.id == claims.session, UserSession.expires_at >= now_ms()))
            if u is None:
                raise AuthError("this login has ended: log in again")
            return _principal(u)

    def end_session(self, claims: TokenClaims) -> None:
        """Log out: this one token stops working, the user's other logins go on."""
        with self._sessions() as s, s.begin():
            s.execute(delete(UserSession).where(UserSession.id == claims.session))

    def end_all_logins(self, username: str) -> None:
        """Log out everywhere: every token and page session of the user ends (API keys
        stay; revoke those one by one)."""
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username, User.active))
            if u is None:
                raise NotFound(f"no user {username!r}")
            _end_logins(s, u)

    # ------------------------------------------------------------ API keys

    def add_api_key(self, username: str, name: str) -> str:
        """Create a key acting as ``username``; the key is shown once, only its digest kept."""
        return self.create_api_key(username, name)[1]

    def create_api_key(self, username: str, name: str) -> tuple[ApiKeyRecord, str]:
        """Like ``add_api_key``, with the record (its id is what revoking takes)."""
        key = new_api_key()
        with self._sessions() as s, s.begin():
            u = s.scalar(select(User).where(User.username == username, User.active))
            if u is None:
                raise NotFound(f"no user {username!r}")
            k = ApiKey(user_id=u.id, name=name, digest=api_key_digest(key),
                       created_at=now_ms(), revoked=False)
            s.add(k)
            s.flush()
            return from_row(ApiKeyRecord, k), key

    def api_keys(self, username: str) -> list[ApiKeyRecord]:
        with self._sessions() as s:
            rows = s.scalars(select(ApiKey).join(User).where(
                User.username == username, User.active).order_by(ApiKey.id))
            return [from_row(ApiKeyRecord, k) for k in rows]

    def revoke_api_key(self, username: str, key_id: int) -> ApiKeyRecord:
        """The key stops working at once; it stays listed, marked revoked."""
        with self._sessions() as s, s.begin():
            k = s.scalar(select(ApiKey).join(User).where(
                ApiKey.id == key_id, User.username == username, User.active))
            if k is None:
                raise NotFound(f"user {username!r} has no API key {key_id}")
            k.revoked = True
            return from_row(ApiKeyRecord, k)

    def by_api_key(self, key: str) -> Principal:
        with self._sessions() as s:
            u = s.scalar(select(User).join(ApiKey).where(
                ApiKey.digest == api_key_digest(key), ApiKey.revoked.is_(False), User.active))
            if u is None:
                raise AuthError("invalid API key")
            return _principal(u, "api_key")

    # ------------------------------------------------------------ audit log

    def audit(self, who: str, action: str, entity: str, entity_id: int | None,
              site: str | None, detail: str = "") -> None:
        with self._sessions() as s, s.begin():
            s.add(AuditEntry(at=now_ms(), username=who, action=action, entity=entity,
                             entity_id=entity_id, site=site, detail=detail[:300]))

    def audit_log(self, *, site: str | None = None, sites: frozenset[str] | None = None,
                  limit: int = 100, offset: int = 0) -> list[AuditRecord]:
        """Newest first; ``sites`` (a site-scoped admin's) keeps only entries of those
        sites: logins and user changes, which name no site, are for global admins."""
        with self._sessions() as s:
            q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
            if site is not None:
                q = q.where(AuditEntry.site == site)
            if sites is not None:
                q = q.where(AuditEntry.site.in_(sorted(sites)))
            return [from_row(AuditRecord, a) for a in s.scalars(q)]
