"""Kolam's shared core: wire protocol, metric catalogue, chemistry, config, storage.

Service packages (``ingest``, ``api``, ``gateway``, ``firmware_sim``) import from
here; this package never imports them except lazily in the command line.
"""

from kolam.catalogue import METRICS, Band, Level, Metric
from kolam.config import KolamConfig, load_config
from kolam.errors import KolamError, ProtocolError
from kolam.protocol import (
    Command,
    DeviceRef,
    Limits,
    PondRef,
    Reason,
    Sample,
    Status,
    Telemetry,
)
from kolam.store.base import Bucket, Latest, SeriesKey, TimeSeriesReader, TimeSeriesWriter

__all__ = [
    "METRICS",
    "Band",
    "Bucket",
    "Command",
    "DeviceRef",
    "KolamConfig",
    "KolamError",
    "Latest",
    "Level",
    "Limits",
    "Metric",
    "PondRef",
    "ProtocolError",
    "Reason",
    "Sample",
    "SeriesKey",
    "Status",
    "Telemetry",
    "TimeSeriesReader",
    "TimeSeriesWriter",
    "load_config",
]
