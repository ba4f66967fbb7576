"""``/teams``: training teams with their cycles, harvests, KPIs and skill records, and the
officers' forms to form a team, stock a pond, add a daily log and record a harvest.

Every form is checked by the same registry code as the API (``InvalidRecord`` messages are
shown beside the form); reading members is audited like ``GET .../members``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import STAFF, WRITERS
from api.i18n import error_text, lang_of
from api.pages.forms import date_wib, number
from api.pages.render import page
from api.pages.session import PageUser, SiteStaffPage, SiteWriterPage, check_csrf, check_role
from api.pages.session import user_sites as visible_sites
from api.skill import skill_record
from kolam import bounds
from kolam.kpi import cycle_kpis, team_kpis
from kolam.registry.records import (
    InvalidRecord,
    LogKind,
    NewCycle,
    NewHarvest,
    NewLog,
    NewTeam,
    Programme,
)
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
FORM_LOG_KINDS = (LogKind.FEEDING, LogKind.MORTALITY, LogKind.SAMPLING,
                  LogKind.WATER_EXCHANGE, LogKind.NOTE)


@router.get("/teams")
def teams_index(request: Request, user: PageUser) -> Response:
    check_role(user, STAFF)
    sites = visible_sites(request, user)
    if len(sites) == 1:
        return RedirectResponse(f"/teams/{sites[0]}", status_code=303)
    return page(request, "teams.html", site=None, sites=sites, teams=[], can_write=False)


def _site_page(request: Request, site: str, status_code: int = 200,
               **extra: Any) -> Response:
    state = request.app.state
    user = request.state.user
    return page(request, "teams.html", status_code=status_code, site=site,
                site_name=state.registry.site(site).name, sites=[],
                teams=state.teams.teams(site), cycles=state.cycles.cycles(site),
                can_write=user.role in WRITERS, programmes=list(Programme), **extra)


@router.get("/teams/{site}")
def site_teams(request: Request, site: str, _: SiteStaffPage) -> Response:
    return _site_page(request, site)


@router.post("/teams/{site}")
def add_team(request: Request, site: str, user: SiteWriterPage,
             csrf: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
             programme: Annotated[str, Form()] = "lele_growout",
             instructors: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    state = request.app.state
    try:
        try:
            prog = Programme(programme)
        except ValueError as exc:
            raise InvalidRecord(f"unknown programme {programme!r}", key="unknown_kind",
                                kind=programme) from exc
        names = tuple(x.strip() for x in instructors.split(",") if x.strip())
        t = state.teams.add_team(site, NewTeam(name, prog, now_ms(), names))
        state.users.audit(user.username, "create", "team", t.id, site, t.name)
    except InvalidRecord as exc:
        return _site_page(request, site, 422, error=error_text(exc, lang_of(request)),
                          form={"name": name})
    return RedirectResponse(f"/teams/{site}/{t.id}?saved=1", status_code=303)


def _team_page(request: Request, site: str, team: int, status_code: int = 200,
               **extra: Any) -> Response:
    state, user, now = request.app.state, request.state.user, now_ms()
    info = state.teams.team(site, team)
    members = state.teams.members(site, team)
    state.users.audit(user.username, "read", "members", None, site,
                      f"team page {team}: {len(members)} members, names "
                      f"{'shown' if user.sees_names else 'hidden'}")
    cycles = state.cycles.cycles(site, team_id=team)
    records = {c.id: state.cycles.records(site, c.id) for c in cycles}
    kpis = {c.id: cycle_kpis(records[c.id], now) for c in cycles}
    skills = {m.id: skill_record(site, m.id, user, state.teams, state.cycles, state.entries)
              for m in members}
    busy = {c.pond for c in state.cycles.cycles(site, active=True)}
    free_ponds = [p for p in state.registry.ponds(site) if p.slug not in busy]
    return page(request, "team.html", status_code=status_code, site=site, team=info,
                members=members, cycles=cycles, records=records, kpis=kpis,
                totals=team_kpis(list(kpis.values())), skills=skills, free_ponds=free_ponds,
                can_write=user.role in WRITERS, log_kinds=FORM_LOG_KINDS, **extra)


@router.get("/teams/{site}/{team}")
def team_page(request: Request, site: str, team: int, _: SiteStaffPage,
              saved: int = 0) -> Response:
    return _team_page(request, site, team, saved=bool(saved))


@router.post("/teams/{site}/{team}/cycles")
def stock(request: Request, site: str, team: int, user: SiteWriterPage,
          csrf: Annotated[str, Form()] = "", pond: Annotated[str, Form()] = "",
          seed_count: Annotated[str, Form()] = "", seed_weight_g: Annotated[str, Form()] = "",
          stocked_at: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    state, lang = request.app.state, lang_of(request)
    try:
        if not pond:
            raise InvalidRecord("pond: required", key="no_pond")
        new = NewCycle(team, date_wib(stocked_at, "f_stocked_at", now_ms()),
                       int(number(seed_count, "f_seed_count", lang, integer=True,
                                  bound=bounds.FISH) or 0),
                       number(seed_weight_g, "f_seed_weight_g", lang,
                              bound=bounds.SEED_WEIGHT_G) or 0.0)
        c = state.cycles.start(site, pond, new)
        state.users.audit(user.username, "create", "cycle", c.id, site, f"pond {pond}")
    except InvalidRecord as exc:
        return _team_page(request, site, team, 422, error=error_text(exc, lang), form="cycle")
    return RedirectResponse(f"/teams/{site}/{team}?saved=1", status_code=303)


def _log(kind: LogKind, value: str, value2: str, note: str, at: int, lang: str) -> NewLog:
    if kind is LogKind.FEEDING:
        return NewLog(kind, at, feed_kg=number(value, "f_feed_kg", lang, bound=bounds.FEED_KG))
    if kind is LogKind.MORTALITY:
        dead = number(value, "f_dead_count", lang, integer=True, bound=bounds.FISH)
        return NewLog(kind, at, dead_count=int(dead or 0))
    if kind is LogKind.SAMPLING:
        fish = number(value, "f_sample_count", lang, integer=True, bound=bounds.SAMPLE_FISH)
        return NewLog(kind, at, sample_count=int(fish or 0),
                      sample_weight_g=number(value2, "f_sample_weight_g", lang,
                                             bound=bounds.SAMPLE_WEIGHT_G))
    if kind is LogKind.WATER_EXCHANGE:
        return NewLog(kind, at, exchange_pct=number(value, "f_exchange_pct", lang,
                                                    bound=bounds.PERCENT))
    return NewLog(kind, at, note=note.strip())


@router.post("/teams/{site}/{team}/logs")
def add_log(request: Request, site: str, team: int, user: SiteWriterPage,
            csrf: Annotated[str, Form()] = "", cycle: Annotated[int, Form()] = 0,
            kind: Annotated[str, Form()] = "", value: Annotated[str, Form()] = "",
            value2: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
            at: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    state, lang = request.app.state, lang_of(request)
    try:
        try:
            log_kind = LogKind(kind)
        except ValueError as exc:
            raise InvalidRecord(f"unknown kind {kind!r}", key="unknown_kind",
                                kind=kind) from exc
        if log_kind not in FORM_LOG_KINDS:
            raise InvalidRecord(f"use the API for {log_kind.value} logs", key="unknown_kind",
                                kind=kind)
        _own_cycle(request, site, team, cycle)
        new = _log(log_kind, value, value2, note, date_wib(at, "f_date", now_ms()), lang)
        state.entries.add_log(site, cycle, new, user.username)
    except InvalidRecord as exc:
        return _team_page(request, site, team, 422, error=error_text(exc, lang), form="log")
    return RedirectResponse(f"/teams/{site}/{team}?saved=1", status_code=303)


def _own_cycle(request: Request, site: str, team: int, cycle: int) -> None:
    c = request.app.state.cycles.cycle(site, cycle)
    if c.team_id != team:
        raise InvalidRecord(f"cycle {cycle} belongs to another team", key="no_cycle",
                            pond=c.pond)


@router.post("/teams/{site}/{team}/harvests")
def add_harvest(request: Request, site: str, team: int, user: SiteWriterPage,
                csrf: Annotated[str, Form()] = "", cycle: Annotated[int, Form()] = 0,
                kg: Annotated[str, Form()] = "", count: Annotated[str, Form()] = "",
                price: Annotated[str, Form()] = "", final: Annotated[str, Form()] = "",
                at: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    state, lang = request.app.state, lang_of(request)
    try:
        _own_cycle(request, site, team, cycle)
        n = number(count, "f_count", lang, integer=True, required=False, bound=bounds.FISH)
        new = NewHarvest(date_wib(at, "f_date", now_ms()),
                         number(kg, "f_harvest_kg", lang, bound=bounds.HARVEST_KG) or 0.0,
                         final == "on", count=int(n) if n else None,
                         price_per_kg_rp=number(price, "f_price", lang, required=False,
                                                bound=bounds.PRICE_PER_KG_RP) or 0.0)
        state.entries.add_harvest(site, cycle, new, user.username)
    except InvalidRecord as exc:
        return _team_page(request, site, team, 422, error=error_text(exc, lang),
                          form="harvest")
    return RedirectResponse(f"/teams/{site}/{team}?saved=1", status_code=303)
