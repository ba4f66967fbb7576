"""The monthly report of a site (for the Dinas): production, survival, FCR, money and water.

Months are calendar months in the site's own time zone (its record's ``timezone``: WIB,
WITA or WIT), the time the site lives by. Flows (feed, deaths,
harvests, revenue, costs) count what was dated inside the month; survival and FCR are
cycle-to-date as of the month's end, and over the cycles that ended in the month.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kolam.business.records import TeamMonth
from kolam.farming.kpi import cycle_kpis
from kolam.farming.water import compliance
from kolam.registry.alerts import Alerts
from kolam.registry.cycles import Cycles
from kolam.registry.records import CycleRecords, InvalidRecord, LogKind
from kolam.store.base import TimeSeriesReader
from kolam.timeutil import WIB, to_ms

MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def month_span(month: str, tz: tzinfo = WIB) -> tuple[int, int]:
    """[start, end) of a ``YYYY-MM`` month in ``tz`` (a site's zone), as epoch ms."""
    m = MONTH_RE.fullmatch(month)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise InvalidRecord(f"month must look like 2026-11, got {month!r}")
    year, mon = int(m.group(1)), int(m.group(2))
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=tz)
    return to_ms(start), to_ms(end)


@dataclass(frozen=True, slots=True)
class CycleMonth:
    cycle_id: int
    pond: str
    team_id: int
    team_name: str
    stocked_at: int
    ended_at: int | None
    ended_in_month: bool
    feed_kg: float
    dead_count: int
    harvested_kg: float
    harvested_count: int
    revenue_rp: float
    costs_rp: float
    live_count: int
    survival_pct: float
    fcr: float | None


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    site: str
    month: str
    start_at: int
    end_at: int
    cycles: tuple[CycleMonth, ...]
    production_kg: float
    revenue_rp: float
    costs_rp: float
    margin_rp: float
    feed_kg: float
    dead_count: int
    completed_cycles: int
    survival_pct: float | None
    """Cycles that ended in the month: fish harvested / fish stocked."""
    fcr: float | None
    """Cycles that ended in the month: all their feed / all their weight gained."""
    water_compliance_pct: dict[str, dict[str, float | None]]
    """Per pond, per metric: % of the month's time in the optimal band."""
    alert_count: int | None
    """Alerts that began in the month; None when no alert registry was given."""
    business: tuple[TeamMonth, ...] = ()
    """Each team's cash book for the month (issue #20): money in and out, profit, sales."""


def _until(records: CycleRecords, end: int) -> CycleRecords:
    """The records as they stood at ``end``: later entries dropped, a later end undone."""
    c = records.cycle
    if c.ended_at is not None and c.ended_at >= end:
        c = dataclasses.replace(c, ended_at=None, end_reason=None)
    return CycleRecords(c, tuple(e for e in records.logs if e.at < end),
                        tuple(h for h in records.harvests if h.at < end),
                        tuple(x for x in records.costs if x.at < end))


def _cycle_month(records: CycleRecords, start: int, end: int, now: int) -> CycleMonth:
    c = records.cycle
    k = cycle_kpis(_until(records, end), min(end, now))
    logs = [e for e in records.logs if start <= e.at < end]
    harvests = [h for h in records.harvests if start <= h.at < end]
    costs = sum(x.amount_rp for x in records.costs if start <= x.at < end)
    costs += c.seed_cost_rp if start <= c.stocked_at < end else 0.0
    return CycleMonth(
        cycle_id=c.id, pond=c.pond, team_id=c.team_id, team_name=c.team_name,
        stocked_at=c.stocked_at, ended_at=c.ended_at,
        ended_in_month=c.ended_at is not None and start <= c.ended_at < end,
        feed_kg=sum(e.feed_kg or 0.0 for e in logs if e.kind is LogKind.FEEDING),
        dead_count=sum(e.dead_count or 0 for e in logs if e.kind is LogKind.MORTALITY),
        harvested_kg=sum(h.kg for h in harvests), harvested_count=sum(h.count for h in harvests),
        revenue_rp=sum(h.kg * h.price_per_kg_rp for h in harvests), costs_rp=costs,
        live_count=k.live_count, survival_pct=k.survival_pct, fcr=k.fcr)


@dataclass(frozen=True, slots=True)
class Completed:
    """The cycles that ended in a month, summed: what their survival and FCR are made of.
    Sums, not rates, so that a province's or the nation's survival and FCR weigh each cycle
    by its fish and its feed (``kolam.farming.national``)."""

    stocked_count: int = 0
    harvested_count: int = 0
    feed_kg: float = 0.0
    gain_kg: float = 0.0

    def __add__(self, other: Completed) -> Completed:
        return Completed(self.stocked_count + other.stocked_count,
                         self.harvested_count + other.harvested_count,
                         self.feed_kg + other.feed_kg, self.gain_kg + other.gain_kg)

    @property
    def survival_pct(self) -> float | None:
        """Fish harvested / fish stocked."""
        return 100 * self.harvested_count / self.stocked_count if self.stocked_count else None

    @property
    def fcr(self) -> float | None:
        """All their feed / all their weight gained."""
        return self.feed_kg / self.gain_kg if self.gain_kg > 0 and self.feed_kg > 0 else None


def month_cycles(cycles: Cycles, site: str, start: int, end: int,
                 now: int) -> tuple[list[CycleMonth], Completed]:
    """Each cycle of ``site`` that ran in [start, end), and the sums of those that ended."""
    rows = []
    done = Completed()
    for c in cycles.cycles(site):
        if c.stocked_at >= end or (c.ended_at is not None and c.ended_at < start):
            continue
        records = cycles.records(site, c.id)
        row = _cycle_month(records, start, end, now)
        rows.append(row)
        if row.ended_in_month:
            k = cycle_kpis(records, now)
            done += Completed(k.stocked_count, k.harvested_count, k.feed_kg,
                              k.harvested_kg - k.stocked_kg)
    rows.sort(key=lambda r: (r.pond, r.stocked_at))
    return rows, done


def monthly_report(cycles: Cycles, store: TimeSeriesReader, site: str, month: str,
                   ponds: list[str], now: int, alerts: Alerts | None = None,
                   tz: tzinfo = WIB, business: Sequence[TeamMonth] = ()) -> MonthlyReport:
    """The site's report for ``month``, a calendar month in ``tz`` (the site's zone)."""
    start, end = month_span(month, tz)
    rows, done = month_cycles(cycles, site, start, end, now)
    revenue = sum(r.revenue_rp for r in rows)
    costs = sum(r.costs_rp for r in rows)
    water = {p: compliance(store, site, p, start, min(end, now)) for p in ponds}
    return MonthlyReport(
        site=site, month=month, start_at=start, end_at=end, cycles=tuple(rows),
        production_kg=sum(r.harvested_kg for r in rows), revenue_rp=revenue, costs_rp=costs,
        margin_rp=revenue - costs, feed_kg=sum(r.feed_kg for r in rows),
        dead_count=sum(r.dead_count for r in rows),
        completed_cycles=sum(r.ended_in_month for r in rows),
        survival_pct=done.survival_pct, fcr=done.fcr, water_compliance_pct=water,
        alert_count=alerts.count_between(site, start, end) if alerts is not None else None,
        business=tuple(business))
