"""Daily logs, harvests and costs of a cycle, each checked against what is possible."""

from __future__ import annotations

import math

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kolam.catalogue import METRICS
from kolam.errors import NotFound
from kolam.farming import plausible
from kolam.farming.growth import DAY_MS, estimate_weight
from kolam.farming.kpi import feeding_rate_pct
from kolam.registry.cycles import (
    FUTURE_SLACK_MS,
    cost_info,
    cycle_row,
    harvest_info,
    log_info,
)
from kolam.registry.db import session_factory
from kolam.registry.farm_models import Cost, Cycle, Harvest, LogEntry, Member, Team
from kolam.registry.fields import columns
from kolam.registry.models import Pond, Site
from kolam.registry.records import (
    CostInfo,
    HarvestInfo,
    Implausible,
    InvalidRecord,
    LogInfo,
    LogKind,
    NewCost,
    NewHarvest,
    NewLog,
)
from kolam.timeutil import WIB, from_ms, iso, now_ms

FINAL_HARVEST = "final harvest"
"""The end reason of a cycle ended by its final harvest (a voided one reopens it)."""

# Fields each kind of log must carry; the others must stay empty.
REQUIRED: dict[LogKind, tuple[str, ...]] = {
    LogKind.FEEDING: ("feed_kg",),
    LogKind.MORTALITY: ("dead_count",),
    LogKind.SAMPLING: ("sample_count", "sample_weight_g"),
    LogKind.WATER_EXCHANGE: ("exchange_pct",),
    LogKind.TREATMENT: ("treatment",),
    LogKind.MEASUREMENT: ("metric", "value"),
    LogKind.NOTE: ("note",),
}


def wib_text(t_ms: int) -> str:
    """A time as the pages write it (``24-11-2026 14:25``, WIB), for error messages."""
    return from_ms(t_ms).astimezone(WIB).strftime("%d-%m-%Y %H:%M")


def _check_within(c: Cycle, at: int, what: str) -> None:
    end = c.ended_at if c.ended_at is not None else now_ms() + FUTURE_SLACK_MS
    if not c.stocked_at <= at <= end:
        until = iso(c.ended_at) if c.ended_at is not None else "now"
        raise InvalidRecord(f"{what} dated {iso(at)} is outside cycle {c.id} "
                            f"(stocked {iso(c.stocked_at)}, until {until})",
                            key="outside_cycle", at=wib_text(at), stocked=wib_text(c.stocked_at),
                            until=wib_text(c.ended_at) if c.ended_at is not None else "—")


def _check_open(c: Cycle, what: str) -> None:
    if c.ended_at is not None:
        raise InvalidRecord(f"cycle {c.id} ended {iso(c.ended_at)}: no more {what} on it",
                            key="cycle_ended")


def _check_log(new: NewLog) -> None:
    missing = [f for f in REQUIRED[new.kind] if getattr(new, f) in (None, "")]
    if missing:
        raise InvalidRecord(f"a {new.kind.value} log needs {', '.join(missing)}")
    for name in ("feed_kg", "protein_pct", "dead_count", "sample_count", "sample_weight_g",
                 "exchange_pct"):
        value = getattr(new, name)
        if value is not None and (not math.isfinite(value) or value < 0):
            raise InvalidRecord(f"{name} cannot be negative (got {value})")
    if new.protein_pct is not None and new.protein_pct > 100:
        raise InvalidRecord("protein_pct is a percentage: 0–100")
    if new.exchange_pct is not None and new.exchange_pct > 100:
        raise InvalidRecord("exchange_pct is a percentage of the pond volume: 0–100")
    if new.kind is LogKind.SAMPLING and (new.sample_count or 0) < 1:
        raise InvalidRecord("a sampling needs at least 1 fish")
    if new.kind is LogKind.SAMPLING and (new.sample_weight_g or 0) <= 0:
        raise InvalidRecord("a sampling needs the total weight of the fish, more than 0 g")
    if new.kind is LogKind.MORTALITY and (new.dead_count or 0) < 1:
        raise InvalidRecord("a mortality log counts at least 1 dead fish")
    if new.kind is LogKind.MEASUREMENT:
        metric = METRICS.get(new.metric or "")
        if metric is None or metric.derived:
            raise InvalidRecord(f"unknown metric {new.metric!r}; measured metrics: "
                                f"{', '.join(k for k, m in METRICS.items() if not m.derived)}")
        assert new.value is not None
        if not metric.valid.contains(new.value):
            raise InvalidRecord(f"{metric.key} = {new.value} {metric.unit} is outside the "
                                f"possible {metric.valid.low}–{metric.valid.high}")


