"""The monthly report of a site: JSON, CSV and a printable page for the Dinas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from api.auth import SiteStaff
from api.csvsafe import csv_response
from api.deps import AlertsDep, CyclesDep, RegistryDep, StoreDep
from api.public import public, public_of
from api.templating import render, zone_name
from kolam.business.records import TeamMonth
from kolam.farming.monthly import CycleMonth, MonthlyReport, monthly_report
from kolam.places import site_zone
from kolam.registry.alerts import Alerts
from kolam.registry.cashbook import Business
from kolam.timeutil import now_ms

router = APIRouter(prefix="/api/v1/sites/{site}/reports", tags=["reports"])

MonthQ = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$",
                              description="Month in the site's time zone, YYYY-MM",
                              examples=["2026-11"])]


@public_of(CycleMonth)
class CycleMonthPublic(BaseModel):
    pass


@public_of(TeamMonth)
class TeamMonthPublic(BaseModel):
    pass


@public_of(MonthlyReport)
class MonthlyReportPublic(BaseModel):
    pass


def _report(site: str, month: str, cycles: CyclesDep, store: StoreDep,
            registry: RegistryDep, alerts: Alerts | None = None) -> MonthlyReport:
    ponds = [p.slug for p in registry.ponds(site)]
    tz = site_zone(registry.site(site).timezone)
    business = Business(registry.engine).site_month(site, month, tz)
    return monthly_report(cycles, store, site, month, ponds, now_ms(), alerts, tz, business)


@router.get("/monthly", response_model=MonthlyReportPublic,
            summary="Production, survival, FCR, money and water compliance of a month")
def get_monthly(site: str, month: MonthQ, _: SiteStaff, cycles: CyclesDep, store: StoreDep,
                registry: RegistryDep, alerts: AlertsDep) -> MonthlyReportPublic:
    return public(_report(site, month, cycles, store, registry, alerts), MonthlyReportPublic)


CSV_COLUMNS = ("cycle_id", "pond", "team_name", "feed_kg", "dead_count", "harvested_kg",
               "harvested_count", "revenue_rp", "costs_rp", "live_count", "survival_pct",
               "fcr")


@router.get("/monthly.csv", summary="The month's cycles as CSV, with a totals row",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def get_monthly_csv(site: str, month: MonthQ, _: SiteStaff, cycles: CyclesDep,
                    store: StoreDep, registry: RegistryDep, alerts: AlertsDep) -> Response:
    r = _report(site, month, cycles, store, registry, alerts)
    rows: list[list[object]] = [list(CSV_COLUMNS)]
    rows += [[getattr(c, k) if getattr(c, k) is not None else "" for k in CSV_COLUMNS]
             for c in r.cycles]
    rows.append(["total", "", "", r.feed_kg, r.dead_count, r.production_kg,
                 sum(c.harvested_count for c in r.cycles), r.revenue_rp, r.costs_rp,
                 sum(c.live_count for c in r.cycles), r.survival_pct or "", r.fcr or ""])
    return csv_response(rows, f"{site}_{month}_monthly.csv")


@router.get("/monthly.html", response_class=HTMLResponse,
            summary="The monthly report, printable (HTML with print styles)")
def print_monthly(request: Request, site: str, month: MonthQ, _: SiteStaff,
                  cycles: CyclesDep, store: StoreDep, registry: RegistryDep,
                  alerts: AlertsDep) -> HTMLResponse:
    r = _report(site, month, cycles, store, registry, alerts)
    info = registry.site(site)
    tz = site_zone(info.timezone)
    return render(request, "monthly_report.html",
                  {"r": r, "site_name": info.name, "tz": tz, "zone": zone_name(tz, r.start_at)})
