"""Ingest's retention thread: rolls up every ``rollup_interval_s``, prunes every
``interval_s``, on a real SQLite file and registry, and stops promptly."""

from __future__ import annotations

import time
from collections.abc import Callable

from ingest.metrics import IngestMetrics
from ingest.retention import RetentionThread
from kolam.config import KolamConfig
from kolam.registry.repo import DeadLetterIn, Registry
from kolam.store import SeriesKey, SqliteStore
from kolam.store.rollup import HOUR_MS
from kolam.timeutil import now_ms
from tests.utils.net import wait_for

DAY = 86_400_000
KEY = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")


def test_the_thread_rolls_up_prunes_and_counts(make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(retention={"raw_days": 2, "interval_s": 0.5, "rollup_interval_s": 0.1,
                                    "pause_ms": 0})
    store = SqliteStore(config.samples_path)
    registry = Registry(config.registry_url)
    now = now_ms() // HOUR_MS * HOUR_MS
    store.write([(KEY, t, 6.0) for t in range(now - 4 * DAY, now, 60_000)])
    registry.add_dead_letters([DeadLetterIn("t", "bad_json", "", "{}", now - 100 * DAY)])
    metrics = IngestMetrics()
    thread = RetentionThread(config.retention, store, registry.engine, metrics,
                             first_after_s=0.3)
    thread.start()
    try:
        wait_for(lambda: bool(thread.reports), 30)
        report = thread.reports[0]
        assert report.raw_deleted == 2 * 1440
        assert report.dead_letters_dropped == {"bad_json": 1}
        assert store.rolled_up_to() >= now - 5 * 60_000
        value = metrics.registry.get_sample_value
        assert value("kolam_retention_raw_pruned_total") == 2 * 1440
        assert value("kolam_retention_dead_letters_dropped_total", {"reason": "bad_json"}) == 1
        # The minute roll-up keeps going between passes: a new value is rolled up.
        late = now_ms() - 10 * 60_000
        store.write([(KEY, late, 7.0)])
        wait_for(lambda: store.rollups(KEY, 300_000, now_ms() - 15 * 60_000,
                                              now_ms()) != [], 10)
    finally:
        started = time.monotonic()
        thread.stop()
        assert time.monotonic() - started < 5
        store.close()
        registry.close()
    hourly = SqliteStore(config.samples_path).downsample("serang", "kolam-1", "do_mgl",
                                                         now - 4 * DAY, now, HOUR_MS)
    # Every hour of the seeded days rolled up whole; in the first 10 minutes past an hour
    # the late 7.0 falls in the last seeded hour, which then holds it too (61 values).
    assert len(hourly) == 96
    assert all(b.count == 60 and b.mean == 6.0 for b in hourly if b.t != late // HOUR_MS * HOUR_MS)
    assert all(b.count == 61 and b.max == 7.0 for b in hourly if b.t == late // HOUR_MS * HOUR_MS)
