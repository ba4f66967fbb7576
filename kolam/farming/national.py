"""The national monthly report: production, survival, FCR and money by province and site.

For the Dinas and the directorate, over every site a user may see. Each site's month is the
calendar month in its own time zone (``kolam.farming.monthly``: a lapas in Jayapura closes its
November at 24:00 WIT, two hours before Serang), and each site's figures are the ones its own
monthly report gives. A province's and the nation's survival and FCR are not averages of the
sites' rates: they are summed over the cycles that ended in the month (fish harvested over
fish stocked, feed over weight gained), so a site with one small cycle weighs what it holds.

The teams' business (issue #20 item 6) is each site's teams' cash books summed: money in and
out, profit, fish and product sales, packs made and sold, the same figures as each team's
month summary (``kolam.registry.business_totals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from kolam.farming.monthly import Completed, month_span
from kolam.places import site_zone
from kolam.registry.business_totals import TeamBusiness
from kolam.registry.fields import Shown
from kolam.registry.repo import SiteInfo
from kolam.registry.totals import CycleSums, MonthSums
from kolam.timeutil import local_month

NO_PROVINCE = ""
"""The group of sites whose record names no province yet (pages say "no province")."""


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """What a site, a province or the nation farmed and earned in a month."""

    completed_cycles: int
    production_kg: float
    feed_kg: float
    dead_count: int
    revenue_rp: float
    costs_rp: float
    margin_rp: float
    survival_pct: float | None
    """Cycles that ended in the month: fish harvested / fish stocked."""
    fcr: float | None
    """Cycles that ended in the month: all their feed / all their weight gained."""
    business_teams: Annotated[int, Shown(
        "Teams whose cash book has a line (or a product batch) in the month")]
    business_in_rp: Annotated[float, Shown(
        "The teams' cash books: money in, as each book's month summary gives it (a "
        "correction of the same month takes the entry it reverses off)")]
    business_out_rp: Annotated[float, Shown("The teams' cash books: money out")]
    business_profit_rp: Annotated[float, Shown("business_in_rp - business_out_rp")]
    fish_sales_rp: Annotated[float, Shown(
        "The books' money in from fish sales: the harvests sold and the fish sales typed")]
    product_sales_rp: Annotated[float, Shown(
        "The books' money in from processed products (abon, nugget, kerupuk...)")]
    packs_made: Annotated[float, Shown("Packs of processed products made (batches)")]
    packs_sold: Annotated[float, Shown(
        "Packs sold: product sales that stand (neither a correction nor corrected)")]


@dataclass(frozen=True, slots=True)
class BusinessFigures:
    """The teams' business of a site, a province or the nation: sums of ``TeamBusiness``."""

    teams: int = 0
    in_rp: float = 0.0
    out_rp: float = 0.0
    fish_sales_rp: float = 0.0
    product_sales_rp: float = 0.0
    packs_made: float = 0.0
    packs_sold: float = 0.0

    @staticmethod
    def of(teams: Iterable[TeamBusiness]) -> BusinessFigures:
        """Only the teams with business in the month count (a book with lines only in
        earlier months adds nothing)."""
        active = [t for t in teams if t.lines or t.batches]
        return BusinessFigures(len(active), sum(t.in_rp for t in active),
                        sum(t.out_rp for t in active), sum(t.fish_sales_rp for t in active),
                        sum(t.product_sales_rp for t in active),
                        sum(t.packs_made for t in active), sum(t.packs_sold for t in active))

    def __add__(self, other: BusinessFigures) -> BusinessFigures:
        return BusinessFigures(self.teams + other.teams, self.in_rp + other.in_rp,
                        self.out_rp + other.out_rp, self.fish_sales_rp + other.fish_sales_rp,
                        self.product_sales_rp + other.product_sales_rp,
                        self.packs_made + other.packs_made, self.packs_sold + other.packs_sold)


def _figures(completed: int, production_kg: float, feed_kg: float, dead: int,
             revenue_rp: float, costs_rp: float, done: Completed,
             business: BusinessFigures) -> dict[str, Any]:
    """``MonthFigures``' fields, the margin and rates made from the sums."""
    return {"completed_cycles": completed, "production_kg": production_kg, "feed_kg": feed_kg,
            "dead_count": dead, "revenue_rp": revenue_rp, "costs_rp": costs_rp,
            "margin_rp": revenue_rp - costs_rp, "survival_pct": done.survival_pct,
            "fcr": done.fcr, "business_teams": business.teams,
            "business_in_rp": business.in_rp, "business_out_rp": business.out_rp,
            "business_profit_rp": business.in_rp - business.out_rp,
            "fish_sales_rp": business.fish_sales_rp,
            "product_sales_rp": business.product_sales_rp,
            "packs_made": business.packs_made, "packs_sold": business.packs_sold}


@dataclass(frozen=True, slots=True)
class SiteMonth(MonthFigures):
    site: str
    name: str
    kind: str
    province: str
    regency: str | None
    active_cycles: int
    """Cycles still running at the month's end."""