def _team_member_ids(s: Session, c: Cycle, member_ids: tuple[int, ...]) -> list[Member]:
    members = list(s.scalars(select(Member).where(Member.id.in_(member_ids),
                                                  Member.team_id == c.team_id)))
    unknown = sorted(set(member_ids) - {m.id for m in members})
    if unknown:
        raise InvalidRecord(f"members {unknown} are not in the team farming cycle {c.id}",
                            key="not_team_members", ids=", ".join(map(str, unknown)))
    return members


def alive(s: Session, c: Cycle) -> tuple[int, int, int]:
    """(alive, dead, harvested) fish by the records: stocked − recorded deaths − harvests."""
    dead = s.scalar(select(func.coalesce(func.sum(LogEntry.dead_count), 0))
                    .where(LogEntry.cycle_id == c.id, LogEntry.voided_at.is_(None))) or 0
    harvested = s.scalar(select(func.coalesce(func.sum(Harvest.count), 0))
                         .where(Harvest.cycle_id == c.id, Harvest.voided_at.is_(None))) or 0
    return c.seed_count - int(dead) - int(harvested), int(dead), int(harvested)


def abw_estimate_g(s: Session, c: Cycle, at: int) -> float:
    """Average body weight at ``at``: the samplings made by then, grown to that day by
    the cycle's growth curve (``kolam.farming.growth``), else the seed weight grown by the prior.
    The newest sampling alone would be up to two weeks stale and derive too many fish."""
    rows = s.execute(select(LogEntry.at, LogEntry.sample_weight_g, LogEntry.sample_count)
                     .where(LogEntry.cycle_id == c.id, LogEntry.kind == LogKind.SAMPLING.value,
                            LogEntry.at <= at, LogEntry.voided_at.is_(None))).all()
    obs = [((t - c.stocked_at) / DAY_MS, float(g) / int(n)) for t, g, n in rows if g and n]
    return estimate_weight(c.seed_weight_g, [d for d, _ in obs], [w for _, w in obs],
                           max(0.0, (at - c.stocked_at) / DAY_MS)).abw_g


def _previous_abw(s: Session, c: Cycle, at: int) -> tuple[float, int]:
    """The newest measured average weight before ``at`` and when: the newest sampling,
    else the seed weight at stocking."""
    row = s.execute(select(LogEntry.at, LogEntry.sample_weight_g, LogEntry.sample_count)
                    .where(LogEntry.cycle_id == c.id, LogEntry.kind == LogKind.SAMPLING.value,
                           LogEntry.at <= at, LogEntry.sample_count > 0,
                           LogEntry.voided_at.is_(None))
                    .order_by(LogEntry.at.desc(), LogEntry.id.desc()).limit(1)).first()
    if row is None or not row[1] or not row[2]:
        return c.seed_weight_g, c.stocked_at
    return float(row[1]) / row[2], int(row[0])


def _wib_day(at: int) -> tuple[int, int]:
    start = at - (at + 7 * 3_600_000) % DAY_MS
    return start, start + DAY_MS


def _doubt(s: Session, c: Cycle, new: NewLog) -> InvalidRecord | None:
    """Why this log is implausible for this pond (``kolam.farming.plausible``), if it is."""
    if new.kind is LogKind.FEEDING and new.feed_kg:
        start, end = _wib_day(new.at)
        before = s.scalar(select(func.coalesce(func.sum(LogEntry.feed_kg), 0.0))
                          .where(LogEntry.cycle_id == c.id, LogEntry.at >= start,
                                 LogEntry.at < end, LogEntry.voided_at.is_(None))) or 0.0
        n_alive = alive(s, c)[0]
        abw = abw_estimate_g(s, c, new.at)
        return plausible.check_feed(new.feed_kg, float(before), n_alive * abw / 1000,
                                    feeding_rate_pct(abw))
    if new.kind is LogKind.MORTALITY and new.dead_count:
        return plausible.check_mortality(new.dead_count, alive(s, c)[0])
    if new.kind is LogKind.SAMPLING and new.sample_count and new.sample_weight_g:
        prev, prev_at = _previous_abw(s, c, new.at)
        return plausible.check_sampling(new.sample_count, new.sample_weight_g, alive(s, c)[0],
                                        prev, (new.at - prev_at) / DAY_MS)
    if new.kind is LogKind.WATER_EXCHANGE and new.exchange_pct:
        return plausible.check_exchange(new.exchange_pct)
    return None


