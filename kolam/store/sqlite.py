"""SQLite time-series backend (WAL; ``samples`` STRICT WITHOUT ROWID on (series_id, t)).

Ingest and API are separate processes sharing the file: WAL lets readers run
while the single writer commits. ``synchronous=FULL`` makes a commit survive a
power cut, which is what "ack only after the durable commit" needs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from itertools import chain, groupby, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from kolam.errors import StoreError, StoreUnavailable
from kolam.security.files import private_file
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
from kolam.store.rollup import FIVE_MIN_MS, HOUR_MS, Acc, coarsen, fold, merge, plan, widen

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
CREATE TABLE IF NOT EXISTS rollup_5m (
    series_id INTEGER NOT NULL, t INTEGER NOT NULL,
    sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (series_id, t)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_1h (
    series_id INTEGER NOT NULL, t INTEGER NOT NULL,
    sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (series_id, t)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pruned (
    series_id INTEGER PRIMARY KEY,
    before INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS store_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
"""
ROLLUP_TABLES = {FIVE_MIN_MS: "rollup_5m", HOUR_MS: "rollup_1h"}
BACKFILL_CHUNK_MS = 7 * 86_400_000
"""Raw time per series recomputed into roll-ups per transaction by the one-off backfill."""


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


def _rollup_sql(table: str) -> str:
    return (f"INSERT INTO {table} (series_id, t, sum, min, max, count) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (series_id, t) DO UPDATE SET sum = sum + excluded.sum, "
            "min = min(min, excluded.min), max = max(max, excluded.max), "
            "count = count + excluded.count")


_ROLLUP_5M = _rollup_sql("rollup_5m")
_ROLLUP_1H = _rollup_sql("rollup_1h")


def _bucket_5m(row: tuple[int, int, float]) -> tuple[int, int]:
    return row[0], row[1] - row[1] % FIVE_MIN_MS


def _add_rollups(conn: sqlite3.Connection, new: list[tuple[int, int, float]]) -> None:
    """Add newly stored values (sorted by series) to their 5-minute and hourly buckets,
    in the write's transaction. A series' values arrive mostly in time order, so grouping
    consecutive rows by bucket leaves the sums and extremes to C."""
    acc: dict[tuple[int, int], Acc] = {}
    for key, group in groupby(new, _bucket_5m):
        values = [r[2] for r in group]
        a = acc.get(key)
        if a is None:
            acc[key] = [sum(values), min(values), max(values), len(values)]
        else:  # the same bucket again (a late value between others)
            for v in values:
                fold(acc, key[0], key[1], v, FIVE_MIN_MS)
    conn.executemany(_ROLLUP_5M, [(sid, t, *a) for (sid, t), a in acc.items()])
    conn.executemany(_ROLLUP_1H,
                     [(sid, t, *a) for (sid, t), a in coarsen(acc, HOUR_MS).items()])


def _recompute_rollups(conn: sqlite3.Connection, rows: list[tuple[int, int, float]]) -> None:
    """Rebuild the buckets ``rows`` fall in from the stored raw values: after a write that
    held duplicates, where the values that were new cannot be told apart cheaply.
    Exact, because pruning removes whole hours (a bucket is all there or all gone)."""
    fives = sorted({_bucket_5m(r) for r in rows})
    hours = sorted({(sid, t - t % HOUR_MS) for sid, t in fives})
    conn.executemany(
        """INSERT OR REPLACE INTO rollup_5m SELECT series_id, ?2, sum(value), min(value),
               max(value), count(*) FROM samples
           WHERE series_id = ?1 AND t >= ?2 AND t < ?2 + 300000""", fives)
    conn.executemany(
        """INSERT OR REPLACE INTO rollup_1h SELECT series_id, ?2, sum(sum), min(min),
               max(max), sum(count) FROM rollup_5m
           WHERE series_id = ?1 AND t >= ?2 AND t < ?2 + 3600000""", hours)


