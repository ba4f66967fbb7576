"""Stopping a service on SIGTERM or SIGINT, the same way in every service."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def stop_on_signals(stop: Callable[[], None], doing: str = "stopping") -> bool:
    """Call ``stop`` on SIGTERM and SIGINT, logging the signal and what happens next.

    Python lets only the main thread install handlers; from any other thread (a test
    running a service in a thread, which stops it itself) nothing is installed and the
    result is False.
    """
    if threading.current_thread() is not threading.main_thread():
        return False

    def _handler(signum: int, _frame: object) -> None:
        log.info("signal %d: %s", signum, doing)
        stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _handler)
    return True
