"""Mosquitto's password file, written and checked in Python.

Mosquitto 2.x reads ``username:$7$<iterations>$<base64 salt>$<base64 hash>`` lines,
the hash being PBKDF2-HMAC-SHA512 of the password (what ``mosquitto_passwd``
writes, with 101 iterations and a 12-byte salt). Generating it here means
``kolam broker-config`` needs no Mosquitto tools on the machine that runs it.

101 iterations is weak for a human password, and is fine here: every Kolam
broker password is 192 random bits (:func:`new_password`), beyond any guessing
however cheap each guess is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

ITERATIONS = 101
"""As ``mosquitto_passwd`` (2.0) writes them."""
SALT_BYTES = 12
PREFIX = "$7$"


def new_password() -> str:
    """A random broker password: 24 bytes (192 bits), URL-safe so it fits in MQTT URLs."""
    return secrets.token_urlsafe(24)


def hash_password(password: str, *, iterations: int = ITERATIONS,
                  salt: bytes | None = None) -> str:
    """The ``$7$`` PBKDF2-SHA512 hash Mosquitto accepts in its password file."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return (f"{PREFIX}{iterations}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")


def verify_password(stored: str, password: str) -> bool:
    """Does ``password`` match a ``$7$`` hash? False for anything malformed."""
    parts = stored.split("$")
    if len(parts) != 5 or parts[:2] != ["", "7"]:
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except (ValueError, binascii.Error):
        return False
    if not 1 <= iterations <= 10_000_000:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return hmac.compare_digest(digest, expected)


def render_passwd(hashes: Iterable[tuple[str, str]]) -> str:
    """Lines of a password file from ``(username, $7$ hash)`` pairs."""
    lines = []
    for username, digest in hashes:
        if not username or ":" in username or any(c.isspace() for c in username):
            raise ValueError(f"username {username!r} cannot appear in a password file")
        lines.append(f"{username}:{digest}\n")
    return "".join(lines)


def parse_passwd(text: str) -> Mapping[str, str]:
    """``{username: hash}`` from a password file (comments and blank lines skipped)."""
    users = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            name, _, digest = line.partition(":")
            users[name] = digest
    return users
