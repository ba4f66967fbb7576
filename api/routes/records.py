"""Daily logs, harvests and costs of a cycle: ``/api/v1/sites/{site}/cycles/{cycle}/...``.

The kiosk may add feeding, mortality and note logs (attributed to the team, not a person).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import SiteLogger, SiteStaff, SiteUser, SiteWriter
from api.deps import CyclesDep, EntriesDep
from api.farm_schemas import (
    CostCreate,
    CostPublic,
    HarvestCreate,
    HarvestPublic,
    LogCreate,
    LogPublic,
    ms,
    public,
)
from kolam.auth import Forbidden, Role
from kolam.chemistry import as_nitrogen
from kolam.registry.records import InvalidRecord, LogKind, NewCost, NewHarvest, NewLog

router = APIRouter(prefix="/api/v1/sites/{site}/cycles/{cycle}", tags=["records"])

KIOSK_KINDS = frozenset({LogKind.FEEDING, LogKind.MORTALITY, LogKind.NOTE})


@router.get("/logs", response_model=list[LogPublic], summary="Daily logs, oldest first")
def list_logs(site: str, cycle: int, _: SiteUser, cycles: CyclesDep) -> list[LogPublic]:
    return [public(e, LogPublic) for e in cycles.records(site, cycle).logs]


@router.post("/logs", response_model=LogPublic, status_code=201, summary="Add a daily log")
def add_log(site: str, cycle: int, body: LogCreate, user: SiteLogger,
            entries: EntriesDep) -> LogPublic:
    if user.role is Role.KIOSK:
        if body.kind not in KIOSK_KINDS:
            raise Forbidden(f"the kiosk may add only {', '.join(sorted(KIOSK_KINDS))} logs")
        if body.member_id is not None:
            raise Forbidden("the kiosk records for the team, not for a named member")
    fields = body.model_dump(exclude={"at", "reported_as", "confirm"}) | {"at": ms(body.at)}
    if body.reported_as is not None:
        fields |= kit_reading_as_n(body.metric, body.value, body.reported_as, body.note)
    return public(entries.add_log(site, cycle, NewLog(**fields), user.username,
                                  confirmed=body.confirm), LogPublic)


def kit_reading_as_n(metric: str | None, value: float | None, reported_as: str,
                     note: str) -> dict[str, object]:
    """A test kit's TAN or nitrite reading as mg/L of N (what Kolam stores), with the
    reading as entered kept at the start of the note."""
    if metric is None or value is None:
        raise InvalidRecord("reported_as goes with a manual measurement's metric and value")
    try:
        n = as_nitrogen(metric, value, reported_as)
    except ValueError as exc:
        raise InvalidRecord(str(exc)) from exc
    if reported_as == "N":
        return {}
    kept = f"test kit: {value:g} mg/L as {reported_as} = {n:.3g} mg/L as N"
    return {"value": round(n, 4), "note": (f"{kept}; {note}" if note else kept)[:2000]}


@router.get("/harvests", response_model=list[HarvestPublic], summary="Harvests, oldest first")
def list_harvests(site: str, cycle: int, _: SiteUser, cycles: CyclesDep) -> list[HarvestPublic]:
    return [public(h, HarvestPublic) for h in cycles.records(site, cycle).harvests]


@router.post("/harvests", response_model=HarvestPublic, status_code=201,
             summary="Record a partial or final harvest (the final one ends the cycle)")
def add_harvest(site: str, cycle: int, body: HarvestCreate, user: SiteWriter,
                entries: EntriesDep) -> HarvestPublic:
    new = NewHarvest(ms(body.at), body.kg, body.final, body.fish_per_kg, body.count,
                     body.buyer, body.price_per_kg_rp, tuple(body.member_ids))
    return public(entries.add_harvest(site, cycle, new, user.username,
                                      confirmed=body.confirm), HarvestPublic)


@router.get("/costs", response_model=list[CostPublic], summary="Costs, oldest first")
def list_costs(site: str, cycle: int, _: SiteStaff, cycles: CyclesDep) -> list[CostPublic]:
    return [public(c, CostPublic) for c in cycles.records(site, cycle).costs]


@router.post("/costs", response_model=CostPublic, status_code=201, summary="Record a cost")
def add_cost(site: str, cycle: int, body: CostCreate, user: SiteWriter,
             entries: EntriesDep) -> CostPublic:
    new = NewCost(ms(body.at), body.category, body.amount_rp, body.description)
    return public(entries.add_cost(site, cycle, new, user.username), CostPublic)
