"""A month of every team's cash book, summed in SQL: the national report's and the overview's
reader of the teams' business (issue #20 item 6).

A team's month summary (``kolam.business.book.month_summary``) loads every line of its book,
the typed entries and the money its farming records hold, and adds them up in Python. Across
the nation that is a few thousand books a month. These are the same sums, over the same rules:

- the book's lines are its typed entries and, derived, each stocking's seed cost (more than
  Rp 0), each cycle cost and each harvest sold (kg x price more than Rp 0), the voided ones
  left out (``kolam.business.book.derived_lines``);
- the month's money in and out: a reversal of an entry of the same month takes its amount off
  that entry's side; a reversal of an earlier month's entry counts the way it goes
  (``kolam.business.book._totals``); fish and product sales are their categories' money in;
- the opening balance is every line before the month, each the way it goes;
- packs made are the month's production batches; packs sold are the product sales that stand
  (neither a reversal nor reversed, even later) with a quantity, as the stock card counts
  them (``kolam.business.products.product_moves``).

A handful of grouped queries for any number of sites, which must share one month span (the
caller groups them by time zone). ``tests/api/test_national_business.py`` checks each
site's sums against its teams' ``GET .../cashbook/summary``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, select
from sqlalchemy.orm import Session, aliased

from kolam.business.records import CashCategory, Direction, TeamMonth
from kolam.registry.business_models import CashEntryRow, ProductBatchRow
from kolam.registry.farm_models import Cost, Cycle, Harvest, Team
from kolam.registry.models import Pond, Site


@dataclass(frozen=True, slots=True)
class TeamBusiness:
    """One team's month of business: its book's sums and its products made and sold."""

    team_id: int
    site: str
    team_name: str
    lines: int
    """Book lines dated in the month (typed and derived)."""
    opening_rp: float
    in_rp: float
    out_rp: float
    fish_sales_rp: float
    product_sales_rp: float
    packs_made: float
    packs_sold: float
    batches: int

    @property
    def profit_rp(self) -> float:
        return self.in_rp - self.out_rp

    @property
    def closing_rp(self) -> float:
        return self.opening_rp + self.in_rp - self.out_rp

    def team_month(self) -> TeamMonth:
        """The monthly report's line of the team."""
        return TeamMonth(self.team_id, self.team_name, self.in_rp, self.out_rp, self.profit_rp,
                         self.closing_rp, self.product_sales_rp, self.fish_sales_rp,
                         self.packs_made, self.packs_sold)


def _sum(expr: Any, when: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((when, expr), else_=0)), 0)


def _typed(sites: list[str], start: int, end: int) -> Select[Any]:
    """The typed entries' sums per team."""
    e, orig, later = CashEntryRow, aliased(CashEntryRow), aliased(CashEntryRow)
    inside = e.at >= start
    is_in = e.direction == Direction.IN.value
    # A reversal of an entry of the month takes the amount off that entry's side.
    netted = and_(orig.id.is_not(None), orig.at >= start, orig.at < end)
    in_part = case((and_(inside, is_in, not_(netted)), e.amount_rp),
                   (and_(inside, not_(is_in), netted), -e.amount_rp), else_=0)
    out_part = case((and_(inside, not_(is_in), not_(netted)), e.amount_rp),
                    (and_(inside, is_in, netted), -e.amount_rp), else_=0)
    sold = and_(inside, is_in, e.category == CashCategory.PRODUCT_SALES.value,
                e.product.is_not(None), e.product != "", e.reverses.is_(None),
                later.id.is_(None))
    return (select(Team.id, Site.slug, Team.name,
                   _sum(1, inside), _sum(case((is_in, e.amount_rp), else_=-e.amount_rp),
                                         not_(inside)),
                   func.coalesce(func.sum(in_part), 0), func.coalesce(func.sum(out_part), 0),
                   _sum(in_part, e.category == CashCategory.FISH_SALES.value),
                   _sum(in_part, e.category == CashCategory.PRODUCT_SALES.value),
                   _sum(func.coalesce(e.quantity, 0.0), sold))
            .select_from(e).join(Team, Team.id == e.team_id).join(Site, Site.id == Team.site_id)
            .outerjoin(orig, and_(orig.id == e.reverses, orig.team_id == e.team_id))
            .outerjoin(later, later.reverses == e.id)
            .where(Site.slug.in_(sites), e.at < end)
            .group_by(Team.id, Site.slug, Team.name))


