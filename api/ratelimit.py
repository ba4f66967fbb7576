"""Login rate limiting: a back-off per client address, a lock per account only from many.

A lock per account that any one address can trigger lets anyone lock a known account
(the kiosk's ``kiosk-serang``) out for as long as they keep trying (issue #15). So:

- **Per address** (an IPv4 address, or an IPv6 /64: one subscriber's block), across all
  usernames: the first ``Backoff.free`` failures within ``window_s`` cost nothing; after
  that each try must wait a delay that doubles with every further failure, from
  ``base_s`` up to ``max_s``. One address gets ~300 guesses a day; a person who mistypes
  twice hardly notices. A success does not forget the address's failures: otherwise
  logging in to one's own account between guesses would reset the back-off.
- **Per account**: locked only when ``AccountLock.max_failures`` failures within
  ``window_s`` came from at least ``min_addresses`` different addresses (a distributed
  guess), so one address can never lock an account. Even then an address that logged in
  as that user lately (the kiosk tablet itself) may go on trying, under its own back-off.

Every try is *reserved* before its password is checked, under one lock: concurrent tries
see each other's reservations, so 30 tries at once cannot all pass a check meant for 5. A
correct password gives its reservation back; a wrong one keeps it as a failure.

The counts live in this process's memory. Several API processes each keep their own, so
the effective limit is the per-process one times the number of processes; a restart
forgets them. Either way an online guess goes from millions a day to a few hundred.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request

from kolam.errors import TooManyLogins as TooManyLogins


@dataclass(frozen=True, slots=True)
class Backoff:
    """Per address: ``free`` failures, then a delay doubling from ``base_s`` to ``max_s``."""

    free: int = 5
    base_s: float = 1.0
    max_s: float = 15 * 60
    window_s: float = 60 * 60
    """Failures older than this are forgotten; longer than ``max_s`` so that waiting out
    one delay does not also reset the count."""

    def delay_s(self, failures: int) -> float:
        """How long after the latest failure the next try may come."""
        if failures < self.free:
            return 0.0
        return float(min(self.base_s * 2.0 ** min(failures - self.free, 40), self.max_s))


@dataclass(frozen=True, slots=True)
class AccountLock:
    """Per account: locked after ``max_failures`` failures from ``min_addresses`` or more."""

    max_failures: int = 20
    min_addresses: int = 3
    window_s: float = 15 * 60


# Five free mistypes per address, then 1 s, 2 s, 4 s ... capped at 15 min. As old failures
# leave the hour, the free tries come back: ~300 guesses a day from one address at most
# (pinned by tests/api/test_hardening.py), against millions without a limit.
PER_ADDRESS = Backoff()
# Twenty failures in a quarter hour from three or more addresses is a distributed guess,
# not a trainee mistyping on the kiosk; the kiosk's own address still gets in.
PER_ACCOUNT = AccountLock()
KNOWN_FOR_S = 30 * 86400
"""How long an address that logged in as a user stays exempt from that user's lock."""
MAX_KEYS = 50_000
"""Keys tracked at most per table: a flood of made-up names cannot grow memory unbounded."""


K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Attempt:
    """A reserved try: counted as a failure until ``succeeded`` or ``abandoned``."""

    user: str
    address: str
    at: float


def _bounded_put(table: dict[K, V], key: K, value: V) -> None:
    """Insert or refresh ``key`` as the newest; drop the oldest past ``MAX_KEYS``."""
    table.pop(key, None)
    table[key] = value
    while len(table) > MAX_KEYS:
        del table[next(iter(table))]


