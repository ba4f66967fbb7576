"""Time series of one pond metric, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from api.auth import SiteUser
from api.csvsafe import csv_response
from api.deps import RegistryDep, StoreDep
from api.schemas import SeriesBucket, SeriesPoint, SeriesPublic
from kolam.catalogue import METRICS
from kolam.farming.bounds import Instant
from kolam.timeutil import iso, now_ms, to_ms

router = APIRouter(prefix="/api/v1/sites/{site}/ponds/{pond}", tags=["series"])

DEFAULT_SPAN_MS = 24 * 3_600_000
MAX_RAW_POINTS = 100_000
MAX_BUCKETS = 20_000

MetricQ = Annotated[str, Query(description="Metric key, e.g. do_mgl",
                               examples=["do_mgl"])]
StartQ = Annotated[Instant | None, Query(description="ISO 8601, 1970–2199; default end − 24 h")]
EndQ = Annotated[Instant | None, Query(description="ISO 8601, 1970–2199; default now")]
# A step wider than the whole accepted date range is one bucket anyway.
StepQ = Annotated[int | None, Query(ge=1, le=10_000 * 365 * 86400,
                                    description="Bucket width in seconds")]


def _series(site: str, pond: str, metric: str, start: datetime | None, end: datetime | None,
            step: int | None, store: StoreDep, registry: RegistryDep) -> SeriesPublic:
    if metric not in METRICS:
        raise HTTPException(422, f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    registry.pond(site, pond)
    end_ms = to_ms(end) if end else now_ms()
    start_ms = to_ms(start) if start else end_ms - DEFAULT_SPAN_MS
    if start_ms >= end_ms:
        raise HTTPException(422, "start must be before end")
    out = SeriesPublic(site=site, pond=pond, metric=metric, unit=METRICS[metric].unit,
                       start=iso(start_ms), end=iso(end_ms), step=step)
    if step is None:
        points = store.raw(site, pond, metric, start_ms, end_ms, MAX_RAW_POINTS + 1)
        if len(points) > MAX_RAW_POINTS:
            raise HTTPException(
                422, f"more than {MAX_RAW_POINTS} points: narrow the range or give a step")
        out.points = [SeriesPoint(t=iso(p.t), t_ms=p.t, value=p.value) for p in points]
    else:
        if (end_ms - start_ms) // (step * 1000) > MAX_BUCKETS:
            raise HTTPException(422, f"more than {MAX_BUCKETS} buckets: use a larger step")
        buckets = store.downsample(site, pond, metric, start_ms, end_ms, step * 1000)
        out.buckets = [SeriesBucket(t=iso(b.t), t_ms=b.t, mean=b.mean, min=b.min, max=b.max,
                                    count=b.count) for b in buckets]
    return out


@router.get("/series", response_model=SeriesPublic, response_model_exclude_none=True,
            summary="Raw points, or mean/min/max per bucket with step")
def get_series(site: str, pond: str, _: SiteUser, store: StoreDep, registry: RegistryDep,
               metric: MetricQ,
               start: StartQ = None, end: EndQ = None, step: StepQ = None) -> SeriesPublic:
    return _series(site, pond, metric, start, end, step, store, registry)


@router.get("/series.csv", summary="The same series as CSV",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def get_series_csv(site: str, pond: str, _: SiteUser, store: StoreDep, registry: RegistryDep,
                   metric: MetricQ, start: StartQ = None, end: EndQ = None,
                   step: StepQ = None) -> Response:
    s = _series(site, pond, metric, start, end, step, store, registry)
    unit = s.unit
    rows: list[list[object]]
    if s.points is not None:
        rows = [["time_utc", f"{metric} ({unit})"], *([p.t, p.value] for p in s.points)]
    else:
        rows = [["time_utc", f"mean ({unit})", f"min ({unit})", f"max ({unit})", "count"],
                *([b.t, b.mean, b.min, b.max, b.count] for b in s.buckets or [])]
    return csv_response(rows, f"{site}_{pond}_{metric}.csv")