def _derived(at: Any, amount: Any, sites: list[str], start: int, end: int,
             *where: ColumnElement[bool]) -> Select[Any]:
    """Lines one farming table puts in the book, per team: count and sum in the month, sum
    before it. ``where`` narrows the rows (voided left out)."""
    inside = at >= start
    q = (select(Team.id, Site.slug, Team.name, _sum(1, inside), _sum(amount, inside),
                _sum(amount, not_(inside)))
         .select_from(Cycle).join(Pond, Pond.id == Cycle.pond_id)
         .join(Team, and_(Team.id == Cycle.team_id, Team.site_id == Pond.site_id))
         .join(Site, Site.id == Team.site_id))
    return q.where(Site.slug.in_(sites), at < end, *where).group_by(Team.id, Site.slug,
                                                                    Team.name)


def team_business(s: Session, sites: Iterable[str], start: int, end: int
                  ) -> list[TeamBusiness]:
    """Every team of ``sites`` with a book line or a batch before ``end``, its month
    [start, end); by site, then team name."""
    slugs = list(sites)
    found: dict[int, TeamBusiness] = {}

    def team(tid: int, site: str, name: str) -> TeamBusiness:
        return found.setdefault(tid, TeamBusiness(tid, site, name, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
                                                  0.0, 0.0, 0))

    for tid, site, name, n, before, in_rp, out_rp, fish, product, sold in s.execute(
            _typed(slugs, start, end)):
        t = team(tid, site, name)
        found[tid] = replace(t, lines=t.lines + int(n), opening_rp=t.opening_rp + float(before),
                             in_rp=t.in_rp + float(in_rp), out_rp=t.out_rp + float(out_rp),
                             fish_sales_rp=t.fish_sales_rp + float(fish),
                             product_sales_rp=t.product_sales_rp + float(product),
                             packs_sold=t.packs_sold + float(sold))
    sales = Harvest.kg * Harvest.price_per_kg_rp
    money_in = _derived(Harvest.at, sales, slugs, start, end, Harvest.voided_at.is_(None),
                        sales > 0).join(Harvest, Harvest.cycle_id == Cycle.id)
    costs = _derived(Cost.at, Cost.amount_rp, slugs, start, end,
                     Cost.voided_at.is_(None)).join(Cost, Cost.cycle_id == Cycle.id)
    seed = _derived(Cycle.stocked_at, Cycle.seed_cost_rp, slugs, start, end,
                    Cycle.seed_cost_rp > 0)
    for tid, site, name, n, month_rp, before in s.execute(money_in):
        t = team(tid, site, name)
        found[tid] = replace(t, lines=t.lines + int(n), opening_rp=t.opening_rp + float(before),
                             in_rp=t.in_rp + float(month_rp),
                             fish_sales_rp=t.fish_sales_rp + float(month_rp))
    for q in (costs, seed):
        for tid, site, name, n, month_rp, before in s.execute(q):
            t = team(tid, site, name)
            found[tid] = replace(t, lines=t.lines + int(n),
                                 opening_rp=t.opening_rp - float(before),
                                 out_rp=t.out_rp + float(month_rp))
    b = ProductBatchRow
    for tid, site, name, packs, n in s.execute(
            select(Team.id, Site.slug, Team.name, func.sum(b.packs), func.count())
            .select_from(b).join(Team, Team.id == b.team_id)
            .join(Site, Site.id == Team.site_id)
            .where(Site.slug.in_(slugs), b.at >= start, b.at < end)
            .group_by(Team.id, Site.slug, Team.name)):
        found[tid] = replace(team(tid, site, name), packs_made=float(packs), batches=int(n))
    return sorted(found.values(), key=lambda t: (t.site, t.team_name, t.team_id))
