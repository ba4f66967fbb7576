"""``/national``: every site a Dinas or directorate login may see, grouped by province.

A row per site: its worst pond (``api.status``'s one ranking, the same the overview and the
kiosk use), its open critical and warning alerts, its ponds, the fish harvested this month
(the calendar month in the site's own zone) and the teams' business this month (money in,
profit, packs made and sold: the national report's sums). Filters by province, kind of unit
and status; the table sorts by any column; one click opens the site's overview. The
printable national monthly report (``api.routes.national``) is linked for the month shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.pages.render import page
from api.pages.session import PageStaff
from api.pond_view import PondView, PondViews, PondViewsDep
from api.status import Status
from kolam.farming.national import NO_PROVINCE, SiteMonth, this_month
from kolam.places import SiteKind
from kolam.registry.repo import SiteInfo
from kolam.registry.totals import MonthSums
from kolam.timeutil import WIB, local_month, now_ms

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class NationalRow:
    site: SiteInfo
    worst: PondView | None
    """The most troubled pond (``None`` for a site without ponds)."""
    critical: int
    warning: int
    month: SiteMonth | None
    """This month's figures (``None`` for a site the report did not read)."""

    @property
    def production_kg(self) -> float:
        return self.month.production_kg if self.month is not None else 0.0

    @property
    def business(self) -> SiteMonth | None:
        """This month's figures when a team kept its book in it."""
        return self.month if self.month is not None and self.month.business_teams else None

    @property
    def status(self) -> Status:
        return self.worst.status.value if self.worst is not None else Status.OK

    @property
    def province(self) -> str:
        return self.site.province or NO_PROVINCE


def national_rows(views: PondViews, sites: list[SiteInfo], now: int) -> list[NationalRow]:
    """A row per site, the most troubled first within each province."""
    open_alerts = views.alerts.find([s.slug for s in sites], states=("open", "acknowledged"),
                                    limit=100_000)
    months = this_month(MonthSums(views.registry.engine), sites, now)
    ponds_of = views.sites([s.slug for s in sites], now, with_cycle=False)
    rows = []
    for s in sites:
        ponds = ponds_of[s.slug]
        mine = [a for a in open_alerts if a.site == s.slug]
        rows.append(NationalRow(
            s, max(ponds, key=lambda v: v.status.rank, default=None),
            sum(a.severity == "critical" for a in mine), sum(a.severity == "warning" for a in mine),
            months.get(s.slug)))
    return sorted(rows, key=lambda r: (r.province == NO_PROVINCE, r.province, -r.status.rank,
                                       -r.critical, -r.warning, r.site.name))


@router.get("/national")
def national(request: Request, user: PageStaff, views: PondViewsDep,
             province: Annotated[str | None, Query(max_length=80)] = None,
             kind: Annotated[str | None, Query(max_length=16)] = None,
             status: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    everything = views.registry.sites(None if user.all_sites else user.sites)
    now = now_ms()
    shown = [s for s in everything
             if (not province or (s.province or NO_PROVINCE) == province)
             and (not kind or s.kind == kind)]
    rows = national_rows(views, shown, now)
    if status:
        rows = [r for r in rows if r.status.value == status]
    provinces = sorted({s.province or NO_PROVINCE for s in everything})
    return page(request, "national.html", rows=rows, provinces=provinces,
                kinds=[k.value for k in SiteKind], statuses=[s.value for s in Status
                                                             if s is not Status.INFO],
                chosen={"province": province, "kind": kind, "status": status},
                month=local_month(now, WIB))
