"""InfluxQL and line protocol for the InfluxDB backend: quoting, statements, results.

Pure functions, so that the exact text Kolam sends to InfluxDB is tested directly.
Times are epoch milliseconds everywhere: statements use ``...ms`` literals and
queries ask for ``epoch=ms``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kolam.errors import StoreError

TAGS = ("site", "pond", "device")
"""Tag keys, in InfluxDB's sorted order (line protocol wants tags sorted by key)."""


@dataclass(frozen=True, slots=True)
class TagSet:
    """The tags of one device's points: one InfluxDB series per measurement."""

    site: str
    pond: str
    device: str


@dataclass(frozen=True, slots=True)
class Series:
    """One series of an InfluxQL result: tags, column names and rows."""

    tags: Mapping[str, str]
    columns: tuple[str, ...]
    values: list[list[Any]]


# ------------------------------------------------------------ quoting

def ident(name: str) -> str:
    """A double-quoted InfluxQL identifier."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal(value: str) -> str:
    """A single-quoted InfluxQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def tags_match(tags: TagSet) -> str:
    return (f"{ident('site')} = {literal(tags.site)} AND {ident('pond')} = "
            f"{literal(tags.pond)} AND {ident('device')} = {literal(tags.device)}")


def pond_match(site: str, pond: str) -> str:
    return f"{ident('site')} = {literal(site)} AND {ident('pond')} = {literal(pond)}"


def time_range(start_ms: int, end_ms: int, *, end_inclusive: bool = False) -> str:
    return f"time >= {int(start_ms)}ms AND time {'<=' if end_inclusive else '<'} {int(end_ms)}ms"


# ------------------------------------------------------------ line protocol