def _check_plausible(doubt: InvalidRecord | None, confirmed: bool) -> None:
    if doubt is not None and not (confirmed and isinstance(doubt, Implausible)):
        raise doubt


def insert_log(s: Session, c: Cycle, new: NewLog, by: str, confirmed: bool,
               replaces: int | None = None) -> LogEntry:
    """Check and add a log to cycle ``c`` in session ``s`` (``replaces``: the voided log
    it corrects)."""
    _check_log(new)
    _check_within(c, new.at, f"the {new.kind.value} log")
    ids = tuple(dict.fromkeys(((new.member_id,) if new.member_id is not None else ())
                              + new.member_ids))
    members = _team_member_ids(s, c, ids)
    if new.kind is LogKind.MORTALITY:
        n_alive, dead, harvested = alive(s, c)
        if (new.dead_count or 0) > n_alive:
            raise InvalidRecord(
                f"{new.dead_count} dead is more than the {n_alive} fish alive "
                f"(stocked {c.seed_count}, {dead} dead, {harvested} harvested)",
                key="more_dead_than_alive", dead=new.dead_count or 0, alive=n_alive,
                stocked=c.seed_count, died=dead, harvested=harvested)
    _check_plausible(_doubt(s, c, new), confirmed)
    e = LogEntry(**columns(new, leave=("member_id", "member_ids")), cycle_id=c.id,
                 member_id=ids[0] if ids else None, recorded_by=by, created_at=now_ms(),
                 replaces_id=replaces,
                 members=sorted(members, key=lambda m: ids.index(m.id)))
    s.add(e)
    s.flush()
    return e


def insert_harvest(s: Session, c: Cycle, new: NewHarvest, by: str, confirmed: bool,
                   replaces: int | None = None) -> Harvest:
    """Check and add a harvest to the open cycle ``c``; a final one ends it.

    Without a counted number of fish, the count is derived from the size grade
    (kg × fish/kg), else from the estimated average body weight on the harvest day
    (kg ÷ ABW). A final harvest takes every fish left: a derived count above the fish
    alive is an error of the estimate, and becomes the number alive.
    """
    if not math.isfinite(new.kg) or new.kg <= 0:
        raise InvalidRecord(f"harvest weight must be more than 0 kg (got {new.kg})")
    if new.fish_per_kg is not None and new.fish_per_kg <= 0:
        raise InvalidRecord("size grade must be more than 0 fish/kg")
    if new.count is not None and new.count < 1:
        raise InvalidRecord("a harvest count must be at least 1 fish")
    if new.price_per_kg_rp < 0:
        raise InvalidRecord("price per kg cannot be negative")
    _check_within(c, new.at, "the harvest")
    members = _team_member_ids(s, c, new.member_ids)
    if new.count is not None:
        count = new.count
    elif new.fish_per_kg is not None:
        count = round(new.kg * new.fish_per_kg)
    else:
        count = round(new.kg * 1000 / abw_estimate_g(s, c, new.at))
    n_alive, dead, harvested = alive(s, c)
    if count > n_alive and new.final and new.count is None and n_alive > 0:
        count = n_alive
    if count > n_alive:
        how = "counted" if new.count is not None else (
            "derived from the weight: give the count or the size grade")
        raise InvalidRecord(
            f"harvest of {count} fish ({how}) is more than the {n_alive} alive "
            f"(stocked {c.seed_count}, {dead} dead, {harvested} harvested)",
            key="harvest_too_many", count=count, alive=n_alive)
    _check_plausible(plausible.check_price(new.price_per_kg_rp), confirmed)
    _check_plausible(plausible.check_harvest_kg(
        new.kg, n_alive * abw_estimate_g(s, c, new.at) / 1000), confirmed)
    h = Harvest(**columns(new, leave=("count", "member_ids")), cycle_id=c.id,
                count=count, count_measured=new.count is not None, recorded_by=by,
                created_at=now_ms(), members=members, replaces_id=replaces)
    s.add(h)
    if new.final:
        c.ended_at, c.end_reason = new.at, FINAL_HARVEST
    s.flush()
    return h


