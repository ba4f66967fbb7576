"""Grow-out cycles: ``/api/v1/sites/{site}/ponds/{pond}/cycles`` to stock a pond,
``/api/v1/sites/{site}/cycles[/{cycle}]`` to read and end them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import SiteUser, SiteWriter
from api.deps import CyclesDep, UsersDep
from api.farm_schemas import CycleCreate, CycleEnd, CyclePublic, ms, new_record, public
from kolam.registry.records import CycleInfo, NewCycle

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["cycles"])


def cycle_public(c: CycleInfo) -> CyclePublic:
    return public(c, CyclePublic, active=c.active)


@router.get("/ponds/{pond}/cycles", response_model=list[CyclePublic],
            summary="Cycles of a pond, newest first")
def list_pond_cycles(site: str, pond: str, _: SiteUser, cycles: CyclesDep) -> list[CyclePublic]:
    return [cycle_public(c) for c in cycles.cycles(site, pond=pond)]


@router.post("/ponds/{pond}/cycles", response_model=CyclePublic, status_code=201,
             summary="Stock a pond: start a cycle (one active cycle per pond)")
def start_cycle(site: str, pond: str, body: CycleCreate, user: SiteWriter, cycles: CyclesDep,
                users: UsersDep) -> CyclePublic:
    c = cycles.start(site, pond, new_record(body, NewCycle))
    users.audit(user.username, "create", "cycle", c.id, site, f"pond {pond}")
    return cycle_public(c)


@router.get("/cycles", response_model=list[CyclePublic], summary="Cycles of a site")
def list_cycles(site: str, _: SiteUser, cycles: CyclesDep,
                active: Annotated[bool | None, Query(description="Only active (or ended)")] = None,
                team: Annotated[int | None, Query(description="Only this team's")] = None,
                ) -> list[CyclePublic]:
    return [cycle_public(c) for c in cycles.cycles(site, active=active, team_id=team)]


@router.get("/cycles/{cycle}", response_model=CyclePublic, summary="One cycle")
def get_cycle(site: str, cycle: int, _: SiteUser, cycles: CyclesDep) -> CyclePublic:
    return cycle_public(cycles.cycle(site, cycle))


@router.post("/cycles/{cycle}/end", response_model=CyclePublic,
             summary="End a cycle without a final harvest (total loss, repairs)")
def end_cycle(site: str, cycle: int, body: CycleEnd, user: SiteWriter, cycles: CyclesDep,
              users: UsersDep) -> CyclePublic:
    c = cycles.end(site, cycle, ms(body.at), body.reason)
    users.audit(user.username, "update", "cycle", cycle, site, f"ended: {body.reason}")
    return cycle_public(c)
