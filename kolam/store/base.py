"""The time-series store interface: a writer for ingest, a reader for the API.

Backends (SQLite, InfluxDB) implement both halves and pass the same contract
tests in ``tests/kolam/store``. Writes are idempotent on (series, t): writing a
point again changes nothing and is counted as a duplicate.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple


class SeriesKey(NamedTuple):
    """One metric of one device in one pond. A named tuple rather than a dataclass: ingest
    hashes one per value (grouping, series ids), and a tuple's hash is computed in C."""

    site: str
    pond: str
    device: str
    metric: str


@dataclass(frozen=True, slots=True)
class Point:
    t: int
    value: float


@dataclass(frozen=True, slots=True)
class Bucket:
    """Aggregate of the points in [t, t + step)."""

    t: int
    mean: float
    min: float
    max: float
    count: int


@dataclass(frozen=True, slots=True)
class Latest:
    key: SeriesKey
    t: int
    value: float


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: int
    duplicates: int


Row = tuple[SeriesKey, int, float]
"""(series, epoch ms, value): the unit ingest writes."""


class TimeSeriesWriter(ABC):
    @abstractmethod
    def write(self, rows: Sequence[Row]) -> WriteResult:
        """Durably store ``rows`` in one transaction; return when committed.

        Raises ``StoreUnavailable`` for transient failures (retry, do not ack)
        and ``StoreError`` otherwise.
        """

    @abstractmethod
    def close(self) -> None: ...


class TimeSeriesReader(ABC):
    @abstractmethod
    def series(self, site: str | None = None, pond: str | None = None) -> list[SeriesKey]:
        """Known series, optionally of one site or pond."""

    @abstractmethod
    def latest(self, site: str, pond: str) -> list[Latest]:
        """The newest point of each series of a pond (by sample time, not arrival)."""

    @abstractmethod
    def raw(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
            limit: int = 100_000) -> list[Point]:
        """Points of a pond's metric with start <= t < end, oldest first."""

    @abstractmethod
    def downsample(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
                   step_ms: int) -> list[Bucket]:
        """Mean/min/max per step-aligned bucket; empty buckets are omitted."""

    @abstractmethod
    def points(self, key: SeriesKey, after_ms: int, limit: int) -> list[Point]:
        """One series' points with t > after, oldest first."""

    @abstractmethod
    def count(self) -> int:
        """Number of stored points."""

    @abstractmethod
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What one pruning pass removed: raw values, in how many transactions."""

    deleted: int
    transactions: int


class RawPruner(ABC):
    """A store whose raw values can be pruned once their roll-ups hold them."""

    def roll_up(self, now_ms: int, stop: threading.Event | None = None,
                pause_s: float = 0.02) -> int:
        """Bring the roll-ups up to ``now_ms`` (for a store that rolls up behind its writes;
        one that rolls up as it writes has nothing to do); return buckets written."""
        return 0

    @abstractmethod
    def prune_raw(self, cutoff_of: Callable[[str], int], *, batch_rows: int = 5000,
                  pause_s: float = 0.02, stop: threading.Event | None = None) -> PruneResult:
        """Delete raw values older than ``cutoff_of(site)`` (epoch ms), in transactions of
        at most about ``batch_rows`` rows with ``pause_s`` between them, so a writer is
        never held up for long. Roll-ups are kept. Stops early when ``stop`` is set."""
