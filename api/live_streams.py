"""The bounds of the pages' live streams (``api.pages.live``): how often a stream polls, how
long it lives, and how many may be open at once, in all, per login and per client address
(issue #15). Apart from the pages so ``api.deps`` can hand them to the routes."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException

from api.ratelimit import address_key

POLL_S = 3.0
MAX_STREAM_S = 600.0
MAX_STREAMS = 200
# A browser holds at most 6 connections to one host over HTTP/1.1, and a page opens one
# stream; ten leaves room for a kiosk login on a few tablets, or an officer's tabs.
MAX_STREAMS_PER_USER = 10
# A whole site may reach the central API from one public address (the rutan's NAT): its
# kiosk tablets and officers' screens together, still well short of all 200.
MAX_STREAMS_PER_ADDRESS = 30


@dataclass(frozen=True, slots=True)
class LiveTimes:
    """A stream's poll interval and lifetime in seconds (tests shorten them)."""

    poll_s: float = POLL_S
    max_stream_s: float = MAX_STREAM_S


class StreamSlots:
    """Open live streams: in all, per user and per client address; thread-safe."""

    def __init__(self, total: int = MAX_STREAMS, per_user: int = MAX_STREAMS_PER_USER,
                 per_address: int = MAX_STREAMS_PER_ADDRESS) -> None:
        self.total, self.per_user, self.per_address = total, per_user, per_address
        self._lock = threading.Lock()
        self._users: Counter[str] = Counter()
        self._addresses: Counter[str] = Counter()
        self.open = 0

    def acquire(self, user: str, address: str) -> Callable[[], None]:
        """Take a slot, or ``HTTPException`` 429 (this user's/address's) / 503 (all full).

        Returns the release function; calling it more than once releases once.
        """
        addr = address_key(address)
        with self._lock:
            if self._users[user] >= self.per_user or self._addresses[addr] >= self.per_address:
                raise HTTPException(429, "too many live pages open for this login or "
                                         "device; close some", headers={"Retry-After": "30"})
            if self.open >= self.total:
                raise HTTPException(503, "too many live pages open; reload later",
                                    headers={"Retry-After": "30"})
            self._users[user] += 1
            self._addresses[addr] += 1
            self.open += 1
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                self.open -= 1
                for table, key in ((self._users, user), (self._addresses, addr)):
                    table[key] -= 1
                    if table[key] <= 0:
                        del table[key]

        return release
