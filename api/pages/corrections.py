"""Correcting a team's records from the pages: ``/teams/{site}/{team}/...`` (issue #17).

``/cycles/{cycle}`` lists every log and harvest of a cycle, voided ones struck through
with their reason (the history is kept, as in a cash book); ``/logs/{log}`` and
``/harvests/{harvest}`` show the record's form filled in, to correct it (the registry
voids it and adds the corrected copy, checked like a new one) or to void it, always with
a reason. Each change is audited like the API's ``PATCH``/``DELETE``.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.i18n import error_text, lang_of, num
from api.pages.echo import cost_values, harvest_values, log_values
from api.pages.render import page
from api.pages.session import SiteStaffPage, SiteWriterPage, check_csrf
from api.pages.team_records import HarvestForm, LogForm, own_cycle
from api.pages.teams import BooksDep, TeamBooks, site_tz
from api.routes.records import audit_correction, audit_void
from kolam.registry.records import HarvestInfo, Implausible, InvalidRecord, LogInfo, LogKind
from kolam.timeutil import WIB, from_ms

router = APIRouter(include_in_schema=False)


def _local(t_ms: int, tz: tzinfo = WIB) -> str:
    return from_ms(t_ms).astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def _typed(value: float | None, decimals: int, lang: str) -> str:
    if value is None:
        return ""
    text = num(value, decimals, lang)
    sep = "," if lang != "en" else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text


def log_form(e: LogInfo, lang: str, tz: tzinfo = WIB) -> LogForm:
    """The form a log was typed in, filled with its values (for correcting it)."""
    return LogForm(e.cycle_id, e.kind.value, _typed(e.feed_kg, 3, lang),
                   _typed(e.dead_count, 0, lang), _typed(e.sample_count, 0, lang),
                   _typed(e.sample_weight_g, 1, lang), _typed(e.exchange_pct, 1, lang),
                   e.note, _local(e.at, tz), tuple(str(m) for m in e.member_ids))


def harvest_form(h: HarvestInfo, lang: str, tz: tzinfo = WIB) -> HarvestForm:
    return HarvestForm(h.cycle_id, _typed(h.kg, 2, lang),
                       _typed(h.count, 0, lang) if h.count_measured else "",
                       _typed(h.price_per_kg_rp, 0, lang), h.final, _local(h.at, tz),
                       tuple(str(m) for m in h.member_ids))


@router.get("/teams/{site}/{team}/cycles/{cycle}")
def cycle_records(request: Request, site: str, team: int, cycle: int,
                  user: SiteStaffPage, books: BooksDep) -> Response:
    state, lang = books, lang_of(request)
    own_cycle(books, site, team, cycle)
    records = state.cycles.records(site, cycle, include_voided=True)
    return page(request, "cycle_records.html", site=site, team=state.teams.team(site, team),
                cycle=records.cycle, logs=list(reversed(records.logs)),
                harvests=list(reversed(records.harvests)), log_values=log_values,
                harvest_values=harvest_values, costs=list(reversed(records.costs)),
                cost_values=cost_values, lang=lang,
                can_write=user.role.value in ("admin", "officer"))


def _edit(request: Request, books: TeamBooks, site: str, team: int, kind: str,
          record: LogInfo | HarvestInfo, status_code: int = 200, **extra: object) -> Response:
    state, lang = books, lang_of(request)
    tz = site_tz(books, site)
    values = extra.pop("values", None) or (
        log_form(record, lang, tz) if isinstance(record, LogInfo)
        else harvest_form(record, lang, tz))
    members = state.teams.members(site, team)
    return page(request, "record_edit.html", status_code=status_code, site=site,
                team=state.teams.team(site, team), kind=kind, record=record, values=values,
                members=members, text=(log_values(record, lang) if isinstance(record, LogInfo)
                                       else harvest_values(record, lang)), **extra)


def _log(books: TeamBooks, site: str, team: int, log: int) -> LogInfo:
    e: LogInfo = books.entries.log(site, log)
    own_cycle(books, site, team, e.cycle_id)
    return e


def _harvest(books: TeamBooks, site: str, team: int, harvest: int) -> HarvestInfo:
    h: HarvestInfo = books.entries.harvest(site, harvest)
    own_cycle(books, site, team, h.cycle_id)
    return h


@router.get("/teams/{site}/{team}/logs/{log}")
def edit_log(request: Request, site: str, team: int, log: int,
             _: SiteWriterPage, books: BooksDep) -> Response:
    return _edit(request, books, site, team, "log", _log(books, site, team, log))


@router.post("/teams/{site}/{team}/logs/{log}")
def correct_log(request: Request, site: str, team: int, log: int, user: SiteWriterPage,
                books: BooksDep, csrf: Annotated[str, Form()] = "",
                feed_kg: Annotated[str, Form()] = "",
                dead_count: Annotated[str, Form()] = "",
                sample_count: Annotated[str, Form()] = "",
                sample_weight_g: Annotated[str, Form()] = "",
                exchange_pct: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                at: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                confirm: Annotated[str, Form()] = "",
                members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    state, lang = books, lang_of(request)
    old = _log(books, site, team, log)
    form = LogForm(old.cycle_id, old.kind.value, feed_kg, dead_count, sample_count,
                   sample_weight_g, exchange_pct, note, at, tuple(members or ()))
    try:
        new = form.log(lang, site_tz(books, site))
        if old.kind not in (LogKind.FEEDING, LogKind.MORTALITY, LogKind.SAMPLING,
                            LogKind.WATER_EXCHANGE, LogKind.NOTE):
            raise InvalidRecord(f"use the API for {old.kind.value} logs", key="unknown_kind",
                                kind=old.kind.value)
        done = state.corrections.correct_log(site, log, new, user.username, reason,
                                             confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _edit(request, books, site, team, "log", old, 422, values=form,
                     error=error_text(exc, lang), doubt=isinstance(exc, Implausible),
                     reason=reason)
    audit_correction(state.users, user.username, "log", log, site, reason, old, done.new)
    assert done.new is not None
    return RedirectResponse(f"/teams/{site}/{team}?saved=log-{done.new.id}#saved",
                            status_code=303)


def _void(request: Request, books: TeamBooks, site: str, team: int, kind: str,
          record: LogInfo | HarvestInfo, user: str, reason: str) -> Response:
    state, lang = books, lang_of(request)
    try:
        if kind == "log":
            state.corrections.void_log(site, record.id, user, reason)
        else:
            state.corrections.void_harvest(site, record.id, user, reason)
    except InvalidRecord as exc:
        return _edit(request, books, site, team, kind, record, 422, error=error_text(exc, lang),
                     reason=reason)
    audit_void(state.users, user, kind, record.id, site, reason, record)
    return RedirectResponse(f"/teams/{site}/{team}/cycles/{record.cycle_id}#{kind}-{record.id}",
                            status_code=303)


@router.post("/teams/{site}/{team}/logs/{log}/void")
def void_log(request: Request, site: str, team: int, log: int, user: SiteWriterPage,
             books: BooksDep, csrf: Annotated[str, Form()] = "",
             reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    return _void(request, books, site, team, "log", _log(books, site, team, log), user.username,
                 reason)


@router.get("/teams/{site}/{team}/harvests/{harvest}")
def edit_harvest(request: Request, site: str, team: int, harvest: int,
                 _: SiteWriterPage, books: BooksDep) -> Response:
    return _edit(request, books, site, team, "harvest", _harvest(books, site, team, harvest))


@router.post("/teams/{site}/{team}/harvests/{harvest}")
def correct_harvest(request: Request, site: str, team: int, harvest: int,
                    user: SiteWriterPage, books: BooksDep,
                    csrf: Annotated[str, Form()] = "", kg: Annotated[str, Form()] = "",
                    count: Annotated[str, Form()] = "",
                    price: Annotated[str, Form()] = "", final: Annotated[str, Form()] = "",
                    at: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                    confirm: Annotated[str, Form()] = "",
                    members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    state, lang = books, lang_of(request)
    old = _harvest(books, site, team, harvest)
    form = HarvestForm(old.cycle_id, kg, count, price, final == "on", at,
                       tuple(members or ()))
    try:
        done = state.corrections.correct_harvest(site, harvest,
                                                 form.harvest(lang, site_tz(books, site)),
                                                 user.username, reason,
                                                 confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _edit(request, books, site, team, "harvest", old, 422, values=form,
                     error=error_text(exc, lang), doubt=isinstance(exc, Implausible),
                     reason=reason)
    audit_correction(state.users, user.username, "harvest", harvest, site, reason, old,
                     done.new)
    assert done.new is not None
    return RedirectResponse(f"/teams/{site}/{team}?saved=harvest-{done.new.id}#saved",
                            status_code=303)


@router.post("/teams/{site}/{team}/harvests/{harvest}/void")
def void_harvest(request: Request, site: str, team: int, harvest: int, user: SiteWriterPage,
                 books: BooksDep, csrf: Annotated[str, Form()] = "",
                 reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    return _void(request, books, site, team, "harvest", _harvest(books, site, team, harvest),
                 user.username, reason)
