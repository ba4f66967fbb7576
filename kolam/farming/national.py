"""The national monthly report: production, survival, FCR and money by province and site.

For the Dinas and the directorate, over every site a user may see. Each site's month is the
calendar month in its own time zone (``kolam.farming.monthly``: a lapas in Jayapura closes its
November at 24:00 WIT, two hours before Serang), and each site's figures are the ones its own
monthly report gives. A province's and the nation's survival and FCR are not averages of the
sites' rates: they are summed over the cycles that ended in the month (fish harvested over
fish stocked, feed over weight gained), so a site with one small cycle weighs what it holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kolam.farming.monthly import Completed, month_cycles, month_span
from kolam.places import site_zone
from kolam.registry.cycles import Cycles
from kolam.registry.repo import SiteInfo

NO_PROVINCE = ""
"""The group of sites whose record names no province yet (pages say "no province")."""


@dataclass(frozen=True, slots=True)
class SiteMonth:
    site: str
    name: str
    kind: str
    province: str
    regency: str | None
    active_cycles: int
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


@dataclass(frozen=True, slots=True)
class AreaMonth:
    """A province's totals, or the nation's (``province`` = ``"*"``)."""

    province: str
    site_count: int
    completed_cycles: int
    production_kg: float
    feed_kg: float
    dead_count: int
    revenue_rp: float
    costs_rp: float
    margin_rp: float
    survival_pct: float | None
    fcr: float | None


@dataclass(frozen=True, slots=True)
class NationalReport:
    month: str
    sites: tuple[SiteMonth, ...]
    """By province, then by production (largest first), then by name."""
    provinces: tuple[AreaMonth, ...]
    """By production, largest first."""
    total: AreaMonth


def _site_month(cycles: Cycles, site: SiteInfo, month: str,
                now: int) -> tuple[SiteMonth, Completed]:
    start, end = month_span(month, site_zone(site.timezone))
    rows, done = month_cycles(cycles, site.slug, start, end, now)
    revenue = sum(r.revenue_rp for r in rows)
    costs = sum(r.costs_rp for r in rows)
    return SiteMonth(
        site=site.slug, name=site.name, kind=site.kind, province=site.province or NO_PROVINCE,
        regency=site.regency, active_cycles=sum(r.ended_at is None for r in rows),
        completed_cycles=sum(r.ended_in_month for r in rows),
        production_kg=sum(r.harvested_kg for r in rows), feed_kg=sum(r.feed_kg for r in rows),
        dead_count=sum(r.dead_count for r in rows), revenue_rp=revenue, costs_rp=costs,
        margin_rp=revenue - costs, survival_pct=done.survival_pct, fcr=done.fcr), done


def _area(province: str, sites: list[tuple[SiteMonth, Completed]]) -> AreaMonth:
    done = sum((d for _, d in sites), Completed())
    rows = [s for s, _ in sites]
    revenue = sum(s.revenue_rp for s in rows)
    costs = sum(s.costs_rp for s in rows)
    return AreaMonth(
        province=province, site_count=len(rows),
        completed_cycles=sum(s.completed_cycles for s in rows),
        production_kg=sum(s.production_kg for s in rows), feed_kg=sum(s.feed_kg for s in rows),
        dead_count=sum(s.dead_count for s in rows), revenue_rp=revenue, costs_rp=costs,
        margin_rp=revenue - costs, survival_pct=done.survival_pct, fcr=done.fcr)


def national_report(cycles: Cycles, sites: Iterable[SiteInfo], month: str, now: int,
                    province: str | None = None) -> NationalReport:
    """The report of ``month`` over ``sites`` (only ``province``'s, when one is given)."""
    month_span(month)  # a malformed month fails here, before any site is read
    months = [_site_month(cycles, s, month, now) for s in sites
              if province is None or (s.province or NO_PROVINCE) == province]
    by_province: dict[str, list[tuple[SiteMonth, Completed]]] = {}
    for m in months:
        by_province.setdefault(m[0].province, []).append(m)
    provinces = sorted((_area(p, ms) for p, ms in by_province.items()),
                       key=lambda a: (-a.production_kg, a.province))
    order = {a.province: i for i, a in enumerate(provinces)}
    rows = sorted((s for s, _ in months),
                  key=lambda s: (order[s.province], -s.production_kg, s.name))
    return NationalReport(month, tuple(rows), tuple(provinces), _area("*", months))
