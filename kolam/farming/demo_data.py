"""Fictional farming records for ``kolam demo``: teams, cycles, logs, harvests, costs.

Everything here is invented and says so: members are aliases with DEMO registration
numbers, no names. The numbers follow DOMAIN.md (seed 2–3 g, 0.2–0.4 %/day deaths,
feeding by the table, SGR falling from 8 to 5 %/day, Rp 380,000 per 30 kg sack,
Rp 20,000–25,000/kg at the farm gate) so that every KPI and report looks true.
The simulated water is in its optimal band by day, so feeding follows the table; the
KPIs halve today's ration if the live water turns cold or short of oxygen.
"""

from __future__ import annotations

import math

import numpy as np

from kolam.business.demo import seed_business
from kolam.farming.kpi import DAY_MS, feeding_rate_pct
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import (
    CostCategory,
    CycleInfo,
    HarvestInfo,
    LogKind,
    MemberInfo,
    NewCost,
    NewCycle,
    NewHarvest,
    NewLog,
    NewMember,
    NewTeam,
    Programme,
)
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams

HOUR_MS = 3_600_000
FEED_PRICE_RP_PER_KG = 380_000 / 30  # DOMAIN.md: about Rp 380,000 per 30 kg sack
SEED_PRICE_RP = 300  # DOMAIN.md: about Rp 300 per seed
KEPT_KG = 30.0
"""Of the entrepreneurship team's harvest, kept to make kerupuk kulit (kolam.business.demo)."""
RECORDER = "demo-officer"


def _abw(day: float, w0: float) -> float:
    """Weight after ``day`` days with SGR falling from 8 to 5 %/day over 60 days (DOMAIN.md)."""
    d = min(day, 60.0)
    return w0 * math.exp(0.08 * d - 0.00025 * d * d + 0.05 * max(0.0, day - 60.0))


def _midnight_wib(t_ms: int) -> int:
    """The last 00:00 WIB before ``t_ms``."""
    return (t_ms + 7 * HOUR_MS) // DAY_MS * DAY_MS - 7 * HOUR_MS


def _grow(entries: Entries, site: str, c: CycleInfo, members: list[MemberInfo], days: int,
          rng: np.random.Generator, until_ms: int) -> int:
    """Daily logs for ``days`` days after stocking (none after ``until_ms``);
    returns the fish still alive."""
    alive = c.seed_count
    for d in range(days):
        day0 = _midnight_wib(c.stocked_at) + (d + 1) * DAY_MS
        if day0 + 10 * HOUR_MS > until_ms:
            break
        who = members[d % len(members)].id
        abw = _abw(d, c.seed_weight_g)
        kg = round(alive * abw / 1000 * feeding_rate_pct(abw) / 100, 2)
        entries.add_log(site, c.id, NewLog(LogKind.FEEDING, day0 + 8 * HOUR_MS, who,
                                           feed_kg=kg, feed_type="pelet apung", protein_pct=31),
                        RECORDER)
        dead = int(rng.poisson(alive * 0.002))
        if dead:
            alive -= dead
            entries.add_log(site, c.id, NewLog(LogKind.MORTALITY, day0 + 7 * HOUR_MS, who,
                                               dead_count=dead), RECORDER)
        if d % 7 == 6:
            n = 30
            grams = round(n * _abw(d, c.seed_weight_g) * float(rng.normal(1.0, 0.03)), 1)
            entries.add_log(site, c.id, NewLog(LogKind.SAMPLING, day0 + 9 * HOUR_MS, who,
                                               sample_count=n, sample_weight_g=grams), RECORDER)
            entries.add_log(site, c.id, NewLog(
                LogKind.MEASUREMENT, day0 + 9 * HOUR_MS, who, metric="ph",
                value=round(float(rng.normal(7.3, 0.1)), 2)), RECORDER)
        if d % 10 == 9:
            entries.add_log(site, c.id, NewLog(LogKind.WATER_EXCHANGE, day0 + 10 * HOUR_MS, who,
                                               exchange_pct=20), RECORDER)
    return alive


def _add_members(teams: Teams, site: str, team_id: int, prefix: str, n: int,
                 joined: int) -> list[MemberInfo]:
    return [teams.add_member(site, team_id, NewMember(f"DEMO-{prefix}{i:03d}",
                                                      f"Anggota {prefix}{i}", joined))
            for i in range(1, n + 1)]


def _first_business_cycle(cycles: Cycles, entries: Entries, site: str, pond: str, team: int,
                          crew: list[MemberInfo], now_ms: int, seed: int
                          ) -> tuple[list[CycleInfo], HarvestInfo]:
    """The entrepreneurship team's finished cycle and the harvest it kept to process."""
    stocked = _midnight_wib(now_ms) - 95 * DAY_MS + 8 * HOUR_MS
    c = cycles.start(site, pond, NewCycle(team, stocked, 2000, 2.0, 6.0,
                                          "UPR Lele Serang (fiktif)", 2000 * SEED_PRICE_RP))
    alive = _grow(entries, site, c, crew, 62, np.random.default_rng(seed), now_ms)
    at, grade = stocked + 62 * DAY_MS + 2 * HOUR_MS, round(1000 / _abw(62, 2.0), 1)
    kept = entries.add_harvest(site, c.id, NewHarvest(
        at, KEPT_KG, False, grade, None, "", 0.0, (crew[0].id, crew[1].id)), RECORDER)
    count = int((alive - kept.count) * 0.97)  # a few losses nobody saw
    entries.add_harvest(site, c.id, NewHarvest(
        at + HOUR_MS, round(count * _abw(62, 2.0) / 1000, 1), True, None, count,
        "pengepul lokal (fiktif)", 21_000, tuple(m.id for m in crew)), RECORDER)
    feed = sum(e.feed_kg or 0 for e in cycles.records(site, c.id).logs)
    sacks = math.ceil(feed / 30)
    for i in range(sacks):  # a sack bought as the last ran out, spread over the cycle
        entries.add_cost(site, c.id, NewCost(stocked + i * 62 * DAY_MS // sacks,
                                             CostCategory.FEED, 380_000, "pakan 30 kg"),
                         RECORDER)
    return [c], kept


