"""KPIs of a cycle (with today's feed and the water compliance) and of a team."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import SiteUser
from api.deps import CyclesDep, RegistryDep, StoreDep, TeamsDep
from api.farm_schemas import public
from api.kpi_schemas import CycleKpisPublic, TeamKpisPublic
from kolam.farming.kpi import cycle_kpis, team_kpis
from kolam.farming.water import compliance, water_now
from kolam.timeutil import now_ms

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["kpis"])


@router.get("/cycles/{cycle}/kpis", response_model=CycleKpisPublic,
            summary="Live count, biomass, survival, FCR, SGR, ADG, today's feed, projection")
def get_cycle_kpis(site: str, cycle: int, _: SiteUser, cycles: CyclesDep,
                   store: StoreDep, registry: RegistryDep) -> CycleKpisPublic:
    now = now_ms()
    records = cycles.records(site, cycle)
    c = records.cycle
    temp, do = water_now(store, site, c.pond) if c.active else (None, None)
    pond = registry.pond(site, c.pond)
    k = cycle_kpis(records, now, temp, do, pond.area_m2, pond.depth_cm)
    return public(k, CycleKpisPublic, water_now={"temp_c": temp, "do_mgl": do},
                  water_compliance_pct=compliance(store, site, c.pond, c.stocked_at,
                                                  c.ended_at or now))


@router.get("/teams/{team}/kpis", response_model=TeamKpisPublic,
            summary="A team's totals over its cycles (survival and FCR of completed ones)")
def get_team_kpis(site: str, team: int, _: SiteUser, teams: TeamsDep,
                  cycles: CyclesDep) -> TeamKpisPublic:
    teams.team(site, team)
    now = now_ms()
    found = [cycle_kpis(cycles.records(site, c.id), now)
             for c in cycles.cycles(site, team_id=team)]
    return public(team_kpis(found), TeamKpisPublic, team_id=team)
