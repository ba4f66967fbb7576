"""InfluxDB time-series backend: writes with ``influxdb-client``, reads with InfluxQL.

Schema (docs/influxdb.md): one measurement per reading kind — protocol v1 has one,
``water`` (every catalogue metric, measured and derived); tags ``site``, ``pond``,
``device``; each metric a float field; millisecond timestamps. A telemetry sample
becomes one point: ``water,device=node-1,pond=kolam-1,site=serang do_mgl=5.21,ph=7.12 <t>``.

Writes go through the v2 write API (``/api/v2/write``: InfluxDB 1.8+, 2.x, 3.x) in
SYNCHRONOUS mode — batching mode would hold points in memory after ingest acked them.
Reads use InfluxQL over the v1 ``/query`` endpoint, one statement per request: it
exists on 1.x, on 2.4+ (virtual DBRP mappings) and on 3.x, where Flux does not.

InfluxDB itself overwrites a point written again with the same measurement, tags,
time and field, so a redelivery is harmless; to honour the store contract — a
redelivered point is *counted* as a duplicate and the first value wins — ``write``
first asks which of the batch's points exist (one InfluxQL query per hour-window of
the batch) and writes only the new ones. Two writers racing on the same point can
still both write it; ingest workers own disjoint topic filters, so they do not.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import urllib3
from influxdb_client.client.exceptions import InfluxDBError
from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.domain.write_precision import WritePrecision

from kolam.config import KolamConfig, influx_settings_problem
from kolam.errors import ConfigError, StoreError, StoreUnavailable
from kolam.store import _influxql as q
from kolam.store.base import (
    Bucket,
    Latest,
    Point,
    PruneResult,
    RawPruner,
    Row,
    SeriesKey,
    TimeSeriesReader,
    TimeSeriesWriter,
    WriteResult,
)
from kolam.store.rollup import FIVE_MIN_MS, HOUR_MS, merge, plan, widen

log = logging.getLogger(__name__)
# httpx logs every request at INFO; a dashboard page makes a dozen. Kolam logs what matters.
logging.getLogger("httpx").setLevel(logging.WARNING)

MEASUREMENT = "water"
"""Protocol v1's one reading kind. Device status lives in the registry, not here."""

ROLLUP_MEASUREMENTS = {FIVE_MIN_MS: MEASUREMENT + "_5m", HOUR_MS: MEASUREMENT + "_1h"}
"""Roll-ups written by Kolam itself: fields ``<metric>_sum|_min|_max|_count``, same tags."""
PRUNED_MEASUREMENT = "kolam_pruned"
"""One point per site at time 0: ``before``, the time below which its raw points are gone."""
FLOORS_TTL_S = 600.0
"""How long a writer trusts its copy of the pruned windows (another process may prune)."""
PRUNE_CHUNK_MS = 86_400_000
"""Raw time per site deleted per statement."""
_HOUR_MS = 3_600_000
_TAGSETS_PER_QUERY = 200
_PARALLEL_QUERIES = 4
_TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class InfluxSettings:
    """Where and how to reach InfluxDB; ``bucket`` is ``db/rp`` on 1.8, the bucket on
    2.x and the database on 3.x. ``org`` matters on 2.x only."""

    url: str
    bucket: str
    token: str | None = None
    org: str | None = None
    timeout_s: float = 10.0

    @classmethod
    def from_config(cls, config: KolamConfig) -> InfluxSettings:
        problem = influx_settings_problem(config)
        if problem:
            raise ConfigError(problem)
        bucket = config.influx_bucket or config.influx_database
        return cls(str(config.influx_url).rstrip("/"), str(bucket), config.influx_token,
                   config.influx_org)

    @property
    def database(self) -> str:
        return self.bucket.partition("/")[0]

    @property
    def retention_policy(self) -> str | None:
        return self.bucket.partition("/")[2] or None


def _transient(status: int | None) -> bool:
    return status is not None and (status in _TRANSIENT_STATUS or status >= 500)