@dataclass(frozen=True, slots=True)
class AreaMonth(MonthFigures):
    """A province's totals, or the nation's (``province`` = ``"*"``)."""

    province: str
    site_count: int


@dataclass(frozen=True, slots=True)
class NationalReport:
    month: str
    sites: tuple[SiteMonth, ...]
    """By province, then by production (largest first), then by name."""
    provinces: tuple[AreaMonth, ...]
    """By production, largest first."""
    total: AreaMonth


def _site_month(site: SiteInfo, sums: list[CycleSums], end: int,
                business: BusinessFigures) -> tuple[SiteMonth, Completed]:
    ended = [c for c in sums if c.ended_at is not None and c.ended_at < end]
    done = sum((Completed(c.seed_count, c.total_harvest_count, c.total_feed_kg,
                          c.total_harvest_kg - c.stocked_kg) for c in ended), Completed())
    figures = _figures(len(ended), sum(c.month_harvest_kg for c in sums),
                       sum(c.month_feed_kg for c in sums), sum(c.month_dead for c in sums),
                       sum(c.month_revenue_rp for c in sums),
                       sum(c.month_costs_rp for c in sums), done, business)
    return SiteMonth(**figures, site=site.slug, name=site.name, kind=site.kind,
                     province=site.province or NO_PROVINCE, regency=site.regency,
                     active_cycles=len(sums) - len(ended)), done


def _business(row: MonthFigures) -> BusinessFigures:
    return BusinessFigures(row.business_teams, row.business_in_rp, row.business_out_rp,
                    row.fish_sales_rp, row.product_sales_rp, row.packs_made, row.packs_sold)


def _area(province: str, sites: list[tuple[SiteMonth, Completed]]) -> AreaMonth:
    rows = [s for s, _ in sites]
    figures = _figures(sum(s.completed_cycles for s in rows),
                       sum(s.production_kg for s in rows), sum(s.feed_kg for s in rows),
                       sum(s.dead_count for s in rows), sum(s.revenue_rp for s in rows),
                       sum(s.costs_rp for s in rows), sum((d for _, d in sites), Completed()),
                       sum((_business(s) for s in rows), BusinessFigures()))
    return AreaMonth(**figures, province=province, site_count=len(rows))


def national_report(sums: MonthSums, sites: Iterable[SiteInfo], month: str,
                    province: str | None = None) -> NationalReport:
    """The report of ``month`` over ``sites`` (only ``province``'s, when one is given).

    The sites are read a time zone at a time: a handful of grouped queries in all, not a
    query per cycle (``kolam.registry.totals``)."""
    month_span(month)  # a malformed month fails here, before any site is read
    chosen = [s for s in sites if province is None or (s.province or NO_PROVINCE) == province]
    by_zone: dict[tuple[int, int], list[SiteInfo]] = {}
    for s in chosen:
        by_zone.setdefault(month_span(month, site_zone(s.timezone)), []).append(s)
    months: list[tuple[SiteMonth, Completed]] = []
    for (start, end), group in by_zone.items():
        per_site: dict[str, list[CycleSums]] = {s.slug: [] for s in group}
        for c in sums.cycles(per_site, start, end):
            per_site[c.site].append(c)
        teams: dict[str, list[TeamBusiness]] = {s.slug: [] for s in group}
        for t in sums.teams(teams, start, end):
            teams[t.site].append(t)
        months += [_site_month(s, per_site[s.slug], end, BusinessFigures.of(teams[s.slug]))
                   for s in group]
    by_province: dict[str, list[tuple[SiteMonth, Completed]]] = {}
    for m in months:
        by_province.setdefault(m[0].province, []).append(m)
    provinces = sorted((_area(p, ms) for p, ms in by_province.items()),
                       key=lambda a: (-a.production_kg, a.province))
    order = {a.province: i for i, a in enumerate(provinces)}
    rows = sorted((s for s, _ in months),
                  key=lambda s: (order[s.province], -s.production_kg, s.name))
    return NationalReport(month, tuple(rows), tuple(provinces), _area("*", months))


def this_month(sums: MonthSums, sites: Iterable[SiteInfo], now: int) -> dict[str, SiteMonth]:
    """Each site's figures of its current month, in its own zone (a WIT site's month begins
    two hours before a WIB site's): the overview's and the national view's columns."""
    by_month: dict[str, list[SiteInfo]] = {}
    for s in sites:
        by_month.setdefault(local_month(now, site_zone(s.timezone)), []).append(s)
    return {r.site: r for month, group in by_month.items()
            for r in national_report(sums, group, month).sites}


def harvested_this_month(sums: MonthSums, sites: Iterable[SiteInfo], now: int) -> dict[str, float]:
    """kg harvested per site in its current month (``this_month``)."""
    return {site: r.production_kg for site, r in this_month(sums, sites, now).items()}
