"""A month's farming sums per cycle, computed in SQL: the national report's reader (and,
through ``kolam.registry.business_totals``, of each team's cash book).

A site's monthly report reads every record of its cycles (``Cycles.records``) and adds them
up in Python, which it needs anyway for the cycle-to-date KPIs. Across the nation that is
5,000 cycles and a quarter of a million logs a month: about 20 s of object loading for sums
the database gives in four grouped queries. These are the same sums, over the same rules
(voided records left out, flows dated inside [start, end), the totals of a cycle that ended
in the month over all its records); ``tests/api/test_national.py`` checks them against
``kolam.farming.monthly`` on the same data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kolam.registry.business_totals import TeamBusiness, team_business
from kolam.registry.db import session_factory
from kolam.registry.farm_models import Cost, Cycle, Harvest, LogEntry
from kolam.registry.models import Pond, Site
from kolam.registry.records import LogKind

_CHUNK = 500
"""Cycle ids per ``IN (...)``: well under every database's bound-parameter limit."""


@dataclass(frozen=True, slots=True)
class CycleSums:
    """One cycle that ran in a month: its flows inside the month, and its totals to date."""

    cycle_id: int
    site: str
    stocked_at: int
    ended_at: int | None
    seed_count: int
    stocked_kg: float
    seed_cost_rp: float
    month_feed_kg: float = 0.0
    month_dead: int = 0
    month_harvest_kg: float = 0.0
    month_revenue_rp: float = 0.0
    month_costs_rp: float = 0.0
    """Costs dated in the month, the seed's included when stocked in it."""
    total_feed_kg: float = 0.0
    total_harvest_kg: float = 0.0
    total_harvest_count: int = 0


def _sum(expr: ColumnElement[Any] | InstrumentedAttribute[Any],
         when: ColumnElement[bool]) -> ColumnElement[Any]:
    """The sum of ``expr`` over the rows where ``when`` holds (0 when none does)."""
    return func.coalesce(func.sum(case((when, expr), else_=0)), 0)


class MonthSums:
    """The sums of the cycles of some sites over one span of time."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def cycles(self, sites: Iterable[str], start: int, end: int) -> list[CycleSums]:
        """Every cycle of ``sites`` that ran in [start, end), with its sums."""
        with self._sessions() as s:
            found = {
                cid: CycleSums(cid, slug, stocked, ended, n, n * w / 1000, seed_cost,
                               month_costs_rp=seed_cost if start <= stocked < end else 0.0)
                for cid, slug, stocked, ended, n, w, seed_cost in s.execute(
                    select(Cycle.id, Site.slug, Cycle.stocked_at, Cycle.ended_at,
                           Cycle.seed_count, Cycle.seed_weight_g, Cycle.seed_cost_rp)
                    .join(Pond, Cycle.pond_id == Pond.id).join(Site, Pond.site_id == Site.id)
                    .where(Site.slug.in_(list(sites)), Cycle.stocked_at < end,
                           or_(Cycle.ended_at.is_(None), Cycle.ended_at >= start))
                    .order_by(Cycle.id))}
            ids = list(found)
            for i in range(0, len(ids), _CHUNK):
                self._add(s, found, ids[i:i + _CHUNK], start, end)
        return list(found.values())

    def teams(self, sites: Iterable[str], start: int, end: int) -> list[TeamBusiness]:
        """The teams' cash books of ``sites`` in [start, end), summed in SQL
        (``kolam.registry.business_totals``)."""
        with self._sessions() as s:
            return team_business(s, sites, start, end)

    @staticmethod
    def _add(s: Session, found: dict[int, CycleSums], ids: Sequence[int], start: int,
             end: int) -> None:
        feeding = LogEntry.kind == LogKind.FEEDING.value
        in_month = and_(LogEntry.at >= start, LogEntry.at < end)
        for cid, m_feed, m_dead, t_feed in s.execute(
                select(LogEntry.cycle_id,
                       _sum(func.coalesce(LogEntry.feed_kg, 0.0), and_(feeding, in_month)),
                       _sum(func.coalesce(LogEntry.dead_count, 0),
                            and_(LogEntry.kind == LogKind.MORTALITY.value, in_month)),
                       _sum(func.coalesce(LogEntry.feed_kg, 0.0), feeding))
                .where(LogEntry.cycle_id.in_(ids), LogEntry.voided_at.is_(None))
                .group_by(LogEntry.cycle_id)):
            c = found[cid]
            found[cid] = replace(c, month_feed_kg=float(m_feed), month_dead=int(m_dead),
                                  total_feed_kg=float(t_feed))
        h_month = and_(Harvest.at >= start, Harvest.at < end)
        for cid, m_kg, m_rev, t_kg, t_count in s.execute(
                select(Harvest.cycle_id, _sum(Harvest.kg, h_month),
                       _sum(Harvest.kg * Harvest.price_per_kg_rp, h_month),
                       func.sum(Harvest.kg), func.sum(Harvest.count))
                .where(Harvest.cycle_id.in_(ids), Harvest.voided_at.is_(None))
                .group_by(Harvest.cycle_id)):
            c = found[cid]
            found[cid] = replace(c, month_harvest_kg=float(m_kg), month_revenue_rp=float(m_rev),
                                  total_harvest_kg=float(t_kg), total_harvest_count=int(t_count))
        for cid, m_cost in s.execute(
                select(Cost.cycle_id, func.sum(Cost.amount_rp))
                .where(Cost.cycle_id.in_(ids), Cost.voided_at.is_(None), Cost.at >= start,
                       Cost.at < end)
                .group_by(Cost.cycle_id)):
            c = found[cid]
            found[cid] = replace(c, month_costs_rp=c.month_costs_rp + float(m_cost))