def _escape_tag(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _escape_measurement(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ")


@lru_cache(maxsize=4096)
def series_prefix(measurement: str, tags: TagSet) -> str:
    """``measurement,device=..,pond=..,site=..``: the part of a line shared by a device's
    points (cached: ingest writes the same few thousand devices over and over)."""
    return (f"{_escape_measurement(measurement)},device={_escape_tag(tags.device)},"
            f"pond={_escape_tag(tags.pond)},site={_escape_tag(tags.site)}")


_field_key = lru_cache(maxsize=1024)(_escape_tag)


def line(measurement: str, tags: TagSet, t_ms: int, fields: Mapping[str, float]) -> str:
    """One line of line protocol; every value is written as a float (``5`` not ``5i``),
    so a field never changes type and a whole number never causes a type conflict."""
    parts = []
    for name, value in fields.items():
        if not math.isfinite(value):
            raise StoreError(f"{name}={value!r} at {t_ms}: InfluxDB cannot store non-finite "
                             "values")
        parts.append(f"{_field_key(name)}={float(value)!r}")
    return f"{series_prefix(measurement, tags)} {','.join(parts)} {int(t_ms)}"


def site_line(measurement: str, site: str, t_ms: int, fields: Mapping[str, float]) -> str:
    """A line tagged with the site only (Kolam's own bookkeeping points)."""
    values = ",".join(f"{_field_key(k)}={float(v)!r}" for k, v in fields.items())
    return f"{_escape_measurement(measurement)},site={_escape_tag(site)} {values} {int(t_ms)}"


# ------------------------------------------------------------ statements

def existing_points(measurement: str, fields: Iterable[str], tagsets: Sequence[TagSet],
                    start_ms: int, end_ms: int) -> str:
    """The stored values of ``fields`` of some devices in [start, end], per device."""
    which = " OR ".join(f"({tags_match(t)})" for t in tagsets)
    return (f"SELECT {', '.join(ident(f) for f in sorted(fields))} FROM {ident(measurement)} "
            f"WHERE {time_range(start_ms, end_ms, end_inclusive=True)} AND ({which}) "
            f"GROUP BY {', '.join(ident(t) for t in TAGS)}")


def last_of_each_field(measurement: str, site: str | None, pond: str | None) -> str:
    """One row per device: ``last_<field>`` (non-null for the fields the device has).

    With several selectors InfluxQL reports time 0, so this tells which series exist,
    not when; ``last_value`` asks for the time.
    """
    where = []
    if site is not None:
        where.append(f"{ident('site')} = {literal(site)}")
    if pond is not None:
        where.append(f"{ident('pond')} = {literal(pond)}")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return (f"SELECT last(*) FROM {ident(measurement)}{clause} "
            f"GROUP BY {', '.join(ident(t) for t in TAGS)}")


def field_keys(measurement: str) -> str:
    return f"SHOW FIELD KEYS FROM {ident(measurement)}"


def last_value(measurement: str, field: str, site: str, pond: str) -> str:
    return (f"SELECT last({ident(field)}) FROM {ident(measurement)} "
            f"WHERE {pond_match(site, pond)} GROUP BY {ident('device')}")


def raw(measurement: str, field: str, site: str, pond: str, start_ms: int, end_ms: int,
        limit: int) -> str:
    return (f"SELECT {ident(field)} FROM {ident(measurement)} "
            f"WHERE {pond_match(site, pond)} AND {time_range(start_ms, end_ms)} "
            f"ORDER BY time ASC LIMIT {int(limit)}")


def series_points(measurement: str, field: str, tags: TagSet, after_ms: int, limit: int) -> str:
    return (f"SELECT {ident(field)} FROM {ident(measurement)} "
            f"WHERE {tags_match(tags)} AND time > {int(after_ms)}ms "
            f"ORDER BY time ASC LIMIT {int(limit)}")


def downsample(measurement: str, field: str, site: str, pond: str, start_ms: int, end_ms: int,
               step_ms: int) -> str:
    """Mean/min/max/count per ``step`` bucket; InfluxQL aligns buckets to the epoch,
    as SQLite's ``(t / step) * step`` does, and ``fill(none)`` omits empty ones."""
    f = ident(field)
    return (f"SELECT mean({f}), min({f}), max({f}), count({f}) FROM {ident(measurement)} "
            f"WHERE {pond_match(site, pond)} AND {time_range(start_ms, end_ms)} "
            f"GROUP BY time({int(step_ms)}ms) fill(none)")


def rollup_from_raw(measurement: str, fields: Iterable[str], tagsets: Sequence[TagSet],
                    start_ms: int, end_ms: int, res_ms: int) -> str:
    """Sum/min/max/count of each field per device and ``res`` bucket in [start, end)."""
    cols = ", ".join(f"{fn}({ident(f)}) AS {ident(f + '_' + fn)}"
                     for f in sorted(fields) for fn in ("sum", "min", "max", "count"))
    return _per_device(cols, measurement, tagsets, start_ms, end_ms, res_ms)


def _per_device(cols: str, measurement: str, tagsets: Sequence[TagSet], start_ms: int,
                end_ms: int, res_ms: int) -> str:
    which = " OR ".join(f"({tags_match(t)})" for t in tagsets)
    return (f"SELECT {cols} FROM {ident(measurement)} "
            f"WHERE {time_range(start_ms, end_ms)} AND ({which}) "
            f"GROUP BY time({int(res_ms)}ms), {', '.join(ident(t) for t in TAGS)} fill(none)")


def downsample_parts(measurement: str, field: str, site: str, pond: str, start_ms: int,
                     end_ms: int, step_ms: int, *, rollup: bool) -> str:
    """(time, sum, min, max, count) per ``step`` bucket, from raw points or roll-up rows."""
    if rollup:
        cols = ", ".join(f"{fn}({ident(field + '_' + part)})" for fn, part in
                         (("sum", "sum"), ("min", "min"), ("max", "max"), ("sum", "count")))
    else:
        f = ident(field)
        cols = f"sum({f}), min({f}), max({f}), count({f})"
    return (f"SELECT {cols} FROM {ident(measurement)} "
            f"WHERE {pond_match(site, pond)} AND {time_range(start_ms, end_ms)} "
            f"GROUP BY time({int(step_ms)}ms) fill(none)")


def site_values(measurement: str) -> str:
    return f"SHOW TAG VALUES FROM {ident(measurement)} WITH KEY = {ident('site')}"


def oldest_of_site(measurement: str, site: str) -> str:
    return (f"SELECT * FROM {ident(measurement)} WHERE {ident('site')} = {literal(site)} "
            "ORDER BY time ASC LIMIT 1")


def delete_site_range(measurement: str, site: str, start_ms: int, end_ms: int) -> str:
    """InfluxDB 1.x: drop a site's raw points in [start, end)."""
    return (f"DELETE FROM {ident(measurement)} WHERE {ident('site')} = {literal(site)} "
            f"AND {time_range(start_ms, end_ms)}")


def count_all(measurement: str) -> str:
    return f"SELECT count(*) FROM {ident(measurement)}"


# ------------------------------------------------------------ results

def parse_result(body: Any, statement: str) -> list[Series]:
    """The series of a one-statement ``/query`` response; errors raise ``StoreError``."""
    if not isinstance(body, dict):
        raise StoreError(f"unexpected InfluxDB response to {statement[:200]!r}")
    if body.get("error"):
        raise StoreError(f"InfluxDB rejected {statement[:200]!r}: {body['error']}")
    results = body.get("results") or [{}]
    first = results[0]
    if first.get("error"):
        raise StoreError(f"InfluxDB rejected {statement[:200]!r}: {first['error']}")
    out = []
    for s in first.get("series") or []:
        if s.get("partial"):
            raise StoreError(f"InfluxDB truncated the result of {statement[:200]!r} "
                             "(raise [http] max-row-limit)")
        out.append(Series(s.get("tags") or {}, tuple(s.get("columns") or ()),
                          s.get("values") or []))
    return out


def rows(series: Series) -> Iterator[dict[str, Any]]:
    """Each row as a column → value mapping."""
    cols = series.columns
    for values in series.values:
        yield dict(zip(cols, values, strict=False))
