"""The embedded MQTT broker for one-machine use (amqtt, MQTT 3.1.1).

amqtt keeps persistent sessions only for clients that log in with a username
(it never keeps those of anonymous clients), so anonymous access is off and
every client gets a username and password: plain ``username:password`` lines
(the demo's generated logins) and/or the Mosquitto password file that
``kolam broker-config`` writes.

With an ACL file (the same one Mosquitto reads) every publish, subscription and
delivery, retained messages included, is checked by :class:`AclTopicPlugin`
(retained ones through :class:`kolam.broker.core.KolamBroker`, as amqtt skips that
check), and a client whose Last Will names a topic it may not write is refused at
connect (amqtt would otherwise publish the will unchecked). A device must connect
with its login as client id, and no login may use a client id another login's
session holds; payloads over 1 MiB end the connection. The password and ACL files
are reread within a second of changing; unlike Mosquitto, clients already connected
stay connected, but the new ACL applies to their next message.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import logging
import signal
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amqtt.contexts import Action
from amqtt.errors import BrokerError
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from kolam.broker import passwd as broker_passwd
from kolam.broker.acl import Acl, parse_acl
from kolam.broker.core import KolamBroker
from kolam.errors import KolamError

log = logging.getLogger(__name__)

RECHECK_S = 1.0


class WatchedFile:
    """A file parsed again whenever its modification time changes (checked ≤ once a second).

    A file that disappears or fails to parse keeps the last good content and logs why:
    a half-finished edit must not open the broker.
    """

    def __init__(self, path: str, parse: Any) -> None:
        self.path = Path(path)
        self._parse = parse
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self.value: Any = parse("")
        self._reload()

    def _reload(self) -> None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self.value = self._parse(self.path.read_text(encoding="utf-8"))
                self._stamp = stamp
                log.info("loaded %s", self.path)
        except (OSError, ValueError) as exc:
            log.error("cannot load %s (keeping the previous rules): %s", self.path, exc)

    def get(self) -> Any:
        now = time.monotonic()
        if now - self._checked >= RECHECK_S:
            self._checked = now
            self._reload()
        return self.value


def _acl(text: str) -> Acl:
    return Acl(parse_acl(text))


class PasswordAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Accepts clients whose username and password match the configured users."""

    @dataclass
    class Config:
        users: dict[str, str] = field(default_factory=dict)
        """Plain ``{username: password}`` (the demo's generated logins)."""
        passwd_file: str = ""
        """Mosquitto password file (``$7$`` hashes), e.g. from ``kolam broker-config``."""
        acl_file: str = ""
        """When set, a Last Will must name a topic the client may write."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        cfg = self.context.config
        self._passwd = WatchedFile(cfg.passwd_file, broker_passwd.parse_passwd) \
            if cfg.passwd_file else None
        self._acl = WatchedFile(cfg.acl_file, _acl) if cfg.acl_file else None

    def _password_ok(self, username: str, password: str) -> bool:
        users: dict[str, str] = self.context.config.users
        plain = users.get(username)
        if plain is not None:
            return hmac.compare_digest(plain.encode(), password.encode())
        if self._passwd is not None:
            stored = self._passwd.get().get(username)
            return stored is not None and broker_passwd.verify_password(stored, password)
        return False

    async def authenticate(self, *, session: Session) -> bool | None:
        username = session.username or ""
        if not username or not self._password_ok(username, session.password or ""):
            log.info("refused client %s: bad login %r", session.client_id, username[:64])
            return False
        if self._acl is not None and session.will_flag:
            acl: Acl = self._acl.get()
            if not acl.can_publish(username, session.will_topic or ""):
                log.info("refused %s: its Last Will topic is not its own", username)
                return False
        return True


class AclTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Enforces the Mosquitto ACL file ``kolam broker-config`` writes (kolam.broker.acl)."""

    @dataclass
    class Config:
        acl_file: str = ""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._acl = WatchedFile(self.context.config.acl_file, _acl)

    async def topic_filtering(self, *, session: Session | None = None, topic: str | None = None,
                              action: Action | None = None) -> bool | None:
        if session is None or topic is None:
            return False
        acl: Acl = self._acl.get()
        match action:
            case Action.PUBLISH:
                allowed = acl.can_publish(session.username, topic)
            case Action.SUBSCRIBE:
                allowed = acl.can_subscribe(session.username, topic)
            case Action.RECEIVE:
                allowed = acl.can_receive(session.username, topic)
            case _:
                allowed = False
        if not allowed and action is not Action.RECEIVE:
            log.info("denied %s %s on %s", session.username, action, topic[:200])
        return allowed


def read_users(path: Path) -> dict[str, str]:
    """``username:password`` lines (demo credentials, generated per data directory)."""
    return parse_users(path.read_text(encoding="utf-8"))


def parse_users(text: str) -> dict[str, str]:
    """The ``username:password`` lines of a users file."""
    users = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, password = line.partition(":")
            users[name.strip()] = password.strip()
    return users


@dataclass(frozen=True, slots=True)
class BrokerAuth:
    """Who may connect, and (with an ACL file) what they may do."""

    users: dict[str, str] = field(default_factory=dict)
    passwd_file: Path | None = None
    acl_file: Path | None = None


def broker_config(host: str, port: int, auth: BrokerAuth | dict[str, str]) -> dict[str, Any]:
    if isinstance(auth, dict):
        auth = BrokerAuth(users=auth)
    plugins: dict[str, Any] = {"kolam.broker.embedded.PasswordAuthPlugin": {
        "users": auth.users, "passwd_file": str(auth.passwd_file or ""),
        "acl_file": str(auth.acl_file or "")}}
    if auth.acl_file is not None:
        plugins["kolam.broker.embedded.AclTopicPlugin"] = {"acl_file": str(auth.acl_file)}
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}",
                                  "max_connections": 1000}},
        "plugins": plugins,
    }


async def _serve(host: str, port: int, auth: BrokerAuth, stop: asyncio.Event) -> None:
    broker = KolamBroker(broker_config(host, port, auth))
    try:
        await broker.start()
    except BrokerError as exc:
        raise KolamError(f"the broker cannot start on {host}:{port}: {exc}") from exc
    log.info("embedded broker listening on %s:%d (%d plain users, passwd %s, acl %s)", host,
             port, len(auth.users), auth.passwd_file or "none", auth.acl_file or "none")
    await stop.wait()
    await broker.shutdown()


def check_port(host: str, port: int) -> None:
    """Refuse at once, in one line, a port another process holds (amqtt would log a
    traceback of its own first)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
        try:
            s.bind((host, port))
        except OSError as exc:
            raise KolamError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                             + (" (another broker running?)"
                                if exc.errno == errno.EADDRINUSE else "")) from exc


def run_broker(host: str, port: int, auth: BrokerAuth | dict[str, str]) -> None:
    """Serve until SIGINT/SIGTERM; a port that cannot be had is a ``KolamError``."""
    if isinstance(auth, dict):
        auth = BrokerAuth(users=auth)
    check_port(host, port)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await _serve(host, port, auth, stop)

    asyncio.run(main())
