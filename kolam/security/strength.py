"""How guessable a password or a signing key is: the password policy and a randomness
estimate for keys.

The password policy follows NIST SP 800-63B §3.1.1.2: a minimum length (12 here, above
the standard's 8, because these logins guard inmates' records), no composition rules, and
a refusal of values that are commonly used, repetitive, sequential or contain the
username. The list below is short on purpose: with 12 characters required, the common
passwords that remain are the long ones people build from keyboard rows, counting and
the service's own words.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from kolam.errors import ConfigError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
"""Argon2 hashes any length; the bound only keeps a request from being a megabyte."""

COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "123123123123", "111111111111",
    "000000000000", "121212121212", "123456123456", "147258369147", "123qweasdzxc",
    "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "qazwsxedcrfv", "qwertyuiop12",
    "qwertyuiop123", "qwertyuiopasdf", "qwerty123456", "asdfghjkl123",
    "zxcvbnm12345", "abcdefghijkl", "abc123456789", "abcd12345678", "password1234",
    "password123!", "password12345", "passwordpassword", "p@ssw0rd1234", "p@ssword1234",
    "iloveyou1234", "letmein12345", "welcome12345", "changeme1234", "administrator",
    "admin1234567", "adminadmin12", "football1234", "baseball1234", "monkey123456",
    "sunshine1234", "princess1234", "superman1234", "trustno1trustno1", "starwars1234",
    "dragon123456", "master123456", "computer1234", "internet1234", "whatever1234",
    # Indonesian, and this service's own words.
    "bismillah123", "bismillah1234", "indonesia123", "indonesia1945", "merdeka17845",
    "sayangkamu12", "sayangku1234", "rahasia12345", "katasandi123", "katasandi1234",
    "kolam1234567", "kolamlele123", "lele12345678", "serang123456", "rutanserang1",
    "petugas12345", "pegawai12345",
})


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why, in words for the person."""


def check_password(password: str, username: str = "") -> None:
    """Raise ``WeakPassword`` unless ``password`` may be set for ``username``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters "
                           f"(got {len(password)}); a few unrelated words make a good one")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    folded = password.casefold()
    if folded in COMMON_PASSWORDS:
        raise WeakPassword("this password is on the list of the most common ones: "
                           "choose another")
    name = username.strip().casefold()
    if len(name) >= 3 and name in folded:
        raise WeakPassword("a password may not contain the username")
    if len(set(folded)) < 5 or _is_run(folded):
        raise WeakPassword("this password is too repetitive or a simple sequence "
                           "(like 'aaaa...' or 'abcd...'): choose another")


def _is_run(text: str) -> bool:
    """Most neighbours a fixed step apart: 'abcdefghijkl', '987654321098', 'acegikmo...'."""
    steps = Counter(b - a for a, b in pairwise(map(ord, text)))
    return bool(steps) and steps.most_common(1)[0][1] >= 0.75 * (len(text) - 1)


def _shannon_bits(symbols: Sequence[int]) -> float:
    """The empirical Shannon entropy of ``symbols``, times their number."""
    n = len(symbols)
    counts = Counter(symbols).values()
    return -sum(c * math.log2(c / n) for c in counts)


EMPTY_ZLIB_BYTES = len(zlib.compress(b"", 9))


def estimated_bits(text: str) -> float:
    """A pessimistic estimate, in bits, of how random ``text`` is.

    The least of three estimates, each blind to a different pattern: the frequencies of
    the characters (blind to runs; catches 'aaaa' and 'abab'), the frequencies of the
    differences between neighbours (catches runs such as 'abcdef...' and '0123...'), and
    the zlib-compressed length at the first estimate's bits per character (catches a
    repeated block). 32 random hex digits score about 90 or more; an alphabet run of 32
    letters about 6.
    """
    if not text:
        return 0.0
    points = [ord(c) for c in text]
    by_chars = _shannon_bits(points)
    by_steps = _shannon_bits([b - a for a, b in pairwise(points)])
    compressed = len(zlib.compress(text.encode(), 9)) - EMPTY_ZLIB_BYTES
    by_zlib = compressed * by_chars / len(text)
    return min(by_chars, by_steps, by_zlib)


# Values people paste from examples and tutorials; a key an attacker can guess lets them
# sign a token for any user, admin included.
KNOWN_WEAK = ("changeme", "change-me", "change_me", "secret", "password", "example",
              "your-secret", "yoursecret", "insecure", "default", "kolam")


MIN_SECRET_KEY_BITS = 64
"""Of ``estimated_bits``: an alphabet run scores about 6, 32 random hex digits 90 or more."""


def check_secret_key(key: str) -> None:
    """Refuse a signing key that is short, repetitive, a run ('abcd...') or built from
    placeholder words.

    The generated key (64 random URL-safe characters) always passes; the check is for a
    configured ``secret_key`` / ``KOLAM_SECRET_KEY``. Placeholder words are cut out before
    the length is measured, so "changeme-changeme-changeme-changeme" fails while a random
    key that happens to contain "kolam" does not. Repetition is measured by
    ``estimated_bits`` (which a count of distinct characters used to do: it refused about
    one random 32-digit hex key in sixty).
    """
    rest = key.casefold()
    for word in KNOWN_WEAK:
        rest = rest.replace(word, "")
    if len(rest) < 32 or estimated_bits(key) < MIN_SECRET_KEY_BITS:
        raise ConfigError("secret_key is too short, repetitive or a placeholder: use at least "
                          "32 random characters, e.g. from `python -c 'import secrets; "
                          "print(secrets.token_urlsafe(48))'`")
