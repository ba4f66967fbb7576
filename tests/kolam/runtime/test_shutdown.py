"""Services stop on SIGTERM and SIGINT through one handler."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import pytest

from kolam.runtime.shutdown import stop_on_signals


@pytest.fixture
def restore_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_calls_stop(sig: signal.Signals, restore_handlers: None) -> None:
    stopped = threading.Event()
    assert stop_on_signals(stopped.set)
    os.kill(os.getpid(), sig)  # delivered to the main thread before kill returns
    assert stopped.wait(2)


def test_nothing_is_installed_off_the_main_thread(restore_handlers: None) -> None:
    before = signal.getsignal(signal.SIGTERM)
    installed: list[bool] = []
    worker = threading.Thread(target=lambda: installed.append(stop_on_signals(lambda: None)))
    worker.start()
    worker.join()
    assert installed == [False]
    assert signal.getsignal(signal.SIGTERM) is before
