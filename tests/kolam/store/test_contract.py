"""Storage contract: every time-series backend must pass these.

Each test runs against SQLite and against a real InfluxDB (tests/utils/influx.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kolam.store import SeriesKey, SqliteStore
from kolam.store.base import TimeSeriesReader, TimeSeriesWriter
from kolam.store.influx import InfluxSettings, InfluxStore
from tests.utils.influx import InfluxServer

T0 = 1_764_288_000_000  # 2025-11-28T00:00Z
MIN = 60_000
DO = SeriesKey("serang", "kolam-1", "node-1", "do_mgl")
PH = SeriesKey("serang", "kolam-1", "node-1", "ph")
OTHER = SeriesKey("serang", "kolam-2", "node-2", "do_mgl")


class Store(TimeSeriesWriter, TimeSeriesReader):
    """What the tests hold: both halves (for typing only)."""


Opener = Callable[[], Store]


@pytest.fixture(params=["sqlite", "influxdb"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens a store over the same storage each time it is called (to test reopening)."""
    opened: list[Store] = []
    if request.param == "sqlite":
        def make() -> Store:
            return SqliteStore(tmp_path / "samples.sqlite")  # type: ignore[return-value]
    else:
        server: InfluxServer = request.getfixturevalue("influx_server")
        db = request.getfixturevalue("influx_db")
        settings = InfluxSettings(server.url, f"{db}/autogen")

        def make() -> Store:
            return InfluxStore(settings)  # type: ignore[return-value]

    def opener() -> Store:
        opened.append(make())
        return opened[-1]

    yield opener
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store: Opener) -> Store:
    return open_store()


def test_write_is_idempotent(store: Store) -> None:
    rows = [(DO, T0 + i * MIN, 5.0 + i) for i in range(10)]
    first = store.write(rows)
    assert (first.written, first.duplicates) == (10, 0)
    again = store.write([*rows[5:], (DO, T0 + 10 * MIN, 15.0)])
    assert (again.written, again.duplicates) == (1, 5)
    assert store.count() == 11


def test_first_value_wins_on_redelivery(store: Store) -> None:
    store.write([(DO, T0, 5.0)])
    store.write([(DO, T0, 9.0)])
    assert [p.value for p in store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 1)] == [5.0]


def test_raw_range_is_half_open_and_ordered(store: Store) -> None:
    store.write([(DO, T0 + i * MIN, float(i)) for i in reversed(range(10))])
    pts = store.raw("serang", "kolam-1", "do_mgl", T0 + 2 * MIN, T0 + 5 * MIN)
    assert [p.t for p in pts] == [T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN]
    assert store.raw("serang", "kolam-1", "ph", T0, T0 + 10 * MIN) == []


def test_downsample_mean_min_max(store: Store) -> None:
    store.write([(DO, T0 + i * MIN, float(i)) for i in range(30)])
    buckets = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 30 * MIN, 10 * MIN)
    assert [(b.t, b.mean, b.min, b.max, b.count) for b in buckets] == [
        (T0, 4.5, 0.0, 9.0, 10), (T0 + 10 * MIN, 14.5, 10.0, 19.0, 10),
        (T0 + 20 * MIN, 24.5, 20.0, 29.0, 10)]


def test_latest_is_not_rewound_by_late_data(store: Store) -> None:
    store.write([(DO, T0 + 60 * MIN, 6.0), (PH, T0 + 60 * MIN, 7.2)])
    store.write([(DO, T0, 3.0)])  # a gateway catching up with old data
    latest = {x.key.metric: (x.t, x.value) for x in store.latest("serang", "kolam-1")}
    assert latest == {"do_mgl": (T0 + 60 * MIN, 6.0), "ph": (T0 + 60 * MIN, 7.2)}


def test_series_listing_and_isolation(store: Store) -> None:
    store.write([(DO, T0, 5.0), (OTHER, T0, 4.0)])
    assert set(store.series("serang")) == {DO, OTHER}
    assert store.series("serang", "kolam-2") == [OTHER]
    assert [p.value for p in store.raw("serang", "kolam-2", "do_mgl", T0, T0 + 1)] == [4.0]


