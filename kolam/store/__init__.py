"""Time-series storage: one interface, backends chosen by config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kolam.config import KolamConfig
from kolam.errors import ConfigError
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
from kolam.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from kolam.store.influx import InfluxStore

__all__ = [
    "Bucket",
    "Latest",
    "Point",
    "Row",
    "SeriesKey",
    "SqliteStore",
    "TimeSeriesReader",
    "TimeSeriesWriter",
    "WriteResult",
    "open_store",
]


def open_store(config: KolamConfig) -> SqliteStore | InfluxStore:
    """Open the configured time-series backend."""
    if config.store == "sqlite":
        return SqliteStore(config.samples_path)
    if config.store == "influxdb":
        # Imported here: SQLite installations never load influxdb-client.
        from kolam.store.influx import InfluxStore

        return InfluxStore.from_config(config)
    raise ConfigError(f"store {config.store!r} is not available in this build")
