"""``kolam broker-config``: Mosquitto's password and ACL files from the registry.

The files are replaced atomically (write, fsync, rename), so a broker reloading
at the same moment reads the old files or the new ones, never half of one.
Mosquitto rereads both on SIGHUP and then disconnects clients whose login no
longer exists; its ACL applies to every later publish and delivery.

Mosquitto's own configuration must point at them (docs/security.md)::

    allow_anonymous false
    password_file DIR/passwd
    acl_file DIR/acl
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from kolam.broker_acl import render_acl
from kolam.broker_passwd import render_passwd
from kolam.errors import KolamError
from kolam.registry.devices import BrokerEntry

FILE_MODE = 0o640
"""Readable by the broker's group (``chgrp mosquitto``): Mosquitto rereads the files
after dropping root, on every reload."""


class ReloadError(KolamError):
    """The broker could not be told to reload (no such process, not ours, bad pid file)."""


@dataclass(frozen=True, slots=True)
class BrokerFiles:
    passwd: Path
    acl: Path
    accounts: int


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.chmod(FILE_MODE)
    tmp.replace(path)


def write_broker_files(entries: list[BrokerEntry], out_dir: Path) -> BrokerFiles:
    """Write ``out_dir/passwd`` and ``out_dir/acl`` for these logins."""
    out_dir.mkdir(parents=True, exist_ok=True)
    passwd, acl = out_dir / "passwd", out_dir / "acl"
    _write_atomic(passwd, render_passwd((e.account.username, e.broker_hash) for e in entries))
    _write_atomic(acl, render_acl(e.account for e in entries))
    return BrokerFiles(passwd, acl, len(entries))


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
