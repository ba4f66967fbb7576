"""SQLite time-series backend (WAL; ``samples`` STRICT WITHOUT ROWID on (series_id, t)).

Ingest and API are separate processes sharing the file: WAL lets readers run
while the single writer commits. ``synchronous=FULL`` makes a commit survive a
power cut, which is what "ack only after the durable commit" needs.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from kolam.errors import StoreError, StoreUnavailable
from kolam.security.files import private_file
from kolam.store import _sqlite_rollup as rollup
from kolam.store.base import (
    Bucket,
    Latest,
    Point,
    PruneResult,
    RawPruner,
    Row,
    SeriesKey,
    TimeSeriesReader,
    TimeSeriesWriter,
    WriteResult,
)
from kolam.store.rollup import merge, plan, widen

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


class SqliteStore(TimeSeriesWriter, TimeSeriesReader, RawPruner):
    """Both halves of the store over one SQLite file.

    Each thread gets its own connection (the API serves requests from a pool). Roll-ups
    and pruning: ``kolam.store._sqlite_rollup``.
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
            # A file from before roll-ups gets the tables empty, and no watermark: the
            # first roll-up pass starts at its oldest value; reads use raw values meanwhile.
            conn.executescript(SCHEMA + rollup.SCHEMA)
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
                oldest = min(p[1] for p in params)
                params = self._drop_pruned(conn, params, oldest)
                written = _insert(conn, params)
                mark = rollup.watermark(conn)
                if oldest < mark:  # late values: their buckets are rolled up already
                    late = [p for p in params if p[1] < mark]
                    if written == len(params):
                        rollup.add_late(conn, late)
                    else:  # a redelivery: some of these were stored already
                        rollup.recompute(conn, late)
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

    @staticmethod
    def _drop_pruned(conn: sqlite3.Connection, params: list[tuple[int, int, float]],
                     oldest: int) -> list[tuple[int, int, float]]:
        """Leave out values older than their series' pruned window: whether they are
        redeliveries can no longer be told, and their roll-up already holds them
        (they are counted as duplicates)."""
        floor = dict(conn.execute("SELECT series_id, before FROM pruned WHERE before > ?",
                                  (oldest,)).fetchall())
        if not floor:
            return params
        return [p for p in params if p[1] >= floor.get(p[0], p[1])]

    # ------------------------------------------------------------ retention

    def roll_up(self, now_ms: int, stop: threading.Event | None = None,
                pause_s: float = 0.02) -> int:
        """Roll up the raw values written since the last pass (ingest runs one a minute);
        return the 5-minute buckets written."""
        try:
            return rollup.roll_up(self._conn(), now_ms, stop, pause_s)
        except sqlite3.Error as exc:
            raise _translate(exc, "roll-up failed") from exc

    def rolled_up_to(self) -> int:
        """The watermark: roll-ups hold every raw value before it."""
        return int(self._query("SELECT coalesce(max(value), 0) FROM store_meta "
                               "WHERE key = 'rolled_up_to'", ())[0][0])

    def prune_raw(self, cutoff_of: Callable[[str], int], *, batch_rows: int = 5000,
                  pause_s: float = 0.02, stop: threading.Event | None = None) -> PruneResult:
        try:
            return rollup.prune(self._conn(), cutoff_of, batch_rows, pause_s, stop)
        except sqlite3.Error as exc:
            raise _translate(exc, "pruning failed") from exc

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
        """Served from the coarsest roll-up whose width divides ``step_ms`` (raw values
        only for the ragged edges of the range), else from the raw values."""
        if step_ms <= 0:
            raise ValueError("step must be positive")
        how = plan(start_ms, end_ms, step_ms, self.rolled_up_to())
        if how is None:
            return merge(self._raw_parts(site, pond, metric, start_ms, end_ms, step_ms))
        if start_ms < how.lo and start_ms < self._pruned_before(site, pond, metric):
            how = widen(how)  # the raw values of the ragged start are gone: whole bucket
        parts = self._query(
            f"""SELECT (r.t / ?) * ? AS b, sum(r.sum), min(r.min), max(r.max), sum(r.count)
                FROM {rollup.TABLES[how.res_ms]} r JOIN series s ON s.id = r.series_id
                WHERE s.site = ? AND s.pond = ? AND s.metric = ? AND r.t >= ? AND r.t < ?
                GROUP BY b""",
            (step_ms, step_ms, site, pond, metric, how.lo, how.hi))
        if start_ms < how.lo:
            parts += self._raw_parts(site, pond, metric, start_ms, how.lo, step_ms)
        if how.hi < end_ms:
            parts += self._raw_parts(site, pond, metric, how.hi, end_ms, step_ms)
        return merge(parts)

    def _pruned_before(self, site: str, pond: str, metric: str) -> int:
        row = self._query("""SELECT max(p.before) FROM pruned p JOIN series s ON s.id = p.series_id
                             WHERE s.site = ? AND s.pond = ? AND s.metric = ?""",
                          (site, pond, metric))
        return int(row[0][0]) if row and row[0][0] is not None else 0

    def _raw_parts(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
                   step_ms: int) -> list[Any]:
        return self._query(
            """SELECT (p.t / ?) * ? AS b, sum(p.value), min(p.value), max(p.value), count(*)
               FROM samples p JOIN series s ON s.id = p.series_id
               WHERE s.site = ? AND s.pond = ? AND s.metric = ? AND p.t >= ? AND p.t < ?
               GROUP BY b""",
            (step_ms, step_ms, site, pond, metric, start_ms, end_ms))

    def rollups(self, key: SeriesKey, res_ms: int, start_ms: int, end_ms: int
                ) -> list[tuple[int, float, float, float, int]]:
        """One series' stored roll-up rows (t, sum, min, max, count) in [start, end)."""
        return [(int(t), float(a), float(lo), float(hi), int(n)) for t, a, lo, hi, n in
                self._query(
                    f"""SELECT r.t, r.sum, r.min, r.max, r.count
                        FROM {rollup.TABLES[res_ms]} r JOIN series s ON s.id = r.series_id
                        WHERE s.site = ? AND s.pond = ? AND s.device = ? AND s.metric = ?
                          AND r.t >= ? AND r.t < ? ORDER BY r.t""",
                    (*key, start_ms, end_ms))]

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