def log_row(s: Session, site: str, log_id: int) -> LogEntry:
    row = s.scalar(select(LogEntry).join(Cycle).join(Pond).join(Site)
                   .where(Site.slug == site, LogEntry.id == log_id))
    if row is None:
        raise NotFound(f"no log {log_id} at site {site!r}")
    return row


def harvest_row(s: Session, site: str, harvest_id: int) -> Harvest:
    row = s.scalar(select(Harvest).join(Cycle).join(Pond).join(Site)
                   .where(Site.slug == site, Harvest.id == harvest_id))
    if row is None:
        raise NotFound(f"no harvest {harvest_id} at site {site!r}")
    return row


class Entries:
    """Adds and lists the records of a cycle; every lookup is scoped to a site."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def add_log(self, site: str, cycle_id: int, new: NewLog, by: str, *,
                confirmed: bool = False) -> LogInfo:
        """Record a daily log; an implausible one (``kolam.farming.plausible``) only
        ``confirmed``. A log whose ``client_id`` is stored already is that log (a resent
        kiosk log from the gateway is applied once)."""
        if new.client_id is not None:
            found = self.by_client_id(new.client_id)
            if found is not None:
                return found
        try:
            with self._sessions() as s, s.begin():
                return log_info(insert_log(s, cycle_row(s, site, cycle_id), new, by, confirmed))
        except IntegrityError:
            # Another ingest process stored the same client id in between.
            found = self.by_client_id(new.client_id) if new.client_id is not None else None
            if found is None:
                raise
            return found

    def by_client_id(self, client_id: str) -> LogInfo | None:
        with self._sessions() as s:
            row = s.scalar(select(LogEntry).where(LogEntry.client_id == client_id))
            return log_info(row) if row is not None else None

    def add_harvest(self, site: str, cycle_id: int, new: NewHarvest, by: str, *,
                    confirmed: bool = False) -> HarvestInfo:
        """Record a harvest; a final one ends the cycle at the harvest time. An implausible
        price or weight (``kolam.farming.plausible``) is stored only ``confirmed``; the count is
        derived as ``insert_harvest`` says."""
        with self._sessions() as s, s.begin():
            c = cycle_row(s, site, cycle_id)
            _check_open(c, "harvests")
            return harvest_info(insert_harvest(s, c, new, by, confirmed))

    def add_cost(self, site: str, cycle_id: int, new: NewCost, by: str) -> CostInfo:
        if not math.isfinite(new.amount_rp) or new.amount_rp <= 0:
            raise InvalidRecord(f"a cost must be more than Rp 0 (got {new.amount_rp})")
        with self._sessions() as s, s.begin():
            c = cycle_row(s, site, cycle_id)
            cost = Cost(**columns(new), cycle_id=c.id, recorded_by=by, created_at=now_ms())
            s.add(cost)
            s.flush()
            return cost_info(cost)

    def log(self, site: str, log_id: int) -> LogInfo:
        """One log of a cycle at ``site``, or ``NotFound``."""
        with self._sessions() as s:
            return log_info(log_row(s, site, log_id))

    def harvest(self, site: str, harvest_id: int) -> HarvestInfo:
        """One harvest at ``site``, or ``NotFound``."""
        with self._sessions() as s:
            return harvest_info(harvest_row(s, site, harvest_id))

    def member_logs(self, site: str, member_id: int) -> list[LogInfo]:
        with self._sessions() as s:
            q = (select(LogEntry).join(LogEntry.members).join(Team).join(Site)
                 .where(Site.slug == site, Member.id == member_id,
                        LogEntry.voided_at.is_(None)).order_by(LogEntry.at))
            return [log_info(e) for e in s.scalars(q)]

    def member_harvests(self, site: str, member_id: int) -> list[HarvestInfo]:
        with self._sessions() as s:
            q = (select(Harvest).join(Harvest.members).join(Team).join(Site)
                 .where(Site.slug == site, Member.id == member_id,
                        Harvest.voided_at.is_(None)).order_by(Harvest.at))
            return [harvest_info(h) for h in s.scalars(q)]
