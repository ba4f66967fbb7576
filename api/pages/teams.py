"""``/teams``: training teams with their cycles, harvests, KPIs and skill records, and the
officers' forms to form a team, stock a pond, add a daily log and record a harvest.

Every form is checked by the same registry code as the API (``InvalidRecord`` messages are
shown beside the form); reading members is audited like ``GET .../members``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import fmt
from api.auth import BOOK_READERS, WRITERS
from api.deps import (
    CorrectionsDep,
    CyclesDep,
    EntriesDep,
    RegistryDep,
    TeamsDep,
    UsersDep,
)
from api.i18n import error_text, lang_of, t
from api.pages.echo import (
    Saved,
    cost_values,
    fish,
    harvest_echo,
    log_echo,
    measure_values,
    member_echo,
    stock_echo,
    when,
)
from api.pages.render import page
from api.pages.session import PageUser, SiteWriterPage, check_csrf, check_role, page_site
from api.pages.session import user_sites as visible_sites
from api.skill import skill_record
from kolam.errors import NotFound
from kolam.farming.kpi import cycle_kpis, team_kpis
from kolam.registry.cashbook import Business
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.maintenance import Maintenance
from kolam.registry.records import CostCategory, InvalidRecord, LogKind, NewTeam, Programme
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.registry.users import Users
from kolam.security.auth import Principal
from kolam.timeutil import WIB, now_ms

router = APIRouter(include_in_schema=False)
FORM_LOG_KINDS = (LogKind.FEEDING, LogKind.MORTALITY, LogKind.SAMPLING,
                  LogKind.WATER_EXCHANGE, LogKind.NOTE)
"""The log kinds the team page's form offers (``api.pages.team_records`` stores them)."""


@dataclass(frozen=True, slots=True)
class TeamBooks:
    """The record stores the team pages read and write, from the routes' dependencies."""

    registry: Registry
    users: Users
    teams: Teams
    cycles: Cycles
    entries: Entries
    corrections: Corrections


def _books(registry: RegistryDep, users: UsersDep, teams: TeamsDep, cycles: CyclesDep,
           entries: EntriesDep, corrections: CorrectionsDep) -> TeamBooks:
    return TeamBooks(registry, users, teams, cycles, entries, corrections)


BooksDep = Annotated[TeamBooks, Depends(_books)]
TeamsReaderPage = Annotated[Principal, Depends(page_site(BOOK_READERS))]
"""The staff, and the UMKM trainers (issue #20), who see members by alias only."""


def site_tz(books: TeamBooks, site: str) -> tzinfo:
    """The site's time zone (its record's), for the dates typed and said back."""
    return fmt.zone(books.registry.site(site).timezone)


@router.get("/teams")
def teams_index(request: Request, user: PageUser, registry: RegistryDep) -> Response:
    check_role(user, BOOK_READERS)
    sites = visible_sites(registry, user)
    if len(sites) == 1:
        return RedirectResponse(f"/teams/{sites[0]}", status_code=303)
    return page(request, "teams.html", site=None, sites=sites, teams=[], can_write=False)


def _site_page(request: Request, state: TeamBooks, site: str, status_code: int = 200,
               **extra: Any) -> Response:
    user = request.state.user
    return page(request, "teams.html", status_code=status_code, site=site,
                site_name=state.registry.site(site).name, sites=[],
                teams=state.teams.teams(site), cycles=state.cycles.cycles(site),
                can_write=user.role in WRITERS, programmes=list(Programme), **extra)


@router.get("/teams/{site}")
def site_teams(request: Request, site: str, _: TeamsReaderPage, books: BooksDep) -> Response:
    return _site_page(request, books, site)


