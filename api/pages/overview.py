"""``/``: every site and pond of the user at a glance (the officers' desk, the Dinas).

Two tables. The sites: each site's worst status, its open alerts by severity, the
production harvested this month (the calendar month in the site's own time zone) and its
teams' money in and profit this month (the national report's sums, for every site). The ponds
of every site in one table, ranked by trouble: by status (``api.status``: the worst *open
alert* of the pond, so a pond with only warnings is "Waspada", never "Bahaya"; a pond whose
data stopped ranks above a calm one), then by how many alerts are open, then by site and
name; with the worst alert, the key readings, how old they are and the sensor uptime over
the last 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.advice import alert_title
from api.pages.ponds import PondCard, card
from api.pages.render import page
from api.pages.session import PageUser, user_sites
from api.pond_view import PondViews, PondViewsDep
from api.status import Status, rank
from kolam.catalogue import MEASURED
from kolam.farming.national import this_month
from kolam.registry.alerts import AlertInfo
from kolam.registry.totals import MonthSums
from kolam.security.auth import Role
from kolam.store.base import TimeSeriesReader
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
UPTIME_SPAN_MS = 86_400_000
UPTIME_STEP_MS = 300_000
"""A 5-minute slot with at least one reading counts as up (devices report every 1–5 min)."""


@dataclass(frozen=True, slots=True)
class SiteRow:
    slug: str
    name: str
    cards: list[PondCard]
    uptime_pct: dict[str, float | None]
    """Per pond shown in the ponds table (``with_uptime``): % of the last 24 h with data."""
    open_alerts: list[AlertInfo]
    production_kg: float
    business_in_rp: float | None = None
    """The teams' cash books this month (issue #20): money in, and the profit."""
    business_profit_rp: float | None = None

    @property
    def worst(self) -> Status:
        return max((c.status for c in self.cards), key=lambda s: s.rank, default=Status.OK)

    def count(self, severity: str) -> int:
        return sum(a.severity == severity for a in self.open_alerts)


@dataclass(frozen=True, slots=True)
class PondRow:
    site: SiteRow
    card: PondCard

    @property
    def worst_alert(self) -> AlertInfo | None:
        """The open alert that sets the pond's status: most severe, then oldest."""
        return min(self.card.alerts, key=lambda a: (-rank(a.severity), a.since_t), default=None)

    @property
    def uptime_pct(self) -> float | None:
        return self.site.uptime_pct.get(self.card.pond.slug)


def ranked_ponds(rows: list[SiteRow]) -> list[PondRow]:
    """Every pond of every site, the most troubled first."""
    ponds = [PondRow(r, c) for r in rows for c in r.cards]
    return sorted(ponds, key=lambda p: (-p.card.view.status.rank, -len(p.card.alerts),
                                        p.site.name, p.card.pond.name))


def uptime_pct(store: TimeSeriesReader, site: str, pond: str, now: int) -> float | None:
    """Share of the last 24 h's 5-minute slots with a reading of the pond's first metric."""
    metrics = sorted({k.metric for k in store.series(site, pond)} & MEASURED)
    if not metrics:
        return None
    metric = "do_mgl" if "do_mgl" in metrics else metrics[0]
    start = now - UPTIME_SPAN_MS
    buckets = store.downsample(site, pond, metric, start, now, UPTIME_STEP_MS)
    return min(100.0, 100 * len(buckets) / (UPTIME_SPAN_MS // UPTIME_STEP_MS))


PONDS_SHOWN = 200
"""The ponds table lists the most troubled this many: a Dinas login of the whole country
sees 5,000 ponds, and the first page's worth is what needs someone (the rest are counted)."""


def site_rows(views: PondViews, sites: list[str], now: int) -> list[SiteRow]:
    """A row per site: the ponds, alerts, this month's harvest and the teams' business read
    for all the sites at once (``PondViews.sites``, ``this_month``), not site by site."""
    infos = views.registry.sites(sites)
    all_views = views.sites(sites, now, with_cycle=False)
    months = this_month(MonthSums(views.registry.engine), infos, now)
    open_alerts: dict[str, list[AlertInfo]] = {s: [] for s in sites}
    for a in views.alerts.find(sites, states=("open", "acknowledged"), limit=1_000_000):
        open_alerts[a.site].append(a)
    rows = []
    for info in infos:
        cards = [card(views, v, now) for v in all_views[info.slug]]
        m = months.get(info.slug)
        books = m is not None and m.business_teams > 0
        rows.append(SiteRow(info.slug, info.name, cards,
                            {},
                            open_alerts[info.slug][:50], m.production_kg if m else 0.0,
                            m.business_in_rp if books and m else None,
                            m.business_profit_rp if books and m else None))
    return rows


@router.get("/")
def overview(request: Request, user: PageUser, views: PondViewsDep,
             site: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """Every site of the user; ``?site=`` only that one (the national view's link)."""
    sites = user_sites(views.registry, user)
    if site is not None and site in sites:
        sites = [site]
    if user.role is Role.KIOSK and sites:
        return RedirectResponse(f"/kiosk/{sites[0]}", status_code=303)
    now = now_ms()
    rows = sorted(site_rows(views, sites, now), key=lambda r: (-r.worst.rank, r.slug))
    ponds = ranked_ponds(rows)
    shown = with_uptime(views.store, ponds[:PONDS_SHOWN], now)
    return page(request, "overview.html", rows=rows, ponds=shown, ponds_total=len(ponds),
                alert_title=alert_title)


def with_uptime(store: TimeSeriesReader, ponds: list[PondRow], now: int) -> list[PondRow]:
    """The ponds, each with its 24-hour uptime read (only the ponds the page shows: one
    query each)."""
    for p in ponds:
        p.site.uptime_pct[p.card.pond.slug] = uptime_pct(store, p.site.slug, p.card.pond.slug,
                                                         now)
    return ponds
