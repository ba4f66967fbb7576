"""At most MAX_CONCURRENT password hashes run at once; the rest wait, then are refused."""

from __future__ import annotations

import time
from contextlib import ExitStack

import pytest

from kolam.security import hashing
from kolam.security.auth import hash_password


def test_a_full_set_of_slots_refuses_after_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = hash_password("correct horse battery")
    monkeypatch.setattr(hashing, "WAIT_S", 0.3)
    with ExitStack() as held:
        for _ in range(hashing.MAX_CONCURRENT):
            held.enter_context(hashing.hashing_slot())
        started = time.monotonic()
        with pytest.raises(hashing.HashingBusy) as exc:
            hashing.verify_password(stored, "correct horse battery")
        assert time.monotonic() - started >= 0.3 and exc.value.retry_after_s == 1
        with pytest.raises(hashing.HashingBusy):
            hashing.hash_password("another good password")
    # Slots given back (also by the refused calls): hashing works again.
    assert hashing.verify_password(stored, "correct horse battery")
    assert not hashing.verify_password(stored, "wrong")
