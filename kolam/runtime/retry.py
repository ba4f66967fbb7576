"""One retry helper: exponential back-off with jitter, for transient errors only.

Ingest's commit, the gateway's outbox commit and the alert notifier all use it, so
they wait the same way and agree on what is worth retrying: an error is retried only
when it is an instance of one of the ``transient`` classes; anything else is raised at
once, for the caller to put in its dead or failed state with the reason.

    options = RetryOptions(initial_delay_s=0.05, max_delay_s=10.0)
    result = retry(lambda: store.write(rows), options, transient=(StoreUnavailable,))

The clock, the sleep and the random source are parameters so tests run the schedule
without waiting. ``http_transient`` and ``retry_after_s`` are the one reading of an HTTP
answer that every HTTP channel shares (webhook, Telegram, WhatsApp, SMS gateway).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

T = TypeVar("T")

Transient = type[BaseException] | tuple[type[BaseException], ...]
OnRetry = Callable[[BaseException, int, float], None]
"""Called before each wait with the error, the attempt number (1 = the first try)
and the wait in seconds; it may raise to stop retrying."""


@dataclass(frozen=True, slots=True)
class RetryOptions:
    """How long to wait between tries and when to stop.

    The ``n``-th wait is ``min(initial_delay_s * multiplier**(n-1), max_delay_s)``,
    scaled by a random factor in ``[1 - jitter, 1 + jitter)`` so that clients that failed
    together do not all come back together. ``max_elapsed_s=None`` retries forever.
    """

    initial_delay_s: float = 0.05
    max_delay_s: float = 10.0
    max_elapsed_s: float | None = None
    multiplier: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.initial_delay_s <= 0 or self.max_delay_s < self.initial_delay_s:
            raise ValueError("need 0 < initial_delay_s <= max_delay_s")
        if self.multiplier < 1 or not 0 <= self.jitter < 1:
            raise ValueError("need multiplier >= 1 and 0 <= jitter < 1")
        if self.max_elapsed_s is not None and self.max_elapsed_s < 0:
            raise ValueError("max_elapsed_s must be >= 0 (or None: forever)")

    def delay_s(self, attempt: int, rand: float) -> float:
        """The wait after failed try number ``attempt`` (1-based), ``rand`` in [0, 1)."""
        # The exponent is capped so a long outage cannot overflow the float.
        base = min(self.initial_delay_s * self.multiplier ** min(attempt - 1, 64),
                   self.max_delay_s)
        return base * (1 - self.jitter + 2 * self.jitter * rand)


def retry(fn: Callable[[], T], options: RetryOptions, *, transient: Transient,
          on_retry: OnRetry | None = None, clock: Callable[[], float] = time.monotonic,
          sleep: Callable[[float], object] = time.sleep,
          rand: Callable[[], float] = random.random) -> T:
    """Call ``fn`` until it returns; retry only ``transient`` errors.

    A non-transient error propagates at once. A transient one propagates when the next
    wait would end past ``max_elapsed_s`` after the first try.
    """
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except transient as exc:
            wait = options.delay_s(attempt, rand())
            if (options.max_elapsed_s is not None
                    and clock() + wait - started > options.max_elapsed_s):
                raise
            if on_retry is not None:
                on_retry(exc, attempt, wait)
            sleep(wait)


def http_transient(status: int) -> bool:
    """Whether an HTTP status is worth retrying: 5xx, 408 and 429 ask us to come back
    later (RFC 9110 §15.5.9, RFC 6585 §4); a redirect we do not follow may be temporary.
    Any other 4xx refuses this request, and the same request is refused again."""
    return not 400 <= status < 500 or status in (408, 429)


def retry_after_s(value: str | None, now_s: float | None = None) -> float | None:
    """Seconds to wait from an HTTP ``Retry-After`` header (delay-seconds or an HTTP
    date, RFC 9110 §10.2.3); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now_s is None else now_s))
