"""Logging set-up shared by every ``kolam`` command."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

NOISY = ("transitions", "amqtt", "hbmqtt", "uvicorn.access", "alembic.runtime.migration")


def setup_logging(level: str = "INFO", name: str = "kolam") -> None:
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr,
        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s")
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def exit_with_parent() -> None:
    """When ``KOLAM_PARENT_PID`` is set (children of ``kolam demo``), stop this process
    with SIGTERM if that parent dies, so that nothing is left behind."""
    parent = os.environ.get("KOLAM_PARENT_PID")
    if not parent:
        return

    def watch() -> None:
        while True:
            if os.getppid() != int(parent):
                os.kill(os.getpid(), signal.SIGTERM)
                return
            threading.Event().wait(1.0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
