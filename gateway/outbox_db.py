"""One connection to the gateway's outbox file: its schema, its transactions, its devices.

WAL with ``synchronous=FULL``: a committed row survives a power cut, which is
the whole point of the box. The receiver and the forwarder each open their own
``Outbox`` (one connection per thread) on the same file. Each write is one
``BEGIN IMMEDIATE`` transaction, rolled back whole if any statement fails.

``OutboxDb`` is the base of ``gateway.outbox.Outbox`` (the samples) and of
``gateway.outbox_tables.OutboxTables`` (the other tables).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kolam.errors import OutboxError
from kolam.protocol import DeviceRef
from kolam.security.files import private_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, pond TEXT NOT NULL, device TEXT NOT NULL,
    UNIQUE (site, pond, device)) STRICT;
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id INTEGER NOT NULL, t INTEGER NOT NULL,
    vals TEXT NOT NULL, res_s INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS samples_device_t ON samples (device_id, t);
CREATE TABLE IF NOT EXISTS statuses (
    device_id INTEGER PRIMARY KEY, payload BLOB NOT NULL, version INTEGER NOT NULL,
    sent_version INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS relay_states (
    device_id INTEGER PRIMARY KEY, payload BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS switches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id INTEGER NOT NULL, t INTEGER NOT NULL,
    payload BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS held_commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id INTEGER NOT NULL, payload BLOB NOT NULL,
    expires_t INTEGER) STRICT;
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, topic TEXT NOT NULL,
    reason TEXT NOT NULL, detail TEXT NOT NULL, payload TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS alarms (
    device_id INTEGER NOT NULL, metric TEXT NOT NULL, since INTEGER NOT NULL,
    t INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (device_id, metric)) STRICT;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS kiosk_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, pond TEXT NOT NULL,
    t INTEGER NOT NULL, payload BLOB NOT NULL, sent INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
    output TEXT NOT NULL, problem TEXT NOT NULL, t INTEGER NOT NULL, payload BLOB NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0) STRICT;
"""


def translate(exc: sqlite3.Error, what: str) -> OutboxError:
    """The ``OutboxError`` for a failed SQLite call (``what``: the step that failed)."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return OutboxError(f"{what}: outbox busy: {text}")
    return OutboxError(f"{what}: {text}")


class OutboxDb:
    """One connection to the outbox file; use one instance per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._device_ids: dict[DeviceRef, int] = {}
        self._devices: dict[int, DeviceRef] = {}
        private_file(path)  # 0600 before SQLite opens it; -wal/-shm follow its mode
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                       timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            # Checkpoints keep the WAL small; after a big drain truncate it back.
            self._db.execute("PRAGMA journal_size_limit=8388608")
            self._db.executescript(SCHEMA)
            self._page_size = int(self._db.execute("PRAGMA page_size").fetchone()[0])
        except sqlite3.Error as exc:
            raise translate(exc, f"cannot open outbox {path}") from exc

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------ helpers

    def _write(self, what: str, statements: Iterable[tuple[str, Sequence[object]]]) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise translate(exc, what) from exc

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc, "outbox query") from exc

    def _meta(self, key: str) -> int:
        row = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return int(row[0][0]) if row else 0

    def device_id(self, ref: DeviceRef) -> int:
        """The id of a device, registering it on first sight (own transaction)."""
        found = self._device_ids.get(ref)
        if found is not None:
            return found
        self._write("register device", [(
            "INSERT OR IGNORE INTO devices (site, pond, device) VALUES (?, ?, ?)",
            (ref.site, ref.pond, ref.device))])
        row = self._query("SELECT id FROM devices WHERE site = ? AND pond = ? AND device = ?",
                          (ref.site, ref.pond, ref.device))
        self._device_ids[ref] = int(row[0][0])
        self._devices[self._device_ids[ref]] = ref
        return self._device_ids[ref]

    def device(self, device_id: int) -> DeviceRef:
        found = self._devices.get(device_id)
        if found is None:
            row = self._query("SELECT site, pond, device FROM devices WHERE id = ?", (device_id,))
            if not row:
                raise OutboxError(f"outbox names an unknown device id {device_id}")
            found = self._devices[device_id] = DeviceRef(*map(str, row[0]))
        return found
