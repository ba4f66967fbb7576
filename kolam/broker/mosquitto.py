"""``kolam broker-config``: Mosquitto's password, ACL and listener files from the registry.

The files are replaced atomically (a new file with its final mode, fsync, rename),
so a broker reloading at the same moment reads the old files or the new ones,
never half of one. Mosquitto rereads the password and ACL files on SIGHUP and then
disconnects clients whose login no longer exists; its ACL applies to every later
publish and delivery.

``DIR/mosquitto.conf`` (include it from the broker's configuration) binds client
ids to logins: devices connect on their own listener with
``use_username_as_clientid true``, so a device's client id is always its login and
no login can knock another node off by reusing its id; services (several
connections per login) connect on a second listener whose password file holds
only service logins. It also caps message and packet sizes. See docs/security.md.

"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from kolam.broker.acl import is_device_username, render_acl
from kolam.broker.core import MAX_MESSAGE_BYTES
from kolam.broker.passwd import render_passwd
from kolam.errors import ReloadError as ReloadError
from kolam.registry.devices import BrokerEntry
from kolam.security.files import private_dir, write_atomic

FILE_MODE = 0o640
"""Readable by the broker's group (``chgrp mosquitto``): Mosquitto rereads the files
after dropping root, on every reload."""
DIR_MODE = 0o750
MAX_PACKET_BYTES = MAX_MESSAGE_BYTES + 64 * 1024
"""The whole packet: the payload limit plus the longest topic MQTT allows."""


@dataclass(frozen=True, slots=True)
class Listener:
    """A Mosquitto listener: ``port`` and optionally the address it binds to."""

    port: int
    address: str = ""

    @classmethod
    def parse(cls, text: str) -> Listener:
        """``1883`` or ``127.0.0.1:1883`` (``[::1]:1883`` for IPv6)."""
        address, _, port = text.strip().rpartition(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"listener {text!r} is not PORT or ADDRESS:PORT")
        return cls(int(port), address.strip("[]"))

    def line(self) -> str:
        return f"listener {self.port} {self.address}".rstrip()


@dataclass(frozen=True, slots=True)
class Tls:
    """Certificate files written on both listeners."""

    cafile: Path
    certfile: Path
    keyfile: Path


@dataclass(frozen=True, slots=True)
class Listeners:
    devices: Listener = Listener(1883)
    services: Listener = Listener(1884)
    tls: Tls | None = None


@dataclass(frozen=True, slots=True)
class BrokerFiles:
    passwd: Path
    acl: Path
    conf: Path
    accounts: int


def render_mosquitto_conf(out_dir: Path, listeners: Listeners) -> str:
    """The listener part of Mosquitto's configuration (Mosquitto 2.0)."""
    tls = [] if listeners.tls is None else [
        f"cafile {listeners.tls.cafile}", f"certfile {listeners.tls.certfile}",
        f"keyfile {listeners.tls.keyfile}", "tls_version tlsv1.2"]

    def listener(spec: Listener, passwd: str, extra: list[str]) -> list[str]:
        return [spec.line(), "allow_anonymous false", f"password_file {out_dir / passwd}",
                f"acl_file {out_dir / 'acl'}", *extra, *tls]

    lines = [
        "# Written by `kolam broker-config`; edits are overwritten (docs/security.md).",
        "per_listener_settings true",
        f"message_size_limit {MAX_MESSAGE_BYTES}",
        f"max_packet_size {MAX_PACKET_BYTES}",
        "",
        "# Devices: the client id is replaced by the login, so no login can take over",
        "# another's connection or session by connecting with its client id.",
        *listener(listeners.devices, "passwd-devices", ["use_username_as_clientid true"]),
        "",
        "# Services: ingest, api, gateways, the simulator (several connections per login).",
        *listener(listeners.services, "passwd-services", []),
    ]
    return "\n".join(lines) + "\n"


def write_broker_files(entries: list[BrokerEntry], out_dir: Path,
                       listeners: Listeners | None = None) -> BrokerFiles:
    """Write ``passwd`` (every login), ``passwd-devices``, ``passwd-services``, ``acl``
    and ``mosquitto.conf`` into ``out_dir``."""
    private_dir(out_dir, DIR_MODE)
    hashes = [(e.account.username, e.broker_hash) for e in entries]
    files = {
        "passwd": render_passwd(hashes),
        "passwd-devices": render_passwd(h for h in hashes if is_device_username(h[0])),
        "passwd-services": render_passwd(h for h in hashes if not is_device_username(h[0])),
        "acl": render_acl(e.account for e in entries),
        "mosquitto.conf": render_mosquitto_conf(out_dir.resolve(), listeners or Listeners()),
    }
    for name, text in files.items():
        write_atomic(out_dir / name, text, FILE_MODE)
    return BrokerFiles(out_dir / "passwd", out_dir / "acl", out_dir / "mosquitto.conf",
                       len(entries))


def read_pid_file(path: Path) -> int:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReloadError(f"cannot read pid file {path}: {exc}") from exc
    if not text.isdigit() or int(text) <= 1:
        raise ReloadError(f"pid file {path} does not hold a process id")
    return int(text)


def reload_broker(pid: int) -> None:
    """SIGHUP: Mosquitto rereads its password and ACL files."""
    if pid <= 1:
        raise ReloadError(f"refusing to signal pid {pid}")
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError as exc:
        raise ReloadError(f"no broker process {pid}") from exc
    except PermissionError as exc:
        raise ReloadError(f"not allowed to signal process {pid} (run as its user)") from exc
