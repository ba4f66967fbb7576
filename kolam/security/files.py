"""Files only Kolam's own account may read: the data directory, databases, secrets.

The registry holds members' names and password hashes, so another account on the
box must not read it. Every file is created with its final mode from the first
byte (never written, then chmod-ed): directories 0700, databases and secrets 0600.
SQLite creates a database's ``-wal`` and ``-shm`` with the database file's own mode,
so creating the (empty) database file 0600 first covers them too.

``kolam`` processes also run with umask 077 (:func:`private_umask`), so whatever
else they create (logs, temporary files) is private as well.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077


def private_umask() -> None:
    """Files and directories the process creates are its user's only (umask 077)."""
    os.umask(UMASK)


def private_dir(path: Path, mode: int = DIR_MODE) -> Path:
    """``path`` as a directory, created with ``mode`` if missing (parents as needed).

    An existing directory keeps its mode (an operator may have widened it on
    purpose); :func:`warn_if_exposed` reports it at start-up.
    """
    path = Path(path)
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=mode)
        except FileExistsError:
            return path
        path.chmod(mode)  # mkdir's mode passes through the umask; set it exactly
    return path


def private_file(path: Path, mode: int = FILE_MODE) -> Path:
    """Create ``path`` empty with ``mode`` if it does not exist (a database before
    SQLite opens it, so SQLite never creates it with the umask's default)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return path
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    return path


def write_atomic(path: Path, data: str | bytes, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data``: a new file made with ``mode`` (O_EXCL, so never
    an existing file someone else prepared), fsynced, then renamed over ``path``.
    A reader sees the old content or the new, never half, and never a wider mode."""
    path = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # exactly ``mode``, whatever the umask took away
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    tmp.replace(path)


def exposed(path: Path, depth: int = 2) -> list[tuple[Path, int]]:
    """``(path, mode)`` of ``path`` and what it holds (``depth`` levels) that group or
    other may read, write or enter."""
    found: list[tuple[Path, int]] = []
    try:
        st = os.lstat(path)
    except OSError:
        return found
    if stat.S_ISLNK(st.st_mode):
        return found
    if st.st_mode & 0o077:
        found.append((Path(path), stat.S_IMODE(st.st_mode)))
    if stat.S_ISDIR(st.st_mode) and depth > 0:
        try:
            children = sorted(Path(path).iterdir())
        except OSError:
            return found
        for child in children:
            found += exposed(child, depth - 1)
    return found


def warn_if_exposed(data_dir: Path) -> list[tuple[Path, int]]:
    """Log a warning for each file or directory under ``data_dir`` wider than its
    user's; returns them. Called at start-up by every service."""
    found = exposed(Path(data_dir))
    for path, mode in found:
        log.warning("%s is mode %04o: other accounts on this machine can read it; "
                    "chmod %s %s", path, mode, "700" if path.is_dir() else "600", path)
    return found
