"""SQLite time-series backend (WAL; ``samples`` STRICT WITHOUT ROWID on (series_id, t)).

Ingest and API are separate processes sharing the file: WAL lets readers run
while the single writer commits. ``synchronous=FULL`` makes a commit survive a
power cut, which is what "ack only after the durable commit" needs.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from kolam.errors import StoreError, StoreUnavailable
from kolam.security.files import private_file
from kolam.store.base import (
    Bucket,
    Latest,
    Point,
    Row,
    SeriesKey,
    TimeSeriesReader,
    TimeSeriesWriter,
    WriteResult,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL, pond TEXT NOT NULL, device TEXT NOT NULL, metric TEXT NOT NULL,
    UNIQUE (site, pond, device, metric)
) STRICT;
CREATE TABLE IF NOT EXISTS samples (
    series_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series_id, t)
) STRICT, WITHOUT ROWID;
"""


def _translate(exc: sqlite3.Error, what: str) -> StoreError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreUnavailable(f"{what}: {text}")
    return StoreError(f"{what}: {text}")


CACHE_KIB = 16 * 1024
"""SQLite's page cache per connection."""
INSERT_CHUNK = 300
"""Rows per INSERT statement. One statement per row (``executemany``) costs more per row
and releases the GIL for every row, which hands it to paho's thread thousands of times a
batch; ``INSERT_CHUNK`` × 3 parameters stays far below SQLite's variable limit."""
_INSERT_ONE = "INSERT OR IGNORE INTO samples (series_id, t, value) VALUES (?, ?, ?)"
_INSERT_CHUNK = ("INSERT OR IGNORE INTO samples (series_id, t, value) VALUES "
                 + ", ".join(["(?, ?, ?)"] * INSERT_CHUNK))


def _insert(conn: sqlite3.Connection, params: list[tuple[int, int, float]]) -> int:
    """Insert (series id, t, value) rows; return how many were new."""
    whole = len(params) // INSERT_CHUNK * INSERT_CHUNK
    written = 0
    if whole:
        flat = list(chain.from_iterable(islice(params, whole)))  # no copy of the rows
        step = INSERT_CHUNK * 3
        for i in range(0, len(flat), step):
            written += conn.execute(_INSERT_CHUNK, flat[i:i + step]).rowcount
    if whole < len(params):
        written += conn.executemany(_INSERT_ONE, params[whole:]).rowcount
    return written


