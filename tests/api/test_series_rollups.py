"""The series route over roll-ups: 30 days at a 1-hour step after the raw values are
pruned, on a real SQLite store, with the same answers as before pruning."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store import SeriesKey, SqliteStore
from kolam.store.rollup import HOUR_MS
from kolam.timeutil import iso, now_ms
from tests.utils.auth import admin_client

DAY = 86_400_000


def test_a_30_day_series_at_one_hour_comes_from_rollups(
        make_config: Callable[..., KolamConfig]) -> None:
    config = make_config()
    store = SqliteStore(config.samples_path, synchronous="OFF")
    registry = Registry(config.registry_url)
    registry.ensure_pond("serang", "kolam-1")
    end = now_ms() // HOUR_MS * HOUR_MS
    start = end - 30 * DAY
    key = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
    store.write([(key, t, 4.0 + (t // HOUR_MS) % 5) for t in range(start, end, 60_000)])
    store.roll_up(end + 2 * 60_000, pause_s=0)
    params = {"metric": "do_mgl", "start": iso(start), "end": iso(end), "step": 3600}
    url = "/api/v1/sites/serang/ponds/kolam-1/series"
    try:
        with TestClient(create_app(config, store, registry)) as client:
            admin_client(client, registry)
            before = client.get(url, params=params).json()["buckets"]
            store.prune_raw(lambda site: end - DAY, pause_s=0)
            assert len(store.raw("serang", "kolam-1", "do_mgl", start, end)) == 1440
            after = client.get(url, params=params).json()["buckets"]
    finally:
        store.close()
        registry.close()
    assert len(after) == 720 and after == before
    assert all(b["count"] == 60 for b in after)
