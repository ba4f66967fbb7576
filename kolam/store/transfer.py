"""Copy time-series history between backends: ``kolam export`` (SQLite → InfluxDB)
and ``kolam import`` (InfluxDB → SQLite).

Series are copied one at a time, oldest point first, in chunks. After each chunk is
committed the series' newest copied time is checkpointed in a small JSON state file
(written atomically), so an interrupted copy resumes where it stopped; the chunk in
flight when it stopped is sent again, which the idempotent stores count as duplicates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from kolam.config import KolamConfig
from kolam.errors import KolamError
from kolam.store.base import Point, Row, SeriesKey, WriteResult

Direction = Literal["to-influxdb", "to-sqlite"]
STATE_VERSION = 1
BEGINNING = -1
"""Read points with t > BEGINNING: every point (protocol times are epoch ms >= 0)."""


class Source(Protocol):
    """A store that can list its series and read one series in time order."""

    def series(self, site: str | None = None, pond: str | None = None) -> list[SeriesKey]: ...

    def points(self, key: SeriesKey, after_ms: int, limit: int) -> list[Point]: ...

    def count(self) -> int: ...


class Target(Protocol):
    def write(self, rows: Sequence[Row]) -> WriteResult: ...


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a copy stands; handed to the progress callback after every chunk."""

    series_done: int
    series_total: int
    key: SeriesKey
    copied: int
    """Points read from the source so far in this run."""
    written: int
    """Of those, points the target did not have yet."""
    total: int
    """Points in the source (at the start)."""
    resumed: int
    """Points skipped because an earlier run had copied them."""
    elapsed_s: float

    @property
    def rate(self) -> float:
        return self.copied / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def fraction(self) -> float:
        return min(1.0, (self.copied + self.resumed) / self.total) if self.total else 1.0


class TransferState:
    """The checkpoint file: per series, the newest point time already copied and how
    many points that was."""

    def __init__(self, path: Path, source: str, target: str) -> None:
        self.path = path
        self.source = source
        self.target = target
        self.done: dict[str, tuple[int, int]] = {}

    @staticmethod
    def _id(key: SeriesKey) -> str:
        return f"{key.site}/{key.pond}/{key.device}/{key.metric}"

    @classmethod
    def load(cls, path: Path, source: str, target: str, *, restart: bool) -> TransferState:
        state = cls(path, source, target)
        if restart or not path.exists():
            return state
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KolamError(f"cannot read the checkpoint file {path}: {exc} "
                             "(use --restart to start over)") from exc
        if (data.get("version"), data.get("source"), data.get("target")) != (
                STATE_VERSION, source, target):
            raise KolamError(
                f"{path} is the checkpoint of a copy from {data.get('source')} to "
                f"{data.get('target')}, not from {source} to {target}: use --restart to "
                "start over, or --state to keep a checkpoint per destination")
        try:
            state.done = {str(k): (int(t), int(n)) for k, (t, n) in data["series"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise KolamError(f"the checkpoint file {path} is damaged: {exc!r} "
                             "(use --restart to start over)") from exc
        return state

    def resume_point(self, key: SeriesKey) -> tuple[int, int] | None:
        """(newest time copied, points copied) of a series an earlier run started."""
        return self.done.get(self._id(key))

    def checkpoint(self, key: SeriesKey, t_ms: int, copied: int) -> None:
        self.done[self._id(key)] = (t_ms, copied)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"version": STATE_VERSION, "source": self.source,
                                   "target": self.target, "series": self.done}, indent=1),
                       encoding="utf-8")
        tmp.replace(self.path)


def copy_history(source: Source, target: Target, state: TransferState, *,
                 chunk_size: int = 10_000,
                 progress: Callable[[Progress], None] | None = None) -> Progress | None:
    """Copy every series of ``source`` into ``target``, resuming from ``state``.

    Returns the final progress (``None`` when the source has no series).
    """
    keys = source.series()
    total = source.count()
    started = time.monotonic()
    copied = written = resumed = 0
    last: Progress | None = None
    for i, key in enumerate(keys, 1):
        cursor, in_series = state.resume_point(key) or (BEGINNING, 0)
        resumed += in_series
        while True:
            points = source.points(key, cursor, chunk_size)
            if points:
                result = target.write([(key, p.t, p.value) for p in points])
                copied += len(points)
                written += result.written
                cursor = points[-1].t
                in_series += len(points)
                state.checkpoint(key, cursor, in_series)
            last = Progress(i, len(keys), key, copied, written, total, resumed,
                            time.monotonic() - started)
            if progress is not None and (points or i == len(keys)):
                progress(last)
            if len(points) < chunk_size:
                break
    return last



def format_progress(p: Progress) -> str:
    k = p.key
    return (f"[{p.series_done}/{p.series_total}] {k.site}/{k.pond}/{k.device}/{k.metric}  "
            f"{p.copied + p.resumed:,}/{p.total:,} points ({p.fraction:.0%}), "
            f"{p.written:,} new, {p.rate:,.0f} points/s")


def run_transfer(config: KolamConfig, direction: Direction, state_path: Path | None, *,
                 restart: bool, chunk_size: int, echo: Callable[[str], None],
                 every_s: float = 1.0) -> Progress | None:
    """``kolam export`` (``to-influxdb``) and ``kolam import`` (``to-sqlite``)."""
    from kolam.store.influx import InfluxSettings, InfluxStore
    from kolam.store.sqlite import SqliteStore

    settings = InfluxSettings.from_config(config)
    if direction == "to-influxdb" and not config.samples_path.exists():
        raise KolamError(f"there is no SQLite history to export at {config.samples_path}")
    sqlite = SqliteStore(config.samples_path)
    influx = InfluxStore(settings)
    sqlite_id = f"sqlite:{config.samples_path.resolve()}"
    influx_id = f"influxdb:{settings.url}/{settings.bucket}"
    source: Source
    target: Target
    if direction == "to-influxdb":
        source, target, ids = sqlite, influx, (sqlite_id, influx_id)
        default_state = config.data_dir / "export-state.json"
    else:
        source, target, ids = influx, sqlite, (influx_id, sqlite_id)
        default_state = config.data_dir / "import-state.json"
    state = TransferState.load(state_path or default_state, *ids, restart=restart)
    echo(f"copying {ids[0]} → {ids[1]} (checkpoint: {state.path})")
    shown = [0.0]

    def show(p: Progress) -> None:
        now = time.monotonic()
        if now - shown[0] >= every_s:
            shown[0] = now
            echo(format_progress(p))

    try:
        final = copy_history(source, target, state, chunk_size=chunk_size, progress=show)
    finally:
        sqlite.close()
        influx.close()
    if final is None:
        echo("nothing to copy: the source has no series")
    else:
        echo(format_progress(final))
        echo(f"done: {final.copied:,} points read, {final.written:,} new in the target, "
             f"{final.resumed:,} copied by an earlier run, in {final.elapsed_s:.1f} s")
    return final
