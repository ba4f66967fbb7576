"""Probe care of a pond's devices: DO membrane checks, pH two-point calibrations, probe
cleanings and drift checks against a manual reading (``kolam.registry.maintenance``), and
when each is next due.

Who may record: admins, officers and the site's kiosk (the trainees do the round); who
may void a wrong entry: admins and officers. A drift check's probe reading is the device's
reading nearest the manual one within 15 min, read here from the time series.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import SiteLogger, SiteUser, SiteWriter
from api.deps import MaintenanceDep, RegistryDep, StoreDep, UsersDep
from api.farm_schemas import ms
from kolam.errors import NotFound
from kolam.farming.bounds import Finite, Id, Instant
from kolam.farming.probe_care import DRIFT_WINDOW_MS, INTERVAL_DAYS, Kind, drift
from kolam.registry.maintenance import Maintenance, MaintenanceInfo, NewMaintenance
from kolam.store.base import SeriesKey, TimeSeriesReader
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites/{site}/ponds/{pond}/maintenance",
                   tags=["maintenance"])


class MaintenanceCreate(BaseModel):
    model_config = {"extra": "forbid"}

    device: str = Field(min_length=1, max_length=32)
    kind: Kind
    at: Instant | None = Field(None, description="Default now")
    member_ids: list[Id] = Field(default_factory=list, max_length=100,
                                 description="Members of the site who did it")
    buffer1: Finite | None = Field(None, description="pH calibration: the first buffer, "
                                   "pH 7.00 (or 6.86)")
    reading1: Finite | None = Field(None, description="The electrode's mV in buffer 1")
    buffer2: Finite | None = Field(None, description="The second buffer: 4.00/4.01 or "
                                   "10.00/10.01 (or 9.18)")
    reading2: Finite | None = Field(None, description="The electrode's mV in buffer 2")
    temp_c: Finite | None = Field(None, description="The buffers' temperature (default 25)")
    metric: Literal["do_mgl", "ph"] | None = Field(None, description="Drift check: which")
    manual_value: Finite | None = Field(None, description="Drift check: the manual reading "
                                        "(handheld meter or test kit)")
    note: str = Field("", max_length=500)


class CalibrationPublic(BaseModel):
    slope_mv: float = Field(description="mV per pH unit")
    slope_pct: float = Field(description="% of the Nernst slope (healthy: 85–105)")
    offset_mv: float = Field(description="mV at pH 7 (healthy: within ±30)")
    ok: bool
    problems: list[str]


class MaintenancePublic(BaseModel):
    id: int
    device: str
    kind: Kind
    at: str
    at_ms: int
    recorded_by: str
    member_ids: list[int]
    buffer1: float | None
    reading1: float | None
    buffer2: float | None
    reading2: float | None
    temp_c: float | None
    calibration: CalibrationPublic | None
    metric: str | None
    manual_value: float | None
    probe_value: float | None = Field(description="Drift check: the probe's nearest reading")
    probe_at: int | None
    difference: float | None = Field(description="Drift check: probe − manual")
    drift_ok: bool | None = Field(description="Drift check: within the tolerance "
                                  "(DO ±0.5 mg/L, pH ±0.2); null without a probe reading")
    note: str
    voided_at: int | None
    voided_by: str | None
    void_reason: str | None


class DuePublic(BaseModel):
    device: str
    kind: Kind
    every_days: int
    last_at: int | None
    due_at: int
    due: bool = Field(description="Due now (or before)")
    overdue: bool


def public(e: MaintenanceInfo) -> MaintenancePublic:
    c = e.calibration
    return MaintenancePublic(
        id=e.id, device=e.device, kind=e.kind, at=iso(e.at), at_ms=e.at,
        recorded_by=e.recorded_by, member_ids=list(e.member_ids), buffer1=e.buffer1,
        reading1=e.reading1, buffer2=e.buffer2, reading2=e.reading2, temp_c=e.temp_c,
        calibration=None if c is None else CalibrationPublic(
            slope_mv=round(c.slope_mv, 2), slope_pct=round(c.slope_pct, 1),
            offset_mv=round(c.offset_mv, 1), ok=c.ok,
            problems=list(c.problems)),
        metric=e.metric, manual_value=e.manual_value, probe_value=e.probe_value,
        probe_at=e.probe_at, difference=e.difference, drift_ok=e.drift_ok, note=e.note,
        voided_at=e.voided_at, voided_by=e.voided_by, void_reason=e.void_reason)


def device_metrics(store: TimeSeriesReader, site: str, pond: str) -> dict[str, set[str]]:
    """Device → the metrics it reports (what care it needs)."""
    out: dict[str, set[str]] = {}
    for key in store.series(site, pond):
        out.setdefault(key.device, set()).add(key.metric)
    return out


def probe_reading(store: TimeSeriesReader, site: str, pond: str, device: str, metric: str,
                  at: int) -> tuple[float | None, int | None]:
    """The device's reading of ``metric`` nearest ``at`` within ``DRIFT_WINDOW_MS``."""
    points = store.points(SeriesKey(site, pond, device, metric), at - DRIFT_WINDOW_MS - 1,
                          limit=2000)
    found = drift(metric, 0.0, at, [(p.t, p.value) for p in points])
    return found.probe, found.probe_at


