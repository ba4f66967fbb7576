"""Logging set-up shared by every ``kolam`` command."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

# alembic: its INFO lines (plugins, "running upgrade") at every start say nothing to an
# operator; a failed migration still raises.
NOISY = ("transitions", "amqtt", "hbmqtt", "uvicorn.access", "alembic")


def setup_logging(level: str = "INFO", name: str = "kolam") -> None:
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr,
        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s")
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def exit_with_parent(parent_pid: int | None) -> None:
    """When ``parent_pid`` is set (``KOLAM_PARENT_PID``, given by ``kolam demo`` to its
    children), stop this process with SIGTERM if that parent dies, so that nothing is
    left behind."""
    if parent_pid is None:
        return

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            threading.Event().wait(1.0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