class SqliteStore(TimeSeriesWriter, TimeSeriesReader, RawPruner):
    """Both halves of the store over one SQLite file.

    Each thread gets its own connection (the API serves requests from a pool). Every
    write also adds its new values to the roll-ups, in the same transaction.
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
        self._rollups_ready = False
        conn = self._conn()
        try:
            had_samples = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'samples'"
                                       ).fetchone() is not None
            had_rollups = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'rollup_5m'"
                                       ).fetchone() is not None
            conn.executescript(SCHEMA)
            if had_samples and not had_rollups:
                # A file from before roll-ups: its values are rolled up by the next
                # retention pass; until then reads use the raw values.
                conn.execute("INSERT OR IGNORE INTO store_meta VALUES ('backfill_pending', 1)")
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
                params = self._drop_pruned(conn, params)
                written = _insert(conn, params)
                if written == len(params):
                    _add_rollups(conn, params)
                else:  # a redelivery: some of these were stored already
                    _recompute_rollups(conn, params)
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
    def _drop_pruned(conn: sqlite3.Connection, params: list[tuple[int, int, float]]
                     ) -> list[tuple[int, int, float]]:
        """Leave out values older than their series' pruned window: whether they are
        redeliveries can no longer be told, and their roll-up already holds them
        (they are counted as duplicates)."""
        floor = dict(conn.execute("SELECT series_id, before FROM pruned WHERE before > ?",
                                  (min(p[1] for p in params),)).fetchall())
        if not floor:
            return params
        return [p for p in params if p[1] >= floor.get(p[0], p[1])]

    # ------------------------------------------------------------ retention

    def backfill_pending(self) -> bool:
        if self._rollups_ready:
            return False
        pending = bool(self._query(
            "SELECT count(*) FROM store_meta WHERE key = 'backfill_pending'", ())[0][0])
        self._rollups_ready = not pending
        return pending

    def backfill_rollups(self, stop: threading.Event | None = None) -> int:
        """Recompute the roll-ups of every stored raw value (once, for a file from before
        roll-ups existed), a week of one series per transaction; return buckets written.

        A recomputed bucket replaces its roll-up with exactly the raw values stored at that
        moment; a write committed later adds to it, so running beside ingest is safe."""
        if not self.backfill_pending():
            return 0
        conn = self._conn()
        written = 0
        try:
            for sid, lo, hi in conn.execute(
                    "SELECT series_id, min(t), max(t) FROM samples GROUP BY series_id"
                    ).fetchall():
                t = lo - lo % HOUR_MS
                while t <= hi:
                    if stop is not None and stop.is_set():
                        return written
                    end = t + BACKFILL_CHUNK_MS
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        for res, table in ROLLUP_TABLES.items():
                            written += conn.execute(
                                f"""INSERT OR REPLACE INTO {table}
                                    SELECT series_id, (t / ?) * ?, sum(value), min(value),
                                           max(value), count(*)
                                    FROM samples WHERE series_id = ? AND t >= ? AND t < ?
                                    GROUP BY 2""", (res, res, sid, t, end)).rowcount
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                    t = end
            conn.execute("DELETE FROM store_meta WHERE key = 'backfill_pending'")
        except sqlite3.Error as exc:
            raise _translate(exc, "roll-up backfill failed") from exc
        self._rollups_ready = True
        return written

    def prune_raw(self, cutoff_of: Callable[[str], int], *, batch_rows: int = 5000,
                  pause_s: float = 0.02, stop: threading.Event | None = None) -> PruneResult:
        self.backfill_rollups(stop)
        if self.backfill_pending():
            return PruneResult(0, 0)  # stopped mid-backfill: prune nothing yet
        conn = self._conn()
        deleted = transactions = 0
        series = self._query("SELECT id, site FROM series ORDER BY id", ())
        i = 0
        try:
            while i < len(series):
                if stop is not None and stop.is_set():
                    break
                in_tx = 0
                conn.execute("BEGIN IMMEDIATE")
                try:
                    while i < len(series) and in_tx < batch_rows:
                        sid, site = series[i]
                        # Whole hours only, so a roll-up bucket is all there or all gone.
                        cutoff = int(cutoff_of(str(site))) // HOUR_MS * HOUR_MS
                        # The (room)th oldest value bounds this delete to about ``room`` rows.
                        row = conn.execute(
                            "SELECT t FROM samples WHERE series_id = ? AND t < ? ORDER BY t "
                            "LIMIT 1 OFFSET ?", (sid, cutoff, batch_rows - in_tx)).fetchone()
                        if row is None:
                            bound = cutoff
                        else:
                            bound = int(row[0]) // HOUR_MS * HOUR_MS
                            first = int(conn.execute("SELECT min(t) FROM samples WHERE "
                                                     "series_id = ?", (sid,)).fetchone()[0])
                            # An hour holding more than ``room`` values goes whole.
                            bound = max(bound, min(cutoff, (first // HOUR_MS + 1) * HOUR_MS))
                        n = conn.execute("DELETE FROM samples WHERE series_id = ? AND t < ?",
                                         (sid, bound)).rowcount
                        if n:
                            conn.execute(
                                "INSERT INTO pruned VALUES (?, ?) ON CONFLICT (series_id) "
                                "DO UPDATE SET before = max(before, excluded.before)",
                                (sid, bound))
                        in_tx += n
                        if row is None:
                            i += 1  # this series is done
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                transactions += 1
                deleted += in_tx
                if pause_s and i < len(series):
                    if stop is not None:
                        stop.wait(pause_s)
                    else:
                        time.sleep(pause_s)
        except sqlite3.Error as exc:
            raise _translate(exc, "pruning failed") from exc
        return PruneResult(deleted, transactions)

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
        how = plan(start_ms, end_ms, step_ms)
        if how is None or self.backfill_pending():
            return merge(self._raw_parts(site, pond, metric, start_ms, end_ms, step_ms))
        if start_ms < how.lo and start_ms < self._pruned_before(site, pond, metric):
            how = widen(how)  # the raw values of the ragged start are gone: whole bucket
        parts = self._query(
            f"""SELECT (r.t / ?) * ? AS b, sum(r.sum), min(r.min), max(r.max), sum(r.count)
                FROM {ROLLUP_TABLES[how.res_ms]} r JOIN series s ON s.id = r.series_id
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
                        FROM {ROLLUP_TABLES[res_ms]} r JOIN series s ON s.id = r.series_id
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