class InfluxStore(TimeSeriesWriter, TimeSeriesReader, RawPruner):
    """Both halves of the store over one InfluxDB database/bucket.

    Every write also recomputes the 5-minute and hourly roll-ups of the buckets it
    touched, from the stored raw points (docs/influxdb.md#retention-and-roll-ups).

    ``check_existing=False`` skips the pre-write query: faster, but a redelivered
    point is then reported as written and the last value wins (see module docstring).
    """

    def __init__(self, settings: InfluxSettings, *, check_existing: bool = True) -> None:
        self.settings = settings
        self.check_existing = check_existing
        self._client = InfluxDBClient(url=settings.url, token=settings.token or "",
                                      org=settings.org or "-",
                                      timeout=int(settings.timeout_s * 1000))
        self._write_api = self._client.write_api(write_options=SYNCHRONOUS)
        headers = {"Accept": "application/json"}
        if settings.token:
            headers["Authorization"] = f"Token {settings.token}"
        self._http = httpx.Client(base_url=settings.url, headers=headers,
                                  timeout=settings.timeout_s)
        params = {"db": settings.database, "epoch": "ms"}
        if settings.retention_policy:
            params["rp"] = settings.retention_policy
        self._params = params
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._floors: dict[str, int] = {}
        self._floors_at = -FLOORS_TTL_S

    @classmethod
    def from_config(cls, config: KolamConfig) -> InfluxStore:
        return cls(InfluxSettings.from_config(config))

    # ------------------------------------------------------------ transport

    def _query(self, statement: str) -> list[q.Series]:
        try:
            resp = self._http.post("/query", data={**self._params, "q": statement})
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"InfluxDB at {self.settings.url} is unreachable: "
                                   f"{exc}") from exc
        if _transient(resp.status_code):
            raise StoreUnavailable(f"InfluxDB is busy or failing (HTTP {resp.status_code}): "
                                   f"{resp.text[:200]}")
        try:
            body: Any = resp.json()
        except json.JSONDecodeError as exc:
            raise StoreError(f"InfluxDB answered HTTP {resp.status_code} with non-JSON: "
                             f"{resp.text[:200]}") from exc
        if resp.status_code >= 400 and not body.get("error"):
            raise StoreError(f"InfluxDB refused the query (HTTP {resp.status_code})")
        return q.parse_result(body, statement)

    def _write_lines(self, lines: list[str]) -> None:
        try:
            self._write_api.write(bucket=self.settings.bucket, org=self.settings.org or "-",
                                  record=lines,
                                  write_precision=WritePrecision.MS)  # type: ignore[arg-type]
        except InfluxDBError as exc:
            status = getattr(exc, "status", None)
            what = f"InfluxDB write failed (HTTP {status}): {exc.message}"
            if _transient(status) or status == 0:
                raise StoreUnavailable(what) from exc
            raise StoreError(what) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StoreUnavailable(f"InfluxDB at {self.settings.url} is unreachable: "
                                   f"{exc}") from exc

    # ------------------------------------------------------------ writer

    def write(self, rows: Sequence[Row]) -> WriteResult:
        if not rows:
            return WriteResult(0, 0)
        by_device: dict[tuple[str, str, str], dict[int, dict[str, float]]] = {}
        for key, t, value in rows:
            by_t = by_device.get((key.site, key.pond, key.device))
            if by_t is None:
                by_t = by_device[(key.site, key.pond, key.device)] = {}
            fields = by_t.get(t)
            if fields is None:
                fields = by_t[t] = {}
            # Within a batch, as across batches, the first value of a point wins.
            if key.metric not in fields:
                fields[key.metric] = value
        points = {q.TagSet(*device): by_t for device, by_t in by_device.items()}
        self._drop_pruned(points)
        touched = {tags: {t: dict(fields) for t, fields in by_t.items()}
                   for tags, by_t in points.items() if any(by_t.values())}
        if self.check_existing:
            for tags, t, metric in self._existing(points):
                points[tags].get(t, {}).pop(metric, None)
        lines = [q.line(MEASUREMENT, tags, t, fields)
                 for tags, by_t in points.items() for t, fields in by_t.items() if fields]
        written = sum(len(fields) for by_t in points.values() for fields in by_t.values())
        if lines:
            self._write_lines(lines)
        if touched:
            # Also when every point was there already: a write that failed after its raw
            # points landed (InfluxDB has no transaction) is retried as duplicates, and its
            # hours' roll-ups must still be made. They are recomputed from the raw points,
            # so doing it again for a true redelivery changes nothing.
            self._write_rollups(touched)
        return WriteResult(written, len(rows) - written)

    def _drop_pruned(self, points: dict[q.TagSet, dict[int, dict[str, float]]]) -> None:
        """Leave out points older than their site's pruned window: their buckets can no
        longer be recomputed from raw points (they are counted as duplicates)."""
        floors = self._pruned_floors()
        for tags, by_t in points.items():
            floor = floors.get(tags.site)
            if floor is not None:
                for t in [t for t in by_t if t < floor]:
                    del by_t[t]
        for tags in [tags for tags, by_t in points.items() if not by_t]:
            del points[tags]

    def _pruned_floors(self) -> dict[str, int]:
        if time.monotonic() - self._floors_at >= FLOORS_TTL_S:
            floors = {}
            for s in self._query(f"SELECT last(\"before\") FROM {q.ident(PRUNED_MEASUREMENT)} "
                                 f"GROUP BY {q.ident('site')}"):
                floors.update({s.tags.get("site", ""): int(r["last"]) for r in q.rows(s)})
            self._floors, self._floors_at = floors, time.monotonic()
        return self._floors

    def _write_rollups(self, points: dict[q.TagSet, dict[int, dict[str, float]]]) -> None:
        """Recompute the roll-ups of the hours these points fall in and write them again (a
        point written again with the same time and tags replaces the old one): one query
        for the 5-minute buckets of the whole hours, the hours folded from them here."""
        windows: dict[tuple[int, int], list[q.TagSet]] = defaultdict(list)
        for tags, by_t in points.items():
            windows[(min(by_t) // _HOUR_MS, max(by_t) // _HOUR_MS)].append(tags)
        for (first_h, last_h), tagsets in windows.items():
            for i in range(0, len(tagsets), _TAGSETS_PER_QUERY):
                chunk = tagsets[i:i + _TAGSETS_PER_QUERY]
                fields = {m for t in chunk for f in points[t].values() for m in f}
                statement = q.rollup_from_raw(MEASUREMENT, fields, chunk, first_h * _HOUR_MS,
                                              (last_h + 1) * _HOUR_MS, FIVE_MIN_MS)
                lines = self._rollup_lines(self._query(statement))
                if lines:
                    self._write_lines(lines)

    @staticmethod
    def _rollup_lines(answer: list[q.Series]) -> list[str]:
        lines = []
        for s in answer:
            tags = q.TagSet(s.tags.get("site", ""), s.tags.get("pond", ""),
                            s.tags.get("device", ""))
            hours: dict[int, dict[str, float]] = {}
            for row in q.rows(s):
                t = int(row.pop("time"))
                fields = {k: float(v) for k, v in row.items() if v is not None}
                if not fields:
                    continue
                lines.append(q.line(ROLLUP_MEASUREMENTS[FIVE_MIN_MS], tags, t, fields))
                hour = hours.setdefault(t - t % HOUR_MS, {})
                for k, v in fields.items():
                    if k not in hour:
                        hour[k] = v
                    elif k.endswith("_min"):
                        hour[k] = min(hour[k], v)
                    elif k.endswith("_max"):
                        hour[k] = max(hour[k], v)
                    else:  # _sum, _count
                        hour[k] += v
            lines += [q.line(ROLLUP_MEASUREMENTS[HOUR_MS], tags, t, fields)
                      for t, fields in hours.items()]
        return lines

    # ------------------------------------------------------------ retention

    def prune_raw(self, cutoff_of: Callable[[str], int], *, batch_rows: int = 5000,
                  pause_s: float = 0.02, stop: threading.Event | None = None) -> PruneResult:
        """Delete each site's raw points older than its cutoff, a day per statement
        (InfluxQL ``DELETE``, InfluxDB 1.x; see docs/influxdb.md for 2.x and 3.x).
        ``deleted`` counts the days deleted: InfluxDB does not say how many points."""
        sites = [str(r["value"]) for s in self._query(q.site_values(MEASUREMENT))
                 for r in q.rows(s)]
        floors = dict(self._pruned_floors())
        days = statements = 0
        for site in sites:
            # Whole hours only, so a roll-up bucket is all there or all gone.
            cutoff = int(cutoff_of(site)) // _HOUR_MS * _HOUR_MS
            start = floors.get(site)
            if start is None:
                oldest = [int(r["time"]) for s in self._query(q.oldest_of_site(MEASUREMENT, site))
                          for r in q.rows(s)]
                if not oldest:
                    continue
                start = oldest[0]
            while start < cutoff:
                if stop is not None and stop.is_set():
                    return PruneResult(days, statements)
                end = min(cutoff, (start // PRUNE_CHUNK_MS + 1) * PRUNE_CHUNK_MS)
                self._delete(site, start, end)
                self._write_lines([q.site_line(PRUNED_MEASUREMENT, site, 0,
                                               {"before": float(end)})])
                self._floors[site] = end
                start = end
                days += 1
                statements += 1
                if pause_s:
                    (stop.wait if stop is not None else time.sleep)(pause_s)
        return PruneResult(days, statements)

    def _existing(self, points: dict[q.TagSet, dict[int, dict[str, float]]]
                  ) -> set[tuple[q.TagSet, int, str]]:
        """Which of these points are stored already.

        Devices are grouped by the hours their points span, so one device catching up
        on a week of history does not make the query read a week of everyone's data.
        """
        windows: dict[tuple[int, int], list[q.TagSet]] = defaultdict(list)
        for tags, by_t in points.items():
            windows[(min(by_t) // _HOUR_MS, max(by_t) // _HOUR_MS)].append(tags)
        found: set[tuple[q.TagSet, int, str]] = set()
        for tagsets in windows.values():
            for i in range(0, len(tagsets), _TAGSETS_PER_QUERY):
                chunk = tagsets[i:i + _TAGSETS_PER_QUERY]
                start = min(min(points[t]) for t in chunk)
                end = max(max(points[t]) for t in chunk)
                fields = {m for t in chunk for f in points[t].values() for m in f}
                statement = q.existing_points(MEASUREMENT, fields, chunk, start, end)
                for series in self._query(statement):
                    tags = q.TagSet(series.tags.get("site", ""), series.tags.get("pond", ""),
                                    series.tags.get("device", ""))
                    for row in q.rows(series):
                        t = int(row.pop("time"))
                        found.update((tags, t, m) for m, v in row.items() if v is not None)
        return found

    def _server_major(self) -> str:
        try:
            version = self._http.get("/ping").headers.get("X-Influxdb-Version", "")
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"InfluxDB at {self.settings.url} is unreachable: "
                                   f"{exc}") from exc
        return str(version).lstrip("v").partition(".")[0]

    def _delete(self, site: str, start_ms: int, end_ms: int) -> None:
        """A site's raw points in [start, end): InfluxQL ``DELETE`` on 1.x, the delete API
        on 2.x; 3.x deletes by its database's retention period only."""
        major = self._server_major()
        if major == "3":
            raise StoreError("InfluxDB 3 cannot delete a time range: set the raw database's "
                             "retention period instead (docs/influxdb.md)")
        if major != "2":
            self._query(q.delete_site_range(MEASUREMENT, site, start_ms, end_ms))
            return
        from datetime import UTC, datetime

        try:
            self._client.delete_api().delete(
                datetime.fromtimestamp(start_ms / 1000, UTC),
                datetime.fromtimestamp((end_ms - 1) / 1000, UTC),
                f'_measurement="{MEASUREMENT}" AND site="{site}"',
                bucket=self.settings.bucket, org=self.settings.org or "-")
        except InfluxDBError as exc:
            raise StoreError(f"InfluxDB delete failed: {exc.message}") from exc

    # ------------------------------------------------------------ reader

    def series(self, site: str | None = None, pond: str | None = None) -> list[SeriesKey]:
        out = []
        for s in self._query(q.last_of_each_field(MEASUREMENT, site, pond)):
            for row in q.rows(s):
                out += [SeriesKey(s.tags["site"], s.tags["pond"], s.tags["device"],
                                  col.removeprefix("last_"))
                        for col, v in row.items() if col != "time" and v is not None]
        return sorted(out, key=lambda k: (k.site, k.pond, k.device, k.metric))

    def latest(self, site: str, pond: str) -> list[Latest]:
        # SHOW FIELD KEYS reads the index only; ``last(*)`` would scan every field's data
        # and still not say when (several selectors report time 0). A field this pond
        # lacks costs one empty answer.
        metrics = sorted(str(row["fieldKey"]) for s in self._query(q.field_keys(MEASUREMENT))
                         for row in q.rows(s))
        # One statement per request (InfluxDB 3 takes no more), so ask in parallel.
        answers = self._pool().map(
            lambda m: self._query(q.last_value(MEASUREMENT, m, site, pond)), metrics)
        out = []
        for metric, answer in zip(metrics, answers, strict=True):
            for s in answer:
                key = SeriesKey(site, pond, s.tags["device"], metric)
                out += [Latest(key, int(r["time"]), float(r["last"])) for r in q.rows(s)]
        return sorted(out, key=lambda x: (x.key.metric, x.key.device))

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(_PARALLEL_QUERIES,
                                                    thread_name_prefix="influx-query")
            return self._executor

    def raw(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
            limit: int = 100_000) -> list[Point]:
        out = []
        for s in self._query(q.raw(MEASUREMENT, metric, site, pond, start_ms, end_ms, limit)):
            out += [Point(int(t), float(v)) for t, v in s.values if v is not None]
        return out

    def downsample(self, site: str, pond: str, metric: str, start_ms: int, end_ms: int,
                   step_ms: int) -> list[Bucket]:
        """From the coarsest roll-up whose width divides ``step_ms`` (raw points only for
        the ragged edges of the range), else from the raw points."""
        if step_ms <= 0:
            raise ValueError("step must be positive")
        how = plan(start_ms, end_ms, step_ms)
        if how is None:
            return merge(self._parts(MEASUREMENT, metric, site, pond, start_ms, end_ms,
                                     step_ms, rollup=False))
        if start_ms < how.lo and start_ms < self._pruned_floors().get(site, 0):
            how = widen(how)  # the raw points of the ragged start are gone: whole bucket
        parts = self._parts(ROLLUP_MEASUREMENTS[how.res_ms], metric, site, pond, how.lo,
                            how.hi, step_ms, rollup=True)
        if start_ms < how.lo:
            parts += self._parts(MEASUREMENT, metric, site, pond, start_ms, how.lo, step_ms,
                                 rollup=False)
        if how.hi < end_ms:
            parts += self._parts(MEASUREMENT, metric, site, pond, how.hi, end_ms, step_ms,
                                 rollup=False)
        return merge(parts)

    def _parts(self, measurement: str, metric: str, site: str, pond: str, start_ms: int,
               end_ms: int, step_ms: int, *, rollup: bool
               ) -> list[tuple[int, float, float, float, int]]:
        statement = q.downsample_parts(measurement, metric, site, pond, start_ms, end_ms,
                                       step_ms, rollup=rollup)
        return [(int(t), float(total), float(lo), float(hi), int(n))
                for s in self._query(statement) for t, total, lo, hi, n in s.values if n]

    def points(self, key: SeriesKey, after_ms: int, limit: int) -> list[Point]:
        """One series' points with t > after, oldest first (for ``kolam import``)."""
        tags = q.TagSet(key.site, key.pond, key.device)
        out = []
        for s in self._query(q.series_points(MEASUREMENT, key.metric, tags, after_ms, limit)):
            out += [Point(int(t), float(v)) for t, v in s.values if v is not None]
        return out

    def count(self) -> int:
        total = 0
        for s in self._query(q.count_all(MEASUREMENT)):
            for row in q.rows(s):
                total += sum(int(v) for c, v in row.items() if c != "time" and v)
        return total

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._http.close()
        self._write_api.close()  # type: ignore[no-untyped-call]
        self._client.close()  # type: ignore[no-untyped-call]
