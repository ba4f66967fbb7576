"""The national monthly report (Dinas, the directorate): JSON, CSV and a printable page.

Over every site the user may see (an officer sees their own site; a Dinas or admin login
of every site sees the nation), grouped by province; ``?province=`` narrows it to one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from api.auth import STAFF, role_access
from api.csvsafe import csv_response
from api.deps import RegistryDep
from api.public import public, public_of
from api.routes.reports import MonthQ
from api.templating import render
from kolam.farming.national import AreaMonth, NationalReport, SiteMonth, national_report
from kolam.registry.repo import Registry
from kolam.registry.totals import MonthSums
from kolam.security.auth import Principal

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
StaffUser = Annotated[Principal, Depends(role_access(STAFF))]
ProvinceQ = Annotated[str | None, Query(max_length=80,
                                        description="Only the sites of this province")]


@public_of(SiteMonth)
class SiteMonthPublic(BaseModel):
    pass


@public_of(AreaMonth)
class AreaMonthPublic(BaseModel):
    pass


@public_of(NationalReport)
class NationalReportPublic(BaseModel):
    pass


def report_for(user: Principal, registry: Registry, month: str,
               province: str | None) -> NationalReport:
    sites = registry.sites(None if user.all_sites else user.sites)
    return national_report(MonthSums(registry.engine), sites, month, province)


@router.get("/national", response_model=NationalReportPublic,
            summary="Production, survival, FCR, money and the teams' business of a month, by "
            "province and site")
def get_national(month: MonthQ, user: StaffUser, registry: RegistryDep,
                 province: ProvinceQ = None) -> NationalReportPublic:
    return public(report_for(user, registry, month, province), NationalReportPublic)


CSV_COLUMNS = ("province", "regency", "site", "name", "kind", "active_cycles",
               "completed_cycles", "production_kg", "feed_kg", "dead_count", "revenue_rp",
               "costs_rp", "margin_rp", "survival_pct", "fcr")
BUSINESS_COLUMNS = ("business_teams", "business_in_rp", "business_out_rp",
                    "business_profit_rp", "fish_sales_rp", "product_sales_rp", "packs_made",
                    "packs_sold")
"""The teams' cash books (issue #20), after the farming columns on every row."""


@router.get("/national.csv", summary="The national month as CSV: a row per site, per "
            "province and a total", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def get_national_csv(month: MonthQ, user: StaffUser, registry: RegistryDep,
                     province: ProvinceQ = None) -> Response:
    r = report_for(user, registry, month, province)
    rows: list[list[object]] = [[*CSV_COLUMNS, *BUSINESS_COLUMNS]]
    rows += [["" if getattr(s, k) is None else getattr(s, k)
              for k in (*CSV_COLUMNS, *BUSINESS_COLUMNS)] for s in r.sites]
    rows += [["total" if a is r.total else a.province, "", "", f"{a.site_count} sites", "", "",
              a.completed_cycles, a.production_kg, a.feed_kg, a.dead_count, a.revenue_rp,
              a.costs_rp, a.margin_rp, "" if a.survival_pct is None else a.survival_pct,
              "" if a.fcr is None else a.fcr, *(getattr(a, k) for k in BUSINESS_COLUMNS)]
             for a in (*r.provinces, r.total)]
    return csv_response(rows, f"national_{month}.csv")


@router.get("/national.html", response_class=HTMLResponse,
            summary="The national monthly report, printable (HTML with print styles)")
def print_national(request: Request, month: MonthQ, user: StaffUser, registry: RegistryDep,
                   province: ProvinceQ = None) -> HTMLResponse:
    r = report_for(user, registry, month, province)
    return render(request, "national_report.html", {"r": r, "province": province})
