"""Who may do what: roles, password hashes, login tokens and API keys.

Passwords are hashed with Argon2id (argon2-cffi, the reference binding, with its
RFC 9106 defaults). Login tokens are short-lived HS256 JWTs (PyJWT) that name the
user only; the role and sites are read from the registry at every request, so a
removed user or a changed role takes effect at once. API keys are random strings
of which only a SHA-256 digest is stored: a stolen database does not leak them.
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
from kolam.errors import KolamError
from kolam.files import private_dir, write_atomic

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


SPANS_SITES = frozenset({Role.ADMIN, Role.DINAS})
"""Roles that may hold several sites (or, with none listed, every site)."""
SEES_NAMES = frozenset({Role.ADMIN, Role.OFFICER})
"""Roles allowed to see members' full names and registration numbers."""


class AuthError(KolamError):
    """Credentials are missing, wrong or expired (HTTP 401)."""


class Forbidden(KolamError):
    """The user is known but may not do this (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user as the API sees it."""

    username: str
    role: Role
    sites: frozenset[str]
    """Sites this user may see; empty for an admin or dinas user means every site."""
    via: str = "token"

    @property
    def all_sites(self) -> bool:
        return self.role in SPANS_SITES and not self.sites

    def can_see(self, site: str) -> bool:
        return self.all_sites or site in self.sites

    @property
    def sees_names(self) -> bool:
        return self.role in SEES_NAMES


def check_sites(role: Role, sites: frozenset[str]) -> None:
    """Officers and kiosks belong to exactly one site; admin and dinas to any number."""
    if role not in SPANS_SITES and len(sites) != 1:
        raise ValueError(f"a {role.value} user needs exactly one --site (got {len(sites)})")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A fixed hash to verify against when the user does not exist, so that a wrong
# username costs the same time as a wrong password (no user enumeration by timing).
DUMMY_HASH = _hasher.hash("no such user, no such password")


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


def issue_token(username: str, key: str, ttl_s: int, now_s: int) -> str:
    return jwt.encode({"sub": username, "iat": now_s, "exp": now_s + ttl_s}, key,
                      algorithm=TOKEN_ALGORITHM)


def token_subject(token: str, key: str) -> str:
    """The username a valid, unexpired token names; ``AuthError`` otherwise."""
    try:
        claims = jwt.decode(token, key, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("the login has expired: log in again") from exc
    except jwt.PyJWTError as exc:
        raise AuthError("invalid token") from exc
    return str(claims["sub"])
