"""The SQLite store's roll-ups and pruning (docs/storage.md#retention-and-roll-ups).

Roll-ups are written behind a *watermark* (``store_meta.rolled_up_to``, on a 5-minute
edge): a roll-up pass (ingest runs one a minute) aggregates the raw values between the
watermark and a minute ago, in SQL, at most an hour of every series per transaction, and
moves the watermark. A write whose values fall below the watermark (late data) adds
them to their buckets in its own transaction, so a roll-up is always exactly the raw
values it holds. Reads take roll-ups below the watermark and raw values above it. The
pass's joins are ``CROSS JOIN``s: series first, then a primary-key range of each (the
planner, without statistics, would otherwise scan all of ``samples``).
Ingest's batches thus pay nothing for roll-ups, except for late values.

Pruning removes whole hours below both the site's cutoff and the watermark, and records
the bound per series (``pruned``): a value written later below it (a redelivery that
can no longer be told from a new value) is left out.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from itertools import groupby

from kolam.store.base import PruneResult
from kolam.store.rollup import FIVE_MIN_MS, HOUR_MS, Acc, coarsen, fold

SCHEMA = """
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
CREATE INDEX IF NOT EXISTS pruned_before ON pruned (before);
CREATE TABLE IF NOT EXISTS store_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
"""
TABLES = {FIVE_MIN_MS: "rollup_5m", HOUR_MS: "rollup_1h"}
GRACE_MS = 60_000
"""The pass leaves the last minute to raw values: most of a late minute is still arriving."""


def _upsert_sql(table: str) -> str:
    return (f"INSERT INTO {table} (series_id, t, sum, min, max, count) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (series_id, t) DO UPDATE SET sum = sum + excluded.sum, "
            "min = min(min, excluded.min), max = max(max, excluded.max), "
            "count = count + excluded.count")


_UPSERT_5M = _upsert_sql("rollup_5m")
_UPSERT_1H = _upsert_sql("rollup_1h")


def watermark(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM store_meta WHERE key = 'rolled_up_to'").fetchone()
    return int(row[0]) if row else 0


def _bucket_5m(row: tuple[int, int, float]) -> tuple[int, int]:
    return row[0], row[1] - row[1] % FIVE_MIN_MS


def add_late(conn: sqlite3.Connection, rows: list[tuple[int, int, float]]) -> None:
    """Add newly stored values (sorted by series) below the watermark to their buckets."""
    acc: dict[tuple[int, int], Acc] = {}
    for key, group in groupby(rows, _bucket_5m):
        values = [r[2] for r in group]
        a = acc.get(key)
        if a is None:
            acc[key] = [sum(values), min(values), max(values), len(values)]
        else:  # the same bucket again (a value out of order)
            for v in values:
                fold(acc, key[0], key[1], v, FIVE_MIN_MS)
    conn.executemany(_UPSERT_5M, [(sid, t, *a) for (sid, t), a in acc.items()])
    conn.executemany(_UPSERT_1H, [(sid, t, *a) for (sid, t), a in coarsen(acc, HOUR_MS).items()])


def recompute(conn: sqlite3.Connection, rows: list[tuple[int, int, float]]) -> None:
    """Rebuild the buckets below the watermark that ``rows`` fall in, from the stored raw
    values: after a write holding duplicates, whose new values cannot be told apart
    cheaply. Exact, because pruning removes whole hours (a bucket is all there or gone)."""
    fives = sorted({_bucket_5m(r) for r in rows})
    hours = sorted({(sid, t - t % HOUR_MS) for sid, t in fives})
    conn.executemany(
        """INSERT OR REPLACE INTO rollup_5m SELECT series_id, ?2, sum(value), min(value),
               max(value), count(*) FROM samples
           WHERE series_id = ?1 AND t >= ?2 AND t < ?2 + 300000 GROUP BY series_id""", fives)
    conn.executemany(
        """INSERT OR REPLACE INTO rollup_1h SELECT series_id, ?2, sum(sum), min(min),
               max(max), sum(count) FROM rollup_5m
           WHERE series_id = ?1 AND t >= ?2 AND t < ?2 + 3600000 GROUP BY series_id""", hours)


def _in_tx(conn: sqlite3.Connection, work: Callable[[], None]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        work()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def roll_up(conn: sqlite3.Connection, now_ms: int, stop: threading.Event | None = None,
            pause_s: float = 0.02) -> int:
    """Aggregate raw values from the watermark to a minute before ``now_ms``, at most to
    the next whole hour per transaction (ingest's minute pass does five minutes of every
    series; a file catching up an hour), ``pause_s`` after each; return how many 5-minute
    buckets were written."""
    target = (now_ms - GRACE_MS) // FIVE_MIN_MS * FIVE_MIN_MS
    written = 0
    while True:
        if stop is not None and stop.is_set():
            return written
        mark = watermark(conn)
        if mark == 0:  # a new file, or one from before roll-ups: start at its oldest value
            first = conn.execute("SELECT min((SELECT min(t) FROM samples WHERE series_id = s.id))"
                                 " FROM series s").fetchone()[0]
            if first is None:
                return written
            mark = int(first) // FIVE_MIN_MS * FIVE_MIN_MS
        if mark >= target:
            return written
        hour = mark - mark % HOUR_MS
        end = min(target, hour + HOUR_MS)  # at most to the next hour: one tx per hour
        counted = 0

        def work(mark: int = mark, end: int = end, hour: int = hour) -> None:
            nonlocal counted
            if watermark(conn) > mark:  # another process moved it meanwhile
                return
            counted = conn.execute(
                """INSERT OR REPLACE INTO rollup_5m
                   SELECT p.series_id, p.t - p.t % 300000, sum(p.value), min(p.value),
                          max(p.value), count(*)
                   FROM series s CROSS JOIN samples p ON p.series_id = s.id AND p.t >= ?1
                        AND p.t < ?2
                   GROUP BY 1, 2""", (mark, end)).rowcount
            if counted:
                conn.execute(
                    """INSERT OR REPLACE INTO rollup_1h
                       SELECT r.series_id, ?1, sum(r.sum), min(r.min), max(r.max), sum(r.count)
                       FROM series s CROSS JOIN rollup_5m r ON r.series_id = s.id AND r.t >= ?1
                            AND r.t < ?2
                       GROUP BY r.series_id""", (hour, end))
            moved = end
            if not counted:  # a gap: move on to the next value
                nxt = conn.execute(
                    "SELECT min((SELECT min(t) FROM samples WHERE series_id = s.id AND t >= ?))"
                    " FROM series s", (end,)).fetchone()[0]
                moved = target if nxt is None else max(end, min(target, int(nxt) // FIVE_MIN_MS
                                                                * FIVE_MIN_MS))
            conn.execute("INSERT INTO store_meta VALUES ('rolled_up_to', ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (moved,))

        _in_tx(conn, work)
        written += counted
        if pause_s:  # catching up: let ingest's commits in between (they would starve)
            (stop.wait if stop is not None else time.sleep)(pause_s)


def prune(conn: sqlite3.Connection, cutoff_of: Callable[[str], int], batch_rows: int,
          pause_s: float, stop: threading.Event | None) -> PruneResult:
    """Delete raw values below each series' cutoff, in whole hours, about ``batch_rows``
    per transaction; never above the watermark (values not yet rolled up stay)."""
    mark = watermark(conn) // HOUR_MS * HOUR_MS
    series = conn.execute("SELECT id, site FROM series ORDER BY id").fetchall()
    deleted = transactions = 0
    i = 0
    while i < len(series):
        if stop is not None and stop.is_set():
            break
        in_tx = 0

        def work() -> None:
            nonlocal i, in_tx
            while i < len(series) and in_tx < batch_rows:
                sid, site = series[i]
                cutoff = min(int(cutoff_of(str(site))) // HOUR_MS * HOUR_MS, mark)
                # The (room)th oldest value bounds this delete to about ``room`` rows.
                row = conn.execute(
                    "SELECT t FROM samples WHERE series_id = ? AND t < ? ORDER BY t "
                    "LIMIT 1 OFFSET ?", (sid, cutoff, batch_rows - in_tx)).fetchone()
                if row is None:
                    bound = cutoff
                else:
                    first = int(conn.execute("SELECT min(t) FROM samples WHERE series_id = ?",
                                             (sid,)).fetchone()[0])
                    # An hour holding more than ``room`` values goes whole.
                    bound = max(int(row[0]) // HOUR_MS * HOUR_MS,
                                min(cutoff, (first // HOUR_MS + 1) * HOUR_MS))
                n = conn.execute("DELETE FROM samples WHERE series_id = ? AND t < ?",
                                 (sid, bound)).rowcount
                if n:
                    conn.execute("INSERT INTO pruned VALUES (?, ?) ON CONFLICT (series_id) "
                                 "DO UPDATE SET before = max(before, excluded.before)",
                                 (sid, bound))
                in_tx += n
                if row is None:
                    i += 1  # this series is done

        _in_tx(conn, work)
        transactions += 1
        deleted += in_tx
        if pause_s and i < len(series):
            (stop.wait if stop is not None else time.sleep)(pause_s)
    return PruneResult(deleted, transactions)