class SqliteStore(TimeSeriesWriter, TimeSeriesReader):
    """Both halves of the store over one SQLite file.

    Each thread gets its own connection (the API serves requests from a pool).
    """

    def __init__(self, path: Path, *, synchronous: str = "FULL", busy_timeout_ms: int = 5000):
        self.path = Path(path)
        private_file(self.path)  # 0600 before SQLite opens it; -wal/-shm follow its mode
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._ids: dict[SeriesKey, int] = {}
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        try:
            conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise _translate(exc, f"cannot initialise {self.path}") from exc

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=self._busy_timeout_ms / 1000)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(f"PRAGMA synchronous={self._synchronous}")
                conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
                # A batch touches a leaf page of every series it carries; with SQLite's
                # default 2 MiB cache, hundreds of series evict each other every batch.
                conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            except sqlite3.Error as exc:
                raise _translate(exc, f"cannot open {self.path}") from exc
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    # ------------------------------------------------------------ writer

    def _series_ids(self, conn: sqlite3.Connection, keys: set[SeriesKey]) -> None:
        missing = [k for k in keys if k not in self._ids]
        if not missing:
            return
        conn.executemany(
            "INSERT OR IGNORE INTO series (site, pond, device, metric) VALUES (?, ?, ?, ?)",
            [(k.site, k.pond, k.device, k.metric) for k in missing])
        for k in missing:
            row = conn.execute(
                "SELECT id FROM series WHERE site=? AND pond=? AND device=? AND metric=?",
                (k.site, k.pond, k.device, k.metric)).fetchone()
            self._ids[k] = int(row[0])

    def write(self, rows: Sequence[Row]) -> WriteResult:
        if not rows:
            return WriteResult(0, 0)
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                ids = self._ids
                try:
                    params = [(ids[k], t, v) for k, t, v in rows]
                except KeyError:  # a series seen for the first time
                    self._series_ids(conn, {r[0] for r in rows})
                    params = [(ids[k], t, v) for k, t, v in rows]
                # Series by series (stable: each one's rows stay in arrival order), so
                # each series' rows go into its pages one after another.
                params.sort(key=itemgetter(0))
                written = _insert(conn, params)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            # A rolled-back transaction may have created series rows we cached.
            self._ids.clear()
            raise _translate(exc, "write failed") from exc
        return WriteResult(written, len(rows) - written)

    # ------------------------------------------------------------ reader

    def _query(self, sql: str, params: Sequence[object]) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, "query failed") from exc

    def series(self, site: str | None = None, pond: str | None = None) -> list[SeriesKey]:
        sql = "SELECT site, pond, device, metric FROM series"
        where, params = [], []
        if site is not None:
            where.append("site = ?")
            params.append(site)
        if pond is not None:
            where.append("pond = ?")
            params.append(pond)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._query(sql + " ORDER BY site, pond, device, metric", params)
        return [SeriesKey(*map(str, r)) for r in rows]

    def latest(self, site: str, pond: str) -> list[Latest]:
        rows = self._query(
            """SELECT s.site, s.pond, s.device, s.metric, p.t, p.value FROM series s
               JOIN samples p ON p.series_id = s.id
                 AND p.t = (SELECT max(t) FROM samples WHERE series_id = s.id)
               WHERE s.site = ? AND s.pond = ? ORDER BY s.metric, s.device""",
            (site, pond))
        return [Latest(SeriesKey(str(a), str(b), str(c), str(d)), int(t), float(v))
                for a, b, c, d, t, v in rows]

    def raw(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
            limit: int = 100_000) -> list[Point]:
        rows = self._query(
            """SELECT p.t, p.value FROM samples p JOIN series s ON s.id = p.series_id
               WHERE s.site = ? AND s.pond = ? AND s.metric = ? AND p.t >= ? AND p.t < ?
               ORDER BY p.t LIMIT ?""",
            (site, pond, metric, start_ms, end_ms, limit))
        return [Point(int(t), float(v)) for t, v in rows]

    def downsample(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
                   step_ms: int) -> list[Bucket]:
        if step_ms <= 0:
            raise ValueError("step must be positive")
        rows = self._query(
            """SELECT (p.t / ?) * ? AS b, avg(p.value), min(p.value), max(p.value), count(*)
               FROM samples p JOIN series s ON s.id = p.series_id
               WHERE s.site = ? AND s.pond = ? AND s.metric = ? AND p.t >= ? AND p.t < ?
               GROUP BY b ORDER BY b""",
            (step_ms, step_ms, site, pond, metric, start_ms, end_ms))
        return [Bucket(int(b), float(a), float(lo), float(hi), int(n))
                for b, a, lo, hi, n in rows]

    def count(self) -> int:
        return int(self._query("SELECT count(*) FROM samples", ())[0][0])

    def points(self, key: SeriesKey, after_ms: int, limit: int) -> list[Point]:
        """One series' points with t > after, oldest first (for ``kolam export``)."""
        rows = self._query(
            """SELECT p.t, p.value FROM samples p JOIN series s ON s.id = p.series_id
               WHERE s.site = ? AND s.pond = ? AND s.device = ? AND s.metric = ? AND p.t > ?
               ORDER BY p.t LIMIT ?""",
            (key.site, key.pond, key.device, key.metric, after_ms, limit))
        return [Point(int(t), float(v)) for t, v in rows]

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
        self._local = threading.local()