@router.post("/teams/{site}")
def add_team(request: Request, site: str, user: SiteWriterPage, books: BooksDep,
             csrf: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
             programme: Annotated[str, Form()] = "lele_growout",
             instructors: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    state = books
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
        return _site_page(request, state, site, 422, error=error_text(exc, lang_of(request)),
                          form={"name": name})
    return RedirectResponse(f"/teams/{site}/{t.id}?saved=1", status_code=303)


def _saved_more(books: TeamBooks, site: str, team: int, kind: str, ident: str,
                lang: str, tz: tzinfo) -> Saved | None:
    """The echo of a member, a stocking, a cost or a test kit's readings just saved."""
    ids = [int(x) for x in ident.split("_") if x.isdigit()][:8]
    if not ids:
        return None
    if kind == "member":
        return Saved(t(lang, "saved_echo", what=member_echo(books.teams.member(site, ids[0]),
                                                             lang), time=when(now_ms(), lang,
                                                                              tz=tz)))
    if kind == "cycle":
        c = books.cycles.cycle(site, ids[0])
        p = books.registry.pond(site, c.pond)
        per_m2 = c.seed_count / p.area_m2 if p.area_m2 else None
        text = t(lang, "saved_echo", what=stock_echo(c, p.name, lang, per_m2),
                 time=when(c.stocked_at, lang, tz=tz))
        seed = Business(books.registry.engine).stocking_seed(site, team, c.id)
        if seed is None:
            return Saved(text)
        left = fmt.number(seed.on_hand, 0, lang)
        text += " " + t(lang, "echo_seed_taken", n=fish(c.seed_count, lang), item=seed.item,
                        left=f"{left} {seed.unit}")
        warn = (t(lang, "seed_card_negative", item=seed.item, n=f"{left} {seed.unit}")
                if seed.on_hand < 0 else "")
        return Saved(text, warn=warn)
    cycles = books.cycles.cycles(site, team_id=team)
    if kind == "cost":
        for c in cycles:
            for cost in books.cycles.records(site, c.id).costs:
                if cost.id == ids[0]:
                    return Saved(t(lang, "saved_echo", what=cost_values(cost, lang),
                                   time=when(cost.at, lang, tz=tz)), "cost", cost.id)
        return None
    logs = [books.entries.log(site, i) for i in ids]
    return Saved(t(lang, "saved_echo", what=measure_values(logs, lang),
                   time=when(logs[0].at, lang, tz=tz)))


def saved_echo(request: Request, books: TeamBooks, site: str, team: int, saved: str,
               tz: tzinfo = WIB) -> Saved | None:
    """What ``?saved=`` names, said back: ``log-12`` → "Tersimpan: pakan 2,5 kg, 07:30"."""
    kind, _, ident = saved.partition("-")
    lang = lang_of(request)
    try:
        if kind in ("member", "cost", "cycle", "measure"):
            return _saved_more(books, site, team, kind, ident, lang, tz)
        if kind == "log" and ident.isdigit():
            return Saved(log_echo(books.entries.log(site, int(ident)), lang, tz=tz), kind,
                         int(ident))
        if kind == "harvest" and ident.isdigit():
            return Saved(harvest_echo(books.entries.harvest(site, int(ident)), lang, tz), kind,
                         int(ident))
    except NotFound:
        return None
    return Saved(t(lang, "saved")) if saved else None


def render_team(request: Request, state: TeamBooks, site: str, team: int,
                status_code: int = 200, **extra: Any) -> Response:
    user, now = request.state.user, now_ms()
    info = state.teams.team(site, team)
    members = state.teams.members(site, team)
    state.users.audit(user.username, "read", "members", None, site,
                      f"team page {team}: {len(members)} members, names "
                      f"{'shown' if user.sees_names else 'hidden'}")
    cycles = state.cycles.cycles(site, team_id=team)
    records = {c.id: state.cycles.records(site, c.id) for c in cycles}
    kpis = {c.id: cycle_kpis(records[c.id], now) for c in cycles}
    care = Maintenance(state.registry.engine)
    business = Business(state.registry.engine)
    skills = {m.id: skill_record(site, m.id, user, state.teams, state.cycles, state.entries,
                                 care, business) for m in members}
    busy = {c.pond for c in state.cycles.cycles(site, active=True)}
    free_ponds = [p for p in state.registry.ponds(site) if p.slug not in busy]
    return page(request, "team.html", status_code=status_code, site=site, team=info,
                members=members, cycles=cycles, records=records, kpis=kpis,
                totals=team_kpis(list(kpis.values())), skills=skills, free_ponds=free_ponds,
                can_write=user.role in WRITERS, log_kinds=FORM_LOG_KINDS,
                cost_categories=[k.value for k in CostCategory],
                feed_left=business.feed_left(site, team, now), **extra)


@router.get("/teams/{site}/{team}")
def team_page(request: Request, site: str, team: int, _: TeamsReaderPage, books: BooksDep,
              saved: str = "") -> Response:
    return render_team(request, books, site, team,
                       saved=saved_echo(request, books, site, team, saved,
                                        site_tz(books, site)))