class LoginLimiter:
    """Reserves login tries per address and per account; thread-safe."""

    def __init__(self, per_address: Backoff = PER_ADDRESS, per_account: AccountLock = PER_ACCOUNT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_address = per_address
        self.per_account = per_account
        self._clock = clock
        self._lock = threading.Lock()
        self._addresses: dict[str, deque[float]] = {}
        self._accounts: dict[str, deque[tuple[float, str]]] = {}
        self._known: dict[tuple[str, str], float] = {}

    @staticmethod
    def user_key(username: str) -> str:
        # Case and spaces folded: "Admin " must not be a fresh allowance for "admin".
        return username.strip().casefold()

    def begin(self, username: str, address: str) -> Attempt:
        """Reserve a try, or raise ``TooManyLogins`` with the seconds to wait."""
        user, addr = self.user_key(username), address_key(address)
        with self._lock:
            now = self._clock()
            wait = self._address_wait(addr, now)
            if not self._is_known(user, addr, now):
                wait = max(wait, self._account_wait(user, now))
            if wait > 0:
                raise TooManyLogins(max(1, math.ceil(wait)))
            times = self._addresses.get(addr) or deque(maxlen=self.per_address.free + 48)
            times.append(now)
            _bounded_put(self._addresses, addr, times)
            tries = self._accounts.get(user) or deque(maxlen=self.per_account.max_failures)
            tries.append((now, addr))
            _bounded_put(self._accounts, user, tries)
            return Attempt(user, addr, now)

    def succeeded(self, attempt: Attempt) -> None:
        """A correct password: the try was no failure, and this address is now known."""
        with self._lock:
            self._give_back(attempt)
            _bounded_put(self._known, (attempt.user, attempt.address), self._clock())

    def abandoned(self, attempt: Attempt) -> None:
        """The password was never checked (the server was busy): not a failure."""
        with self._lock:
            self._give_back(attempt)

    def _give_back(self, attempt: Attempt) -> None:
        times = self._addresses.get(attempt.address)
        if times is not None and attempt.at in times:
            times.remove(attempt.at)
        tries = self._accounts.get(attempt.user)
        if tries is not None and (attempt.at, attempt.address) in tries:
            tries.remove((attempt.at, attempt.address))

    def _address_wait(self, addr: str, now: float) -> float:
        times = self._addresses.get(addr)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.per_address.window_s:
            times.popleft()
        if not times:
            del self._addresses[addr]
            return 0.0
        return times[-1] + self.per_address.delay_s(len(times)) - now

    def _account_wait(self, user: str, now: float) -> float:
        tries = self._accounts.get(user)
        if tries is None:
            return 0.0
        while tries and tries[0][0] <= now - self.per_account.window_s:
            tries.popleft()
        if not tries:
            del self._accounts[user]
            return 0.0
        lock = self.per_account
        if len(tries) < lock.max_failures or len({a for _, a in tries}) < lock.min_addresses:
            return 0.0
        # The window slides: one more try once the oldest failure falls out of it.
        return tries[0][0] + lock.window_s - now

    def _is_known(self, user: str, addr: str, now: float) -> bool:
        since = self._known.get((user, addr))
        return since is not None and now - since < KNOWN_FOR_S


def address_key(address: str) -> str:
    """The unit an address is limited by: itself for IPv4, its /64 for IPv6.

    One IPv6 subscriber holds a whole /64, so counting single IPv6 addresses would give
    an attacker 2^64 fresh allowances.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


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
    """Before checking a password: reserve the try, or ``TooManyLogins``.

    The reservation is kept on the request for ``login_succeeded`` / ``login_abandoned``.
    """
    request.state.login_attempt = limiter(request).begin(username, client_address(request))


def login_failed(request: Request, username: str, via: str) -> None:
    """Audit a failure (its reservation already counts; the name as typed, cut to fit)."""
    request.app.state.users.audit(username.strip()[:64], "login_failed", "user", None, None,
                                  f"{via} from {client_address(request)}")


def login_succeeded(request: Request, username: str, via: str) -> None:
    attempt: Attempt | None = getattr(request.state, "login_attempt", None)
    if attempt is not None:
        limiter(request).succeeded(attempt)
    request.app.state.users.audit(username, "login", "user", None, None,
                                  f"{via} from {client_address(request)}")


def login_abandoned(request: Request) -> None:
    """The password could not be checked (``HashingBusy``): give the reservation back."""
    attempt: Attempt | None = getattr(request.state, "login_attempt", None)
    if attempt is not None:
        limiter(request).abandoned(attempt)
        request.state.login_attempt = None
