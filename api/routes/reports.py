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
from api.templating import render
from kolam.business.records import TeamMonth
from kolam.farming.monthly import CycleMonth, MonthlyReport, month_span, monthly_report
from kolam.places import site_zone
from kolam.registry.alerts import Alerts
from kolam.registry.totals import MonthSums
from kolam.timeutil import now_ms, zone_name

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
    start, end = month_span(month, tz)
    business = [t.team_month() for t in MonthSums(registry.engine).teams([site], start, end)
                if t.lines or t.batches]  # the national report's sums, team by team
    return monthly_report(cycles, store, site, month, ponds, now_ms(), alerts, tz, business)


@router.get("/monthly", response_model=MonthlyReportPublic,
            summary="Production, survival, FCR, money and water compliance of a month")
def get_monthly(site: str, month: MonthQ, _: SiteStaff, cycles: CyclesDep, store: StoreDep,
                registry: RegistryDep, alerts: AlertsDep) -> MonthlyReportPublic:
    return public(_report(site, month, cycles, store, registry, alerts), MonthlyReportPublic)


CSV_COLUMNS = ("cycle_id", "pond", "team_name", "feed_kg", "dead_count", "harvested_kg",
               "harvested_count", "revenue_rp", "costs_rp", "live_count", "survival_pct",
               "fcr")
BUSINESS_COLUMNS = {"business_in_rp": "in_rp", "business_out_rp": "out_rp",
                    "business_profit_rp": "profit_rp", "business_closing_rp": "closing_rp",
                    "fish_sales_rp": "fish_sales_rp", "product_sales_rp": "product_sales_rp",
                    "packs_made": "packs_made", "packs_sold": "packs_sold"}
"""Columns after ``CSV_COLUMNS``, of ``TeamMonth``: a team's book on a line of its own
(``cycle_id`` "business"), empty on the cycles' lines, summed on the totals line."""


@router.get("/monthly.csv", summary="The month's cycles and the teams' business as CSV, with "
            "a totals row", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def get_monthly_csv(site: str, month: MonthQ, _: SiteStaff, cycles: CyclesDep,
                    store: StoreDep, registry: RegistryDep, alerts: AlertsDep) -> Response:
    r = _report(site, month, cycles, store, registry, alerts)
    rows: list[list[object]] = [[*CSV_COLUMNS, *BUSINESS_COLUMNS]]
    no_business = [""] * len(BUSINESS_COLUMNS)
    rows += [[*("" if getattr(c, k) is None else getattr(c, k) for k in CSV_COLUMNS),
              *no_business] for c in r.cycles]
    rows += [["business", "", b.team_name, *[""] * (len(CSV_COLUMNS) - 3),
              *(getattr(b, k) for k in BUSINESS_COLUMNS.values())] for b in r.business]
    rows.append(["total", "", "", r.feed_kg, r.dead_count, r.production_kg,
                 sum(c.harvested_count for c in r.cycles), r.revenue_rp, r.costs_rp,
                 sum(c.live_count for c in r.cycles), r.survival_pct or "", r.fcr or "",
                 *(sum(getattr(b, k) for b in r.business) for k in BUSINESS_COLUMNS.values())])
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
