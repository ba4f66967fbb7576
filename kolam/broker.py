"""The embedded MQTT broker for one-machine use (amqtt, MQTT 3.1.1).

amqtt keeps persistent sessions only for clients that log in with a username
(it never keeps those of anonymous clients), so anonymous access is off and
every client gets a username and password from the users file.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amqtt.broker import Broker
from amqtt.plugins.base import BaseAuthPlugin
from amqtt.session import Session

log = logging.getLogger(__name__)


class PasswordAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Accepts clients whose username and password match the configured users."""

    @dataclass
    class Config:
        users: dict[str, str] = field(default_factory=dict)

    async def authenticate(self, *, session: Session) -> bool | None:
        users: dict[str, str] = self.context.config.users
        expected = users.get(session.username or "")
        if expected is None:
            return False
        return hmac.compare_digest(expected.encode(), (session.password or "").encode())


def read_users(path: Path) -> dict[str, str]:
    """``username:password`` lines (demo credentials, generated per data directory)."""
    users = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, password = line.partition(":")
            users[name.strip()] = password.strip()
    return users


def broker_config(host: str, port: int, users: dict[str, str]) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}",
                                  "max_connections": 1000}},
        "plugins": {"kolam.broker.PasswordAuthPlugin": {"users": users}},
    }


async def _serve(host: str, port: int, users: dict[str, str], stop: asyncio.Event) -> None:
    broker = Broker(broker_config(host, port, users))
    await broker.start()
    log.info("embedded broker listening on %s:%d (%d users)", host, port, len(users))
    await stop.wait()
    await broker.shutdown()


def run_broker(host: str, port: int, users: dict[str, str]) -> None:
    """Serve until SIGINT/SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await _serve(host, port, users, stop)

    asyncio.run(main())