def seed_demo_data(registry: Registry, site: str, ponds: list[str], now_ms: int,
                   seed: int = 7) -> bool:
    """Seed the site once; returns False (and changes nothing) if it already has teams."""
    teams, cycles, entries = (Teams(registry.engine), Cycles(registry.engine),
                              Entries(registry.engine))
    if teams.teams(site):
        return False
    rng = np.random.default_rng(seed)
    start = _midnight_wib(now_ms) - 130 * DAY_MS
    team_a = teams.add_team(site, NewTeam("Kelompok Lele Mandiri (fiktif)",
                                          Programme.LELE_GROWOUT, start,
                                          ("Instruktur Dinas Perikanan (fiktif)",)))
    team_b = teams.add_team(site, NewTeam("Kelompok Usaha Lele (fiktif)",
                                          Programme.ENTREPRENEURSHIP, start,
                                          ("Instruktur UMKM (fiktif)",)))
    members = {team_a.id: _add_members(teams, site, team_a.id, "A", 5, start),
               team_b.id: _add_members(teams, site, team_b.id, "B", 4, start)}

    # A finished cycle on the first pond: stocked 100 days ago, harvested over days 50–60.
    stocked = _midnight_wib(now_ms) - 100 * DAY_MS + 8 * HOUR_MS
    done = cycles.start(site, ponds[0], NewCycle(team_a.id, stocked, 2000, 2.0, 6.0,
                                                 "UPR Lele Serang (fiktif)",
                                                 2000 * SEED_PRICE_RP))
    crew = members[team_a.id]
    alive = _grow(entries, site, done, crew, 60, rng, now_ms)
    grade = 1000 / _abw(50, 2.0)
    partial = entries.add_harvest(site, done.id, NewHarvest(
        stocked + 50 * DAY_MS + 2 * HOUR_MS, round(300 / grade, 1), False, round(grade, 1),
        None, "pengunjung dan petugas", 22_000, (crew[0].id, crew[1].id)), RECORDER)
    alive -= partial.count
    final_count = int(alive * 0.97)  # a few losses nobody saw
    entries.add_harvest(site, done.id, NewHarvest(
        stocked + 60 * DAY_MS + 2 * HOUR_MS, round(final_count * _abw(60, 2.0) / 1000, 1), True,
        None, final_count, "pengepul lokal (fiktif)", 21_000, tuple(m.id for m in crew)),
        RECORDER)
    feed = sum(e.feed_kg or 0 for e in cycles.records(site, done.id).logs)
    for i in range(math.ceil(feed / 30)):
        entries.add_cost(site, done.id, NewCost(stocked + i * 7 * DAY_MS, CostCategory.FEED,
                                                380_000, "pakan 30 kg"), RECORDER)
    entries.add_cost(site, done.id, NewCost(stocked, CostCategory.OTHER, 150_000,
                                            "jaring dan ember"), RECORDER)

    # The entrepreneurship team's first cycle, on the second pond: stocked 95 days ago and
    # harvested on day 62, KEPT_KG kept for its kerupuk kulit (kolam.business.demo), the
    # rest sold; the pond dried for three days before this cycle. A generator of its own
    # keeps every other cycle's numbers as they were.
    business_cycles: list[CycleInfo] = []
    kept: HarvestInfo | None = None
    if len(ponds) > 1:
        business_cycles, kept = _first_business_cycle(
            cycles, entries, site, ponds[1], team_b.id, members[team_b.id], now_ms, seed + 1)
    # An active cycle on every pond, stocked 30 days ago, teams taking turns.
    for i, pond in enumerate(ponds):
        team = team_a if i % 2 == 0 else team_b
        stocked = _midnight_wib(now_ms) - 30 * DAY_MS + 8 * HOUR_MS
        count = int(rng.integers(15, 26)) * 100
        c = cycles.start(site, pond, NewCycle(team.id, stocked, count, 2.5, 6.0,
                                              "UPR Lele Serang (fiktif)",
                                              count * SEED_PRICE_RP))
        _grow(entries, site, c, members[team.id], 30, rng, now_ms)
        entries.add_cost(site, c.id, NewCost(stocked, CostCategory.FEED, 380_000,
                                             "pakan 30 kg"), RECORDER)
        if team is team_b:
            business_cycles.append(c)
    # The entrepreneurship team's business: four weeks of its cash book and stock card.
    seed_business(registry, site, team_b.id, members[team_b.id], business_cycles,
                  _midnight_wib(now_ms) - 28 * DAY_MS, now_ms, kept)
    return True