def record(care: Maintenance, store: TimeSeriesReader, site: str, pond: str,
           body: MaintenanceCreate, by: str) -> MaintenanceInfo:
    """Shared by the route and the pages' forms."""
    at = ms(body.at)
    probe_value = probe_at = None
    if body.kind is Kind.DRIFT_CHECK and body.metric is not None:
        probe_value, probe_at = probe_reading(store, site, pond, body.device, body.metric, at)
    new = NewMaintenance(body.kind, at, tuple(body.member_ids), body.buffer1, body.reading1,
                         body.buffer2, body.reading2, body.temp_c, body.metric,
                         body.manual_value, probe_value, probe_at, body.note)
    return care.add(site, pond, body.device, new, by)


@router.get("", response_model=list[MaintenancePublic],
            summary="Probe care entries of the pond's devices, newest first")
def list_entries(site: str, pond: str, _: SiteUser, registry: RegistryDep,
                 care: MaintenanceDep,
                 device: Annotated[str | None, Query(max_length=32)] = None,
                 kind: Kind | None = None, include_voided: bool = False,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[MaintenancePublic]:
    registry.pond(site, pond)
    return [public(e) for e in care.entries(site, pond, device=device, kind=kind,
                                            voided=include_voided, limit=limit)]


@router.post("", response_model=MaintenancePublic, status_code=201,
             summary="Record a DO membrane check, pH calibration, probe cleaning or drift "
                     "check (a calibration's buffers are checked; a drift check is compared "
                     "with the probe's reading at that time)")
def add_entry(site: str, pond: str, body: MaintenanceCreate, user: SiteLogger,
              care: MaintenanceDep, store: StoreDep, users: UsersDep) -> MaintenancePublic:
    saved = record(care, store, site, pond, body, user.username)
    users.audit(user.username, "add", "maintenance", saved.id, site,
                f"{saved.kind.value} of {pond}/{saved.device}")
    return public(saved)


@router.get("/due", response_model=list[DuePublic],
            summary="When each kind of care of each device is next due, overdue first")
def list_due(site: str, pond: str, _: SiteUser, registry: RegistryDep, care: MaintenanceDep,
             store: StoreDep) -> list[DuePublic]:
    registry.pond(site, pond)
    now = now_ms()
    return [DuePublic(device=d.device, kind=d.kind, every_days=INTERVAL_DAYS[d.kind],
                      last_at=d.last_at, due_at=d.due_at, due=d.due_at <= now,
                      overdue=d.overdue)
            for d in care.due(site, pond, device_metrics(store, site, pond), now)]


@router.delete("/{entry}", response_model=MaintenancePublic,
               summary="Void a wrong entry (kept, no longer counted; audited)")
def void_entry(site: str, pond: str, entry: int, user: SiteWriter, care: MaintenanceDep,
               users: UsersDep,
               reason: Annotated[str, Query(min_length=1, max_length=200)]
               ) -> MaintenancePublic:
    old = care.entry(site, entry)
    if old.pond != pond:
        raise NotFound(f"no maintenance entry {entry} in pond {pond}")
    done = care.void(site, entry, user.username, reason)
    users.audit(user.username, "void", "maintenance", entry, site, reason)
    return public(done)
