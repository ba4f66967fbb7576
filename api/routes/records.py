"""Daily logs, harvests and costs of a cycle: ``/api/v1/sites/{site}/cycles/{cycle}/...``.

The kiosk may add feeding, mortality and note logs, naming the members of the pond's team
who did the work, and undo (void) what it recorded in the last ``KIOSK_UNDO_MS``.
Corrections (``PATCH``) and voids (``DELETE ...?reason=``) keep the wrong record, voided,
in the history (``?include_voided=true``) and in the audit log; the KPIs skip it.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import SiteLogger, SiteStaff, SiteUser, SiteWriter
from api.deps import CorrectionsDep, CyclesDep, EntriesDep, UsersDep
from api.farm_schemas import (
    CostCorrection,
    CostCreate,
    CostPublic,
    HarvestCorrection,
    HarvestCreate,
    HarvestPublic,
    LogCorrection,
    LogCreate,
    LogPublic,
    ms,
    new_record,
    public,
)
from kolam.errors import NotFound
from kolam.registry.records import (
    CostInfo,
    InvalidRecord,
    LogKind,
    NewCost,
    NewHarvest,
    NewLog,
)
from kolam.registry.users import Users
from kolam.science.chemistry import as_nitrogen
from kolam.security.auth import Forbidden, Role
from kolam.timeutil import iso, now_ms

router = APIRouter(prefix="/api/v1/sites/{site}/cycles/{cycle}", tags=["records"])

KIOSK_KINDS = frozenset({LogKind.FEEDING, LogKind.MORTALITY, LogKind.NOTE})


VoidedToo = Annotated[bool, Query(description="Also the voided records (the history)")]
WhyVoid = Annotated[str, Query(min_length=1, max_length=200, description="Why it is wrong")]
KIOSK_UNDO_MS = 30 * 60_000
"""How long the kiosk may undo a log it recorded: a slip seen on the echo, not a review."""


@router.get("/logs", response_model=list[LogPublic], summary="Daily logs, oldest first")
def list_logs(site: str, cycle: int, _: SiteUser, cycles: CyclesDep,
              include_voided: VoidedToo = False) -> list[LogPublic]:
    return [public(e, LogPublic)
            for e in cycles.records(site, cycle, include_voided=include_voided).logs]


@router.post("/logs", response_model=LogPublic, status_code=201, summary="Add a daily log")
def add_log(site: str, cycle: int, body: LogCreate, user: SiteLogger,
            entries: EntriesDep) -> LogPublic:
    if user.role is Role.KIOSK and body.kind not in KIOSK_KINDS:
        raise Forbidden(f"the kiosk may add only {', '.join(sorted(KIOSK_KINDS))} logs")
    fields = body.model_dump(exclude={"at", "reported_as", "confirm"}) | {
        "at": ms(body.at), "member_ids": tuple(body.member_ids)}
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
def list_harvests(site: str, cycle: int, _: SiteUser, cycles: CyclesDep,
                  include_voided: VoidedToo = False) -> list[HarvestPublic]:
    return [public(h, HarvestPublic)
            for h in cycles.records(site, cycle, include_voided=include_voided).harvests]


@router.post("/harvests", response_model=HarvestPublic, status_code=201,
             summary="Record a partial or final harvest (the final one ends the cycle)")
def add_harvest(site: str, cycle: int, body: HarvestCreate, user: SiteWriter,
                entries: EntriesDep) -> HarvestPublic:
    new = new_record(body, NewHarvest)
    return public(entries.add_harvest(site, cycle, new, user.username,
                                      confirmed=body.confirm), HarvestPublic)


@router.get("/costs", response_model=list[CostPublic], summary="Costs, oldest first")
def list_costs(site: str, cycle: int, _: SiteStaff, cycles: CyclesDep,
               include_voided: VoidedToo = False) -> list[CostPublic]:
    return [public(c, CostPublic)
            for c in cycles.records(site, cycle, include_voided=include_voided).costs]


@router.post("/costs", response_model=CostPublic, status_code=201, summary="Record a cost")
def add_cost(site: str, cycle: int, body: CostCreate, user: SiteWriter,
             entries: EntriesDep) -> CostPublic:
    new = new_record(body, NewCost)
    return public(entries.add_cost(site, cycle, new, user.username), CostPublic)


def _in_cycle(record_cycle: int, cycle: int, what: str, ident: int) -> None:
    if record_cycle != cycle:
        raise NotFound(f"no {what} {ident} in cycle {cycle}")


def summary(info: object) -> str:
    """A record's values in a line, for the audit log: ``feed_kg=500, at=...``."""
    skip = {"id", "cycle_id", "recorded_by", "voided_at", "voided_by", "void_reason",
            "replaces_id", "count_measured"}
    fields = dataclasses.asdict(info) if dataclasses.is_dataclass(info) and not isinstance(
        info, type) else {}
    return ", ".join(f"{k}={iso(v) if k == 'at' else v}" for k, v in fields.items()
                     if k not in skip and v not in (None, "", (), []))


def audit_void(users: Users, by: str, what: str, record_id: int, site: str, reason: str,
               old: object) -> None:
    """The audit line of a voided record: why, and the record as it was."""
    users.audit(by, "void", what, record_id, site, f"{reason}; was {summary(old)}")


def audit_correction(users: Users, by: str, what: str, record_id: int, site: str,
                      reason: str, old: object, new: object | None) -> None:
    """The audit line of a correction: why, the record as it was and its replacement."""
    assert new is not None  # a correction always adds the corrected copy
    users.audit(by, "correct", what, record_id, site,
                f"{reason}; was {summary(old)}; now {what} {getattr(new, 'id', '?')}: "
                f"{summary(new)}")