def test_survives_reopen(store: Store, open_store: Opener) -> None:
    store.write([(DO, T0, 5.0)])
    store.close()
    again = open_store()
    assert again.count() == 1
    assert again.write([(DO, T0, 5.0)]).duplicates == 1


def test_duplicates_within_one_batch_count_and_the_first_wins(store: Store) -> None:
    result = store.write([(DO, T0, 5.0), (DO, T0, 6.0), (PH, T0, 7.0)])
    assert (result.written, result.duplicates) == (2, 1)
    assert [p.value for p in store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 1)] == [5.0]


def test_values_round_trip_exactly(store: Store) -> None:
    values = [0.1 + 0.2, 1e-05, 7, 4999.999999999, 0.0, 123456.789012345]
    store.write([(PH, T0 + i, v) for i, v in enumerate(values)])
    got = store.raw("serang", "kolam-1", "ph", T0, T0 + 10)
    assert [p.value for p in got] == [float(v) for v in values]
    assert all(type(p.value) is float and type(p.t) is int for p in got)


def test_catch_up_batch_spanning_a_week_is_deduplicated(store: Store) -> None:
    """A gateway back after a week sends history and live data in one batch."""
    week = [(DO, T0 + i * 10 * MIN, float(i % 7)) for i in range(7 * 24 * 6)]
    store.write(week[::2])
    live = [(OTHER, T0 + 7 * 24 * 60 * MIN + i * MIN, 5.0) for i in range(5)]
    result = store.write(week + live)
    assert (result.written, result.duplicates) == (len(week) // 2 + 5, len(week) // 2)
    assert store.count() == len(week) + 5


def test_downsample_aligns_buckets_to_the_epoch_and_omits_empty_ones(store: Store) -> None:
    store.write([(DO, T0 + i * MIN, float(i)) for i in (3, 4, 25)])
    buckets = store.downsample("serang", "kolam-1", "do_mgl", T0 + 2 * MIN, T0 + 30 * MIN,
                               10 * MIN)
    assert [(b.t, b.mean, b.count) for b in buckets] == [(T0, 3.5, 2), (T0 + 20 * MIN, 25.0, 1)]
    assert store.downsample("serang", "kolam-1", "do_mgl", T0 + 30 * MIN, T0 + 60 * MIN,
                            MIN) == []


def test_several_devices_in_one_pond(store: Store) -> None:
    node2 = SeriesKey("serang", "kolam-1", "node-2", "do_mgl")
    store.write([(DO, T0 + i * MIN, 1.0) for i in range(5)]
                + [(node2, T0 + i * MIN + 1, 2.0) for i in range(5)] + [(PH, T0, 7.0)])
    assert [p.t for p in store.raw("serang", "kolam-1", "do_mgl", T0, T0 + 10 * MIN, limit=3)
            ] == [T0, T0 + 1, T0 + MIN]
    latest = store.latest("serang", "kolam-1")
    assert [(x.key.metric, x.key.device, x.t) for x in latest] == [
        ("do_mgl", "node-1", T0 + 4 * MIN), ("do_mgl", "node-2", T0 + 4 * MIN + 1),
        ("ph", "node-1", T0)]
    (bucket,) = store.downsample("serang", "kolam-1", "do_mgl", T0, T0 + 10 * MIN, 10 * MIN)
    assert (bucket.mean, bucket.min, bucket.max, bucket.count) == (1.5, 1.0, 2.0, 10)
    assert store.series("serang", "kolam-1") == [DO, PH, node2]
    assert store.latest("serang", "kolam-9") == []


def test_points_of_one_series_page_in_time_order(store: Store) -> None:
    node2 = SeriesKey("serang", "kolam-1", "node-2", "do_mgl")
    store.write([(DO, T0 + i * MIN, float(i)) for i in reversed(range(7))]
                + [(node2, T0, 9.0), (PH, T0, 7.0)])
    assert isinstance(store, SqliteStore | InfluxStore)
    first = store.points(DO, -1, 3)
    assert [p.t for p in first] == [T0, T0 + MIN, T0 + 2 * MIN]
    rest = store.points(DO, first[-1].t, 10)
    assert [p.value for p in rest] == [3.0, 4.0, 5.0, 6.0]
    assert store.points(DO, T0 + 6 * MIN, 10) == []
