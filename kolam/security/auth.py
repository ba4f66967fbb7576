"""Who may do what: roles, password hashes, login tokens and API keys.

Passwords are hashed with Argon2id (argon2-cffi, the reference binding, with its
RFC 9106 defaults). Login tokens are short-lived HS256 JWTs (PyJWT) that name the
user's account (a random id, not the name), the account's token version and the
server-side session; the role and sites are read from the registry at every request,
so a removed user or a changed role takes effect at once, a password change or
"log out everywhere" ends every token, and a logout ends its own. API keys are random
strings of which only a SHA-256 digest is stored: a stolen database does not leak them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kolam.config import KolamConfig
from kolam.errors import AuthError as AuthError
from kolam.errors import Forbidden as Forbidden
from kolam.security.files import private_dir, write_atomic

TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name
API_KEY_PREFIX = "kolam_"
_hasher = PasswordHasher()


class Role(StrEnum):
    """What a user is for (DESIGN.md, "Users, authentication, pages")."""

    ADMIN = "admin"
    """Runs the installation; all sites, or the sites listed."""
    OFFICER = "officer"
    """Rutan staff and instructors of one site: record the farming, see members' names."""
    DINAS = "dinas"
    """The fisheries office, remotely: reads aliases and aggregates of its sites."""
    KIOSK = "kiosk"
    """The trainees' shared tablet at one site: pond status, tasks, limited log entry."""
    TRAINER = "trainer"
    """An UMKM trainer of one site (issue #20): reads and records the teams' business (cash
    book, stock); sees members by alias only."""


SPANS_SITES = frozenset({Role.ADMIN, Role.DINAS})
"""Roles that may hold several sites (or, with none listed, every site)."""
SEES_NAMES = frozenset({Role.ADMIN, Role.OFFICER})
"""Roles allowed to see members' full names and registration numbers."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user as the API sees it."""

    username: str
    role: Role
    sites: frozenset[str]
    """Sites this user may see; empty for an admin or dinas user means every site."""
    via: str = "token"
    uid: str = ""
    """The account's random id: a later user of the same name gets another."""
    token_version: int = 0
    """Bumped to end every token of the account (password change, removal, logout-all)."""

    @property
    def all_sites(self) -> bool:
        return self.role in SPANS_SITES and not self.sites

    def can_see(self, site: str) -> bool:
        return self.all_sites or site in self.sites

    @property
    def sees_names(self) -> bool:
        return self.role in SEES_NAMES

    def may_manage(self, role: Role, sites: frozenset[str]) -> bool:
        """The one rule for acting on a user (making, changing, keys): only an admin, and
        only on users whose sites are a subset of its own. An admin of every site acts on
        anyone; a site-scoped admin never on a user of every site (global admin or dinas).
        """
        if self.role is not Role.ADMIN:
            return False
        if self.all_sites:
            return True
        of_every_site = role in SPANS_SITES and not sites
        return not of_every_site and sites <= self.sites

    def may_act_on(self, other: Principal) -> bool:
        return self.may_manage(other.role, other.sites)


def check_sites(role: Role, sites: frozenset[str]) -> None:
    """Officers and kiosks belong to exactly one site; admin and dinas to any number."""
    if role not in SPANS_SITES and len(sites) != 1:
        raise ValueError(f"a {role.value} user needs exactly one --site (got {len(sites)})")


def hash_password(password: str) -> str:
    """An Argon2id hash; the caller has checked the password against the policy
    (``kolam.security.strength.check_password``)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A fixed hash to verify against when the user does not exist, so that a wrong
# username costs the same time as a wrong password (no user enumeration by timing).
DUMMY_HASH = _hasher.hash("no such user, no such password")


def new_account_id() -> str:
    """A random id for an account or a session: never reused, unlike a name or a row id."""
    return secrets.token_hex(16)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def secret_key(config: KolamConfig) -> str:
    """The configured signing key, else one generated once and kept in the data dir.

    Every API process of one installation shares the data dir, so they share the key
    and a token from one is valid at the other.
    """
    if config.secret_key is not None:
        return config.secret_key.get_secret_value()
    path = Path(config.data_dir) / "secret_key"
    if not path.exists():
        private_dir(path.parent)
        write_atomic(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a login token says: which account, at which token version, in which session."""

    username: str
    uid: str
    version: int
    session: str


def issue_token(claims: TokenClaims, key: str, ttl_s: int, now_s: int) -> str:
    return jwt.encode({"sub": claims.username, "uid": claims.uid, "ver": claims.version,
                       "sid": claims.session, "iat": now_s, "exp": now_s + ttl_s}, key,
                      algorithm=TOKEN_ALGORITHM)


def read_token(token: str, key: str) -> TokenClaims:
    """The claims of a valid, unexpired token; ``AuthError`` otherwise.

    Whether the account, its token version and the session still hold is the registry's
    question (``Users.by_token``), asked at every request.
    """
    try:
        claims = jwt.decode(token, key, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["sub", "uid", "ver", "sid", "exp"]})
        return TokenClaims(str(claims["sub"]), str(claims["uid"]), int(claims["ver"]),
                           str(claims["sid"]))
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("the login has expired: log in again") from exc
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise AuthError("invalid token") from exc
