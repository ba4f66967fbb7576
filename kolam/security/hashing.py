"""Password hashing with a cap on how many hashes run at once.

Each Argon2id hash or verify holds 64 MiB for ~0.1 s (argon2-cffi's RFC 9106 defaults,
see ``kolam.security.auth``). Without a cap, a burst of 40 logins (the size of the API's thread
pool) holds 40 × 64 MiB at once and drove the API to ~1 GiB RSS (issue #15). At most
``MAX_CONCURRENT`` hashes run here at a time; a caller waits up to ``WAIT_S`` for a slot
and then gets ``HashingBusy`` (HTTP 503 with Retry-After) instead of allocating.

Two slots: each hash already runs on 4 threads (parallelism 4), so more hashes at once do
not log anyone in faster on a 2–4 core box, they only use more memory. Two slots at
~0.1 s each serve ~40 logins within the wait: a whole kiosk class logging in together.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from kolam.errors import HashingBusy as HashingBusy
from kolam.security import auth

MAX_CONCURRENT = 2
"""Hashes running at once, per process: the memory bound is this × 64 MiB."""
WAIT_S = 2.0
"""How long a login waits for a free slot before it is told to retry."""
RETRY_AFTER_S = 1

_slots = threading.BoundedSemaphore(MAX_CONCURRENT)


@contextmanager
def hashing_slot(wait_s: float | None = None) -> Iterator[None]:
    """Hold one of the ``MAX_CONCURRENT`` slots; ``HashingBusy`` after ``wait_s``."""
    if not _slots.acquire(timeout=WAIT_S if wait_s is None else wait_s):
        raise HashingBusy(RETRY_AFTER_S)
    try:
        yield
    finally:
        _slots.release()


def hash_password(password: str) -> str:
    """``kolam.security.auth.hash_password`` within a hashing slot."""
    with hashing_slot():
        return auth.hash_password(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """``kolam.security.auth.verify_password`` within a hashing slot."""
    with hashing_slot():
        return auth.verify_password(stored_hash, password)
