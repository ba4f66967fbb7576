"""Roll-ups and raw pruning: both backends, over a real SQLite file and a real InfluxDB.

The roll-ups must equal the mean/min/max/count of the raw values they replace, a late
value must correct its bucket, a redelivery must not count twice, and after pruning a
chart reads the same buckets as before it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kolam.store import SeriesKey, SqliteStore
from kolam.store import _influxql as q
from kolam.store.base import Bucket, RawPruner, TimeSeriesReader, TimeSeriesWriter
from kolam.store.influx import InfluxSettings, InfluxStore
from kolam.store.rollup import FIVE_MIN_MS, HOUR_MS
from tests.utils.influx import InfluxServer

T0 = 1_764_288_000_000  # 2025-11-28T00:00Z, a whole hour
DAY = 86_400_000
DO = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
DO2 = SeriesKey("serang", "kolam-1", "node-2", "do_mgl")
FAR = SeriesKey("jayapura", "kolam-1", "node-1", "do_mgl")


class Store(TimeSeriesWriter, TimeSeriesReader, RawPruner):
    """What the tests hold: every half (for typing only)."""


@pytest.fixture(params=["sqlite", "influxdb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s: Store
    if request.param == "sqlite":
        s = SqliteStore(tmp_path / "samples.sqlite")  # type: ignore[assignment]
    else:
        server: InfluxServer = request.getfixturevalue("influx_server")
        db = request.getfixturevalue("influx_db")
        s = InfluxStore(InfluxSettings(server.url, f"{db}/autogen"))  # type: ignore[assignment]
    yield s
    s.close()


FUTURE = T0 + 400 * DAY


def expected(rows: list[tuple[int, float]], start: int, end: int, step: int) -> list[Bucket]:
    """The buckets computed here, from the raw values, the slow obvious way."""
    by: dict[int, list[float]] = {}
    for t, v in rows:
        if start <= t < end:
            by.setdefault(t // step * step, []).append(v)
    return [Bucket(b, sum(vs) / len(vs), min(vs), max(vs), len(vs)) for b, vs in sorted(by.items())]


def same(got: list[Bucket], want: list[Bucket]) -> None:
    assert [(b.t, b.count) for b in got] == [(b.t, b.count) for b in want]
    for g, w in zip(got, want, strict=True):
        assert g.mean == pytest.approx(w.mean, rel=1e-9)
        assert (g.min, g.max) == (w.min, w.max)


def readings(key: SeriesKey, start: int, end: int, step: int, seed: int
             ) -> list[tuple[SeriesKey, int, float]]:
    rng = random.Random(seed)
    return [(key, t, round(rng.uniform(2.0, 9.0), 2)) for t in range(start, end, step)]


def test_rollups_equal_the_raw_values_they_summarise(store: Store) -> None:
    # Two devices in one pond, 2 days at 1 min, written in batches of 500 as ingest does.
    rows = readings(DO, T0, T0 + 2 * DAY, 60_000, 1) + readings(DO2, T0 + 7_000, T0 + 2 * DAY,
                                                                60_000, 2)
    for i in range(0, len(rows), 500):
        store.write(rows[i:i + 500])
    raw = [(t, v) for _, t, v in rows]
    # Rolled up to the middle: roll-ups below it, raw values above (SQLite's watermark).
    for now in (T0 + DAY + 4 * HOUR_MS + 123_456, FUTURE):
        store.roll_up(now, pause_s=0)
        for step in (FIVE_MIN_MS, HOUR_MS, 3 * HOUR_MS, DAY):
            # Ragged ends (not on a bucket edge) are read from raw values.
            start, end = T0 + 1_234_567, T0 + 2 * DAY - 777_777
            same(store.downsample("serang", "kolam-1", "do_mgl", start, end, step),
                 expected(raw, start, end, step))


def test_a_late_value_corrects_its_bucket_and_a_redelivery_does_not(store: Store) -> None:
    rows = readings(DO, T0, T0 + 2 * HOUR_MS, 60_000, 3)
    store.write(rows)
    store.roll_up(FUTURE, pause_s=0)
    late = [(DO, T0 + 30_000, 50.0), (DO, T0 + HOUR_MS + 90_000, -1.0)]
    assert store.write(late).written == 2
    assert store.write(late + rows[:10]).duplicates == 12
    raw = [(t, v) for _, t, v in rows + late]
    for step in (FIVE_MIN_MS, HOUR_MS):
        got = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 2 * HOUR_MS, step)
        same(got, expected(raw, T0, T0 + 2 * HOUR_MS, step))
    hour = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + HOUR_MS, HOUR_MS)[0]
    assert (hour.count, hour.max) == (61, 50.0)
    # A batch mixing new values and redelivered ones.
    mixed = [(DO, T0 + 45_000, 0.5), *rows[20:30], (DO, T0 + 3 * HOUR_MS, 7.0)]
    assert (store.write(mixed).written, store.write(mixed).duplicates) == (2, 12)
    raw += [(T0 + 45_000, 0.5), (T0 + 3 * HOUR_MS, 7.0)]
    for step in (FIVE_MIN_MS, HOUR_MS):
        got = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 4 * HOUR_MS, step)
        same(got, expected(raw, T0, T0 + 4 * HOUR_MS, step))


def test_pruning_drops_old_raw_values_and_keeps_the_chart(store: Store) -> None:
    now = T0 + 10 * DAY
    rows = (readings(DO, T0, now, 600_000, 4) + readings(FAR, T0, now, 600_000, 5))
    for i in range(0, len(rows), 1000):
        store.write(rows[i:i + 1000])
    store.roll_up(now, pause_s=0)
    before = {k.site: store.downsample(k.site, "kolam-1", "do_mgl", T0, now, HOUR_MS)
              for k in (DO, FAR)}
    cutoffs = {"serang": now - 3 * DAY, "jayapura": now - 7 * DAY}  # a per-site window
    result = store.prune_raw(lambda site: cutoffs[site], batch_rows=100, pause_s=0)
    assert result.transactions > 1
    for key in (DO, FAR):
        kept = store.raw(key.site, "kolam-1", "do_mgl", T0, now)
        assert kept and min(p.t for p in kept) >= cutoffs[key.site]
        assert len(kept) == len([r for r in rows if r[0] == key and r[1] >= cutoffs[key.site]])
        # The hourly chart over the whole range is what it was: the roll-ups held it.
        same(store.downsample(key.site, "kolam-1", "do_mgl", T0, now, HOUR_MS), before[key.site])
    # A redelivery of a pruned value must not count twice in its roll-up.
    assert store.write([rows[0]]).written == 0
    same(store.downsample("serang", "kolam-1", "do_mgl", T0, now, HOUR_MS), before["serang"])
    # A second pass has nothing left to do.
    store.prune_raw(lambda site: cutoffs[site], batch_rows=100, pause_s=0)
    assert len(store.raw("serang", "kolam-1", "do_mgl", T0, now)) == len(
        store.raw("serang", "kolam-1", "do_mgl", cutoffs["serang"], now))


def test_pruning_keeps_whole_hours_even_when_an_hour_outgrows_a_batch(store: Store) -> None:
    rows = readings(DO, T0, T0 + 3 * HOUR_MS, 2_000, 8)  # 1,800 values an hour
    store.write(rows)
    store.roll_up(FUTURE, pause_s=0)
    before = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 3 * HOUR_MS, FIVE_MIN_MS)
    store.prune_raw(lambda site: T0 + 2 * HOUR_MS + 1_234_567, batch_rows=100, pause_s=0)
    kept = store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 3 * HOUR_MS)
    assert min(p.t for p in kept) == T0 + 2 * HOUR_MS  # the cutoff's hour stays whole
    assert len(kept) == 1800
    same(store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 3 * HOUR_MS, FIVE_MIN_MS),
         before)


def test_a_30_day_chart_reads_hourly_rollups_not_raw_points(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "samples.sqlite", synchronous="OFF")  # 720 commits
    now = T0 + 30 * DAY
    store.write(readings(DO, T0, now, 60_000, 6))
    assert store.roll_up(now + 60_000, pause_s=0) == 30 * 288
    assert store.rolled_up_to() == now
    statements: list[str] = []
    store._conn().set_trace_callback(statements.append)
    buckets = store.downsample("serang", "kolam-1", "do_mgl", T0, now, HOUR_MS)
    store._conn().set_trace_callback(None)
    assert len(buckets) == 720
    assert any("rollup_1h" in s for s in statements)
    assert not any("FROM samples" in s for s in statements)  # aligned range: no raw edges
    # 720 roll-up rows read for 43,200 raw values.
    assert len(store.rollups(DO, HOUR_MS, T0, now)) == 720
    five = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + DAY, 10 * 60_000)
    assert len(five) == 144 and five[0].count == 10
    store.close()


def test_a_file_from_before_rollups_is_rolled_up_from_its_oldest_value(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "samples.sqlite"
    rows = readings(DO, T0, T0 + DAY, 60_000, 7) + readings(DO, T0 + 9 * DAY, T0 + 10 * DAY,
                                                             60_000, 8)
    store = SqliteStore(path)
    store.write(rows)
    store.close()
    with sqlite3.connect(path) as conn:  # what a file written by the previous version holds
        for table in ("rollup_5m", "rollup_1h", "store_meta", "pruned"):
            conn.execute(f"DROP TABLE {table}")
    old = SqliteStore(path)
    raw = [(t, v) for _, t, v in rows]
    want = expected(raw, T0, T0 + 10 * DAY, HOUR_MS)
    same(old.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 10 * DAY, HOUR_MS), want)
    # An hour per transaction, and the 8-day gap costs one, not 192.
    statements: list[str] = []
    old._conn().set_trace_callback(statements.append)
    assert old.roll_up(T0 + 20 * DAY, pause_s=0) == 2 * 288
    old._conn().set_trace_callback(None)
    assert sum(s == "BEGIN IMMEDIATE" for s in statements) == 2 * 24 + 2
    assert old.rolled_up_to() == T0 + 20 * DAY - 5 * 60_000
    same(old.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 10 * DAY, HOUR_MS), want)
    assert old.rollups(DO, FIVE_MIN_MS, T0, T0 + 300_000)[0][4] == 5
    old.close()


def test_values_not_yet_rolled_up_are_never_pruned(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "samples.sqlite")
    store.write(readings(DO, T0, T0 + 2 * DAY, 60_000, 9))
    store.roll_up(T0 + DAY + 30 * 60_000, pause_s=0)  # rolled up to 1 day 25 min
    store.prune_raw(lambda site: T0 + 2 * DAY, pause_s=0)
    kept = store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 2 * DAY)
    assert min(p.t for p in kept) == T0 + DAY  # the watermark's hour, not the cutoff
    store.close()


def test_a_catching_up_pass_never_starves_the_writer(tmp_path: Path) -> None:
    """Roll-up catch-up and pruning run in short transactions with pauses: a writer with
    ingest's 5 s busy timeout keeps committing beside them, half its commits within a
    second. The writer leaves 10 ms between commits, as ingest
    does while it decodes its next batch. (The writer had a 1 s timeout; a fresh-clone
    run with both cores busy once saw one commit wait longer than that.)"""
    import threading
    import time

    path = tmp_path / "samples.sqlite"
    seeded = SqliteStore(path, synchronous="OFF")
    keys = [SeriesKey("serang", f"kolam-{p}", f"node-{p}", m) for p in range(4)
            for m in ("do_mgl", "ph", "temp_c", "tds_ppm")]
    end = T0 + 2 * DAY
    for t0 in range(T0, end, HOUR_MS):
        seeded.write([(k, t, 6.0) for k in keys for t in range(t0, t0 + HOUR_MS, 10_000)])
    seeded.close()
    writer = SqliteStore(path, busy_timeout_ms=5000)
    worker = SqliteStore(path)
    stop = threading.Event()
    commits: list[float] = []
    failures: list[BaseException] = []

    def write() -> None:
        t = end
        while not stop.is_set():
            started = time.perf_counter()
            try:
                writer.write([(k, t, 7.0) for k in keys])
            except BaseException as exc:
                failures.append(exc)
                return
            commits.append(time.perf_counter() - started)
            t += 10_000
            stop.wait(0.01)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert worker.roll_up(end + 2 * 60_000) == len(keys) * 2 * 288
        assert worker.prune_raw(lambda site: end - DAY, batch_rows=2000).deleted == (
            len(keys) * 8640)
    finally:
        stop.set()
        thread.join()
        writer.close()
        worker.close()
    assert not failures and len(commits) > 10
    assert sorted(commits)[len(commits) // 2] < 1.0


def test_influx_writes_its_own_rollups_beside_the_raw_points(influx_server: InfluxServer,
                                                            influx_db: str) -> None:
    store = InfluxStore(InfluxSettings(influx_server.url, f"{influx_db}/autogen"))
    try:
        rows = readings(DO, T0, T0 + 2 * HOUR_MS, 60_000, 10)
        store.write(rows[:70])
        store.write(rows[70:])  # the second hour's buckets recomputed with both batches
        hourly = {int(r["time"]): r for s in store._query(
            'SELECT "do_mgl_sum", "do_mgl_count", "do_mgl_max" FROM "water_1h"')
            for r in q.rows(s)}
        assert sorted(hourly) == [T0, T0 + HOUR_MS]
        first = [v for _, t, v in rows if t < T0 + HOUR_MS]
        assert hourly[T0]["do_mgl_count"] == 60
        assert hourly[T0]["do_mgl_sum"] == pytest.approx(sum(first))
        assert hourly[T0]["do_mgl_max"] == max(first)
        assert store.count() == 120  # roll-ups are not counted as stored values
        assert [k.metric for k in store.series()] == ["do_mgl"]
    finally:
        store.close()


def test_influx_rollups_are_made_when_a_failed_write_is_retried(
        influx_server: InfluxServer, influx_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """InfluxDB has no transactions: the raw points can land and the roll-up write fail
    (the server stopped in between). Ingest retries the batch; its points are there already
    (duplicates), and the retry must still write the hour's roll-ups."""
    store = InfluxStore(InfluxSettings(influx_server.url, f"{influx_db}/autogen"))
    try:
        rows = readings(DO, T0, T0 + HOUR_MS, 60_000, 11)
        real = store._write_rollups

        def fail(points: object) -> None:
            raise OSError("connection refused")

        monkeypatch.setattr(store, "_write_rollups", fail)
        with pytest.raises(OSError):
            store.write(rows)
        assert store.count() == 60  # the raw points landed
        monkeypatch.setattr(store, "_write_rollups", real)
        result = store.write(rows)  # the retry
        assert (result.written, result.duplicates) == (0, 60)
        hourly = [r for s in store._query('SELECT "do_mgl_count", "do_mgl_sum" FROM "water_1h"')
                  for r in q.rows(s)]
        assert [h["do_mgl_count"] for h in hourly] == [60]
        assert hourly[0]["do_mgl_sum"] == pytest.approx(sum(v for _, _, v in rows))
    finally:
        store.close()
