"""Storage contract: every time-series backend must pass these."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kolam.store import SeriesKey, SqliteStore

T0 = 1_764_288_000_000  # 2025-11-28T00:00Z
MIN = 60_000
DO = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
PH = SeriesKey("serang", "kolam-1", "node-1", "ph")
OTHER = SeriesKey("serang", "kolam-2", "node-2", "do_mgl")


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "samples.sqlite")
    yield s
    s.close()


def test_write_is_idempotent(store: SqliteStore) -> None:
    rows = [(DO, T0 + i * MIN, 5.0 + i) for i in range(10)]
    first = store.write(rows)
    assert (first.written, first.duplicates) == (10, 0)
    again = store.write([*rows[5:], (DO, T0 + 10 * MIN, 15.0)])
    assert (again.written, again.duplicates) == (1, 5)
    assert store.count() == 11


def test_first_value_wins_on_redelivery(store: SqliteStore) -> None:
    store.write([(DO, T0, 5.0)])
    store.write([(DO, T0, 9.0)])
    assert [p.value for p in store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 1)] == [5.0]


def test_raw_range_is_half_open_and_ordered(store: SqliteStore) -> None:
    store.write([(DO, T0 + i * MIN, float(i)) for i in reversed(range(10))])
    pts = store.raw("serang", "kolam-1", "do_mgl", T0 + 2 * MIN, T0 + 5 * MIN)
    assert [p.t for p in pts] == [T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN]
    assert store.raw("serang", "kolam-1", "ph", T0, T0 + 10 * MIN) == []


def test_downsample_mean_min_max(store: SqliteStore) -> None:
    store.write([(DO, T0 + i * MIN, float(i)) for i in range(30)])
    buckets = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 30 * MIN, 10 * MIN)
    assert [(b.t, b.mean, b.min, b.max, b.count) for b in buckets] == [
        (T0, 4.5, 0.0, 9.0, 10), (T0 + 10 * MIN, 14.5, 10.0, 19.0, 10),
        (T0 + 20 * MIN, 24.5, 20.0, 29.0, 10)]


def test_latest_is_not_rewound_by_late_data(store: SqliteStore) -> None:
    store.write([(DO, T0 + 60 * MIN, 6.0), (PH, T0 + 60 * MIN, 7.2)])
    store.write([(DO, T0, 3.0)])  # a gateway catching up with old data
    latest = {x.key.metric: (x.t, x.value) for x in store.latest("serang", "kolam-1")}
    assert latest == {"do_mgl": (T0 + 60 * MIN, 6.0), "ph": (T0 + 60 * MIN, 7.2)}


def test_series_listing_and_isolation(store: SqliteStore) -> None:
    store.write([(DO, T0, 5.0), (OTHER, T0, 4.0)])
    assert set(store.series("serang")) == {DO, OTHER}
    assert store.series("serang", "kolam-2") == [OTHER]
    assert [p.value for p in store.raw("serang", "kolam-2", "do_mgl", T0, T0 + 1)] == [4.0]


def test_survives_reopen(store: SqliteStore, tmp_path: Path) -> None:
    store.write([(DO, T0, 5.0)])
    store.close()
    again = SqliteStore(store.path)
    assert again.count() == 1
    assert again.write([(DO, T0, 5.0)]).duplicates == 1
    again.close()
