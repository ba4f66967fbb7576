"""The dawn DO forecast of one pond, as it stood at a given moment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.auth import SiteUser
from api.deps import ConfigDep, RegistryDep, StoreDep
from kolam.alerts.forecast_replay import aerator_signal, forecast_at, site_place
from kolam.timeutil import iso, now_ms, to_ms

router = APIRouter(prefix="/api/v1/sites/{site}/ponds/{pond}", tags=["forecast"])

EARLIEST_MS, LATEST_MS = 946_684_800_000, 4_102_444_800_000
"""2000-01-01 to 2100-01-01 UTC: outside it ``at`` is a typo, and the sun tables overflow."""

AtQ = Annotated[datetime | None, Query(
    description="ISO 8601 (UTC unless it carries an offset); default now",
    examples=["2026-11-10T17:00:00Z"])]


class ForecastPublic(BaseModel):
    site: str
    pond: str
    at: str = Field(description="The moment asked about, ISO 8601 UTC")
    state: Literal["forecast", "day", "wait", "unreliable", "aerated"] = Field(
        description="forecast: do_mgl is the dawn minimum; day: nothing to forecast until "
                    "dusk; wait: too few readings tonight yet; unreliable: see reason; "
                    "aerated: an aerator runs or is scheduled to (reason says which), "
                    "do_mgl is the minimum with it")
    do_mgl: float | None = Field(description="Forecast DO minimum at dawn (mg/L)")
    sunrise: str = Field(description="The sunrise the forecast is for, ISO 8601 UTC")
    method: str
    points: int = Field(description="Readings (at most one a minute) behind the estimate")
    reason: str | None = Field(
        None, description="Why the forecast is unreliable, or which aerator it counts on")
    regime_start: str | None = Field(
        None, description="Since when the readings follow the fitted regime (ISO UTC)")
    lat_deg: float
    lon_deg: float


@router.get("/forecast", response_model=ForecastPublic,
            summary="The dawn DO forecast as it stood at a moment (default now)")
def get_forecast(site: str, pond: str, _: SiteUser, store: StoreDep, registry: RegistryDep,
                 config: ConfigDep, at: AtQ = None) -> ForecastPublic:
    registry.pond(site, pond)
    at_ms = to_ms(at) if at is not None else now_ms()
    if not EARLIEST_MS <= at_ms < LATEST_MS:
        raise HTTPException(422, "at must be between 2000-01-01 and 2100-01-01 (UTC)")
    lat, lon = site_place(config, registry, site)
    aerators, plan = aerator_signal(config, registry, site, pond)
    est = forecast_at(store, site, pond, at_ms, lat, lon, aerators, plan)
    return ForecastPublic(
        site=site, pond=pond, at=iso(at_ms), state=est.state,  # type: ignore[arg-type]
        do_mgl=est.do_mgl, sunrise=iso(est.sunrise_ms), method=est.method, points=est.points,
        reason=est.reason,
        regime_start=iso(est.regime_start_ms) if est.regime_start_ms is not None else None,
        lat_deg=lat, lon_deg=lon)
