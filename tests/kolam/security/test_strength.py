"""The password policy and the randomness estimate for signing keys."""

from __future__ import annotations

import secrets

import pytest

from api.security import MIN_SECRET_KEY_BITS, check_secret_key
from kolam.errors import ConfigError
from kolam.security.strength import WeakPassword, check_password, estimated_bits


@pytest.mark.parametrize(("password", "why"), [
    ("password", "at least 12"),
    ("12345678", "at least 12"),
    ("Password1234", "most common"),
    ("123456789012", "most common"),
    ("qwertyuiop123", "most common"),
    ("bismillah123", "most common"),
    ("aaaaaaaaaaaaaaaa", "repetitive"),
    ("abababababababab", "repetitive"),
    ("abcdefghijklmnop", "sequence"),
    ("9876543210987", "sequence"),
    ("kiosk-serang-2026!", "username"),
])
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(WeakPassword, match=why):
        check_password(password, "kiosk-serang")


@pytest.mark.parametrize("password", [
    "correct horse battery", "lele tumbuh besar di kolam", secrets.token_urlsafe(9),
    "Serang, 1 Desember!"], ids=["phrase", "sentence", "random", "punctuated"])
def test_good_passwords_pass(password: str) -> None:
    check_password(password, "admin")


@pytest.mark.parametrize("key", [
    "abcdefghijklmnopqrstuvwxyzABCDEF",  # the probe's 32-character alphabet run
    "0123456789abcdef0123456789abcdef",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefgh",
    secrets.token_urlsafe(6) * 8,  # a repeated block of 48 random bits
], ids=["alphabet", "hex-run", "base32-run", "repeated-block"])  # ids: the same on every
# pytest-xdist worker, whatever the random block
def test_patterned_keys_score_low_and_are_refused(key: str) -> None:
    assert estimated_bits(key) < MIN_SECRET_KEY_BITS
    with pytest.raises(ConfigError, match="secret_key"):
        check_secret_key(key)


def test_random_keys_score_high_and_pass() -> None:
    # 500 keys of each kind people generate: none may be refused by chance (32 hex
    # digits used to be, one in sixty, by a count of distinct characters).
    for make in (lambda: secrets.token_hex(16), lambda: secrets.token_urlsafe(32),
                 lambda: secrets.token_urlsafe(48)):
        for _ in range(500):
            key = make()
            assert estimated_bits(key) >= MIN_SECRET_KEY_BITS + 10, key
            check_secret_key(key)
