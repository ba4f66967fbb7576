"""Login rate limiting: failed logins counted per username and per client address.

A sliding window of failure times per key, in this process's memory. Several API
processes (``kolam api`` behind a load balancer) each keep their own counts, so the
effective limit is the per-process limit times the number of processes; that still
turns an online guessing attack from millions of tries a day into a few thousand. A
restart forgets the counts, which is acceptable for the same reason.

The username limit stops guessing one user's password from many addresses; the address
limit stops trying a few passwords against many usernames from one address. A correct
password while a key is over its limit is refused too: otherwise the limit would only
slow down the attacker's failures, not their success.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from kolam.errors import KolamError


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_failures`` failed logins within any ``window_s`` seconds."""

    max_failures: int
    window_s: float


# A person who mistypes their password ten times in a quarter hour is better told to wait
# than allowed to go on; an attacker gets ~1,000 guesses a day per user.
PER_USER = Limit(10, 15 * 60)
# A site's shared tablet or an office behind one NAT may hold several people mistyping:
# allow more per address than per user.
PER_ADDRESS = Limit(30, 15 * 60)
MAX_KEYS = 50_000
"""Keys tracked at most: a flood of made-up usernames cannot grow memory without bound."""


class TooManyLogins(KolamError):
    """Too many failed logins for this user or address (HTTP 429)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins: try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class _Window:
    """Failure times per key, oldest first, within one limit's window."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.failures: dict[str, deque[float]] = {}

    def _prune(self, key: str, now: float) -> deque[float] | None:
        times = self.failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.limit.window_s:
            times.popleft()
        if not times:
            del self.failures[key]
            return None
        return times

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 if it may now."""
        times = self._prune(key, now)
        if times is None or len(times) < self.limit.max_failures:
            return 0.0
        # The window slides: one more try is allowed once enough old failures fall out.
        return times[-self.limit.max_failures] + self.limit.window_s - now

    def add(self, key: str, now: float) -> None:
        if key not in self.failures and len(self.failures) >= MAX_KEYS:
            for old in list(self.failures):
                self._prune(old, now)
            if len(self.failures) >= MAX_KEYS:  # all live: drop the oldest-inserted
                del self.failures[next(iter(self.failures))]
        times = self.failures.setdefault(key, deque())
        times.append(now)
        while len(times) > self.limit.max_failures:
            times.popleft()

    def clear(self, key: str) -> None:
        self.failures.pop(key, None)


class LoginLimiter:
    """Failed logins per username and per client address; thread-safe."""

    def __init__(self, per_user: Limit = PER_USER, per_address: Limit = PER_ADDRESS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._users = _Window(per_user)
        self._addresses = _Window(per_address)
        self._clock = clock
        self._lock = threading.Lock()

    @staticmethod
    def _user_key(username: str) -> str:
        # Case and spaces folded: "Admin " must not be a fresh allowance for "admin".
        return username.strip().casefold()

    def check(self, username: str, address: str) -> None:
        """Raise ``TooManyLogins`` if either key is over its limit."""
        with self._lock:
            now = self._clock()
            wait = max(self._users.retry_after(self._user_key(username), now),
                       self._addresses.retry_after(address, now))
        if wait > 0:
            raise TooManyLogins(max(1, math.ceil(wait)))

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            now = self._clock()
            self._users.add(self._user_key(username), now)
            self._addresses.add(address, now)

    def succeeded(self, username: str) -> None:
        """A correct login forgets the user's failures (not the address's)."""
        with self._lock:
            self._users.clear(self._user_key(username))


def client_address(request: Request) -> str:
    """The client's address as uvicorn reports it.

    Behind a reverse proxy on the same host, uvicorn's ``--proxy-headers`` (on by default,
    trusting 127.0.0.1) puts the address from ``X-Forwarded-For`` here; a header sent by
    the client itself is not trusted.
    """
    return request.client.host if request.client is not None else "unknown"


def limiter(request: Request) -> LoginLimiter:
    return request.app.state.login_limiter  # type: ignore[no-any-return]


def check_login(request: Request, username: str) -> None:
    """Before checking a password: ``TooManyLogins`` if the user or address is locked."""
    limiter(request).check(username, client_address(request))


def login_failed(request: Request, username: str, via: str) -> None:
    """Count the failure and audit it (the name as typed, cut to the column's width)."""
    address = client_address(request)
    limiter(request).failed(username, address)
    request.app.state.users.audit(username.strip()[:64], "login_failed", "user", None, None,
                                  f"{via} from {address}")


def login_succeeded(request: Request, username: str, via: str) -> None:
    limiter(request).succeeded(username)
    request.app.state.users.audit(username, "login", "user", None, None,
                                  f"{via} from {client_address(request)}")