@router.patch("/logs/{log}", response_model=LogPublic,
              summary="Correct a log: it is voided and a corrected copy added (audited)")
def correct_log(site: str, cycle: int, log: int, body: LogCorrection, user: SiteWriter,
                entries: EntriesDep, corrections: CorrectionsDep,
                users: UsersDep) -> LogPublic:
    old = entries.log(site, log)
    _in_cycle(old.cycle_id, cycle, "log", log)
    changes = body.model_dump(exclude_unset=True, exclude={"reason", "confirm"})
    if "at" in changes:
        changes["at"] = ms(body.at)
    if "member_ids" in changes:
        changes["member_ids"] = tuple(body.member_ids or ())
        changes.setdefault("member_id", None)
    base = {f.name: getattr(old, f.name) for f in dataclasses.fields(NewLog)}
    done = corrections.correct_log(site, log, NewLog(**(base | changes)), user.username,
                                   body.reason, confirmed=body.confirm)
    audit_correction(users, user.username, "log", log, site, body.reason, old, done.new)
    return public(done.new, LogPublic)


@router.delete("/logs/{log}", response_model=LogPublic,
               summary="Void a wrong log (kept in the history, no longer counted; audited)")
def void_log(site: str, cycle: int, log: int, reason: WhyVoid, user: SiteLogger,
             entries: EntriesDep, corrections: CorrectionsDep, users: UsersDep) -> LogPublic:
    old = entries.log(site, log)
    _in_cycle(old.cycle_id, cycle, "log", log)
    since = now_ms() - KIOSK_UNDO_MS if user.role is Role.KIOSK else None
    done = corrections.void_log(site, log, user.username, reason, own_since=since)
    audit_void(users, user.username, "log", log, site, reason, old)
    return public(done, LogPublic)


@router.patch("/harvests/{harvest}", response_model=HarvestPublic,
              summary="Correct a harvest: it is voided and a corrected copy added (audited)")
def correct_harvest(site: str, cycle: int, harvest: int, body: HarvestCorrection,
                    user: SiteWriter, entries: EntriesDep, corrections: CorrectionsDep,
                    users: UsersDep) -> HarvestPublic:
    old = entries.harvest(site, harvest)
    _in_cycle(old.cycle_id, cycle, "harvest", harvest)
    ch = body.model_dump(exclude_unset=True, exclude={"reason", "confirm"})
    counted = old.count if old.count_measured else None
    new = NewHarvest(ms(body.at) if "at" in ch else old.at, ch.get("kg", old.kg),
                     ch.get("final", old.final), ch.get("fish_per_kg", old.fish_per_kg),
                     ch.get("count", counted), ch.get("buyer", old.buyer),
                     ch.get("price_per_kg_rp", old.price_per_kg_rp),
                     tuple(ch.get("member_ids", old.member_ids)))
    done = corrections.correct_harvest(site, harvest, new, user.username, body.reason,
                                       confirmed=body.confirm)
    audit_correction(users, user.username, "harvest", harvest, site, body.reason, old, done.new)
    return public(done.new, HarvestPublic)


@router.delete("/harvests/{harvest}", response_model=HarvestPublic,
               summary="Void a wrong harvest (a final one reopens the cycle; audited)")
def void_harvest(site: str, cycle: int, harvest: int, reason: WhyVoid, user: SiteWriter,
                 entries: EntriesDep, corrections: CorrectionsDep,
                 users: UsersDep) -> HarvestPublic:
    old = entries.harvest(site, harvest)
    _in_cycle(old.cycle_id, cycle, "harvest", harvest)
    done = corrections.void_harvest(site, harvest, user.username, reason)
    audit_void(users, user.username, "harvest", harvest, site, reason, old)
    return public(done, HarvestPublic)


def _cost(cycles: CyclesDep, site: str, cycle: int, cost: int) -> CostInfo:
    for c in cycles.records(site, cycle).costs:
        if c.id == cost:
            return c
    raise NotFound(f"no cost {cost} in cycle {cycle}")


@router.patch("/costs/{cost}", response_model=CostPublic,
              summary="Correct a cost: it is voided and a corrected copy added (audited)")
def correct_cost(site: str, cycle: int, cost: int, body: CostCorrection, user: SiteWriter,
                 cycles: CyclesDep, corrections: CorrectionsDep,
                 users: UsersDep) -> CostPublic:
    old = _cost(cycles, site, cycle, cost)
    ch = body.model_dump(exclude_unset=True, exclude={"reason"})
    new = NewCost(ms(body.at) if "at" in ch else old.at, ch.get("category", old.category),
                  ch.get("amount_rp", old.amount_rp), ch.get("description", old.description))
    done = corrections.correct_cost(site, cost, new, user.username, body.reason)
    audit_correction(users, user.username, "cost", cost, site, body.reason, old, done.new)
    return public(done.new, CostPublic)


@router.delete("/costs/{cost}", response_model=CostPublic,
               summary="Void a wrong cost (kept in the history; audited)")
def void_cost(site: str, cycle: int, cost: int, reason: WhyVoid, user: SiteWriter,
              cycles: CyclesDep, corrections: CorrectionsDep, users: UsersDep) -> CostPublic:
    old = _cost(cycles, site, cycle, cost)
    done = corrections.void_cost(site, cost, user.username, reason)
    audit_void(users, user.username, "cost", cost, site, reason, old)
    return public(done, CostPublic)
