"""``/kiosk/{site}``: the trainees' shared tablet at the ponds.

One tile per pond (traffic light, key readings with units, how fresh, what to do now),
today's tasks, and a form for the two logs the kiosk may add (``api.routes.records``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.advice import in_order
from api.deps import ConfigDep
from api.forms import number
from api.i18n import error_text, lang_of, t
from api.kiosk_view import Tile
from api.kiosk_view import tile as build_tile
from api.pages.care import care_tasks, pond_dues
from api.pages.echo import Saved, log_echo, log_values
from api.pages.ponds import site_cards
from api.pages.render import page
from api.pages.session import SiteLoggerPage, SiteViewer, check_csrf
from api.pages.team_records import member_ids
from api.pages.teams import BooksDep, TeamBooks, site_tz
from api.pond_view import PondViews, PondViewsDep
from api.routes.outputs import OutputsDep
from api.routes.records import KIOSK_KINDS, KIOSK_UNDO_MS, audit_void
from kolam.business.records import FeedLeft
from kolam.errors import NotFound
from kolam.farming import bounds
from kolam.kiosk import LocalOutput
from kolam.places import site_zone
from kolam.registry.cashbook import Business
from kolam.registry.maintenance import Maintenance
from kolam.registry.outputs import Outputs
from kolam.registry.records import (
    Implausible,
    InvalidRecord,
    LogKind,
    MemberInfo,
    MemberStatus,
    NewLog,
)
from kolam.security.auth import Role
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)


def tiles(views: PondViews, site: str, now: int, lang: str,
          outputs: Outputs | None = None) -> list[Tile]:
    """The tiles from the central store and registry (the gateway builds the same from its
    own data: ``api.kiosk_view.local_tiles``), with each pond's relay outputs as the
    relays last confirmed them (``outputs``)."""
    zone = site_zone(views.registry.site(site).timezone)
    return [build_tile(card, card.alerts, card.kpis.feed_today if card.kpis else None,
                       card.logs, card.cycle.stocked_at if card.cycle else None, now, lang,
                       zone, outputs=_outputs(outputs, site, card.pond.slug),
                       loggable=card.cycle is not None, loading=card.view.status.loading)
            for card in site_cards(views, site, now)]


def _outputs(outputs: Outputs | None, site: str, pond: str) -> tuple[LocalOutput, ...]:
    if outputs is None:
        return ()
    return tuple(LocalOutput(device, output, s.on, s.since, s.amps, s.by, s.reason)
                 for (device, output), found in sorted(outputs.latest(site, pond).items())
                 if (s := found.switch) is not None)


def daily_round(views: PondViews, site: str, shown: list[Tile], now: int,
                lang: str) -> list[Tile]:
    """The tiles with each pond's probe care joined to its tasks, in the order of the day
    (#17 item 5). Apart from ``tiles``: the live tile updates do not show the tasks, so
    they do not read the care entries every few seconds."""
    zone = site_zone(views.registry.site(site).timezone)
    care = Maintenance(views.registry.engine)
    return [replace(x, tasks=in_order(x.tasks + care_tasks(
        pond_dues(care, views.store, site, x.card.pond.slug, now), site, x.card.pond.slug,
        now, lang, zone))) for x in shown]


def crews(books: TeamBooks, site: str, shown: list[Tile]) -> dict[str, list[MemberInfo]]:
    """The active members of each stocked pond's team, to tap who did the work (their
    aliases only: the kiosk never shows names)."""
    teams = books.teams
    by_team: dict[int, list[MemberInfo]] = {}
    out = {}
    for tile in shown:
        if tile.card.cycle is not None:
            team = tile.card.cycle.team_id
            if team not in by_team:
                by_team[team] = [m for m in teams.members(site, team)
                                 if m.status is MemberStatus.ACTIVE]
            out[tile.card.pond.slug] = by_team[team]
    return out


def feed_stock(books: TeamBooks, site: str, shown: list[Tile], now: int
               ) -> list[tuple[str, FeedLeft]]:
    """Days of feed left for each team farming a pond here that keeps a feed stock card
    (issue #20), with the week-ahead warning."""
    business, out, seen = Business(books.registry.engine), [], set()
    for tile in shown:
        cycle = tile.card.cycle
        if cycle is None or cycle.team_id in seen:
            continue
        seen.add(cycle.team_id)
        left = business.feed_left(site, cycle.team_id, now)
        if left.days_left is not None:
            out.append((cycle.team_name, left))
    return out


def _kiosk(request: Request, views: PondViews, books: TeamBooks, site: str,
           status_code: int = 200, outputs: Outputs | None = None,
           **extra: object) -> Response:
    now = now_ms()
    shown = daily_round(views, site, tiles(views, site, now, lang_of(request), outputs), now,
                        lang_of(request))
    return page(request, "kiosk.html", status_code=status_code, site=site,
                site_name=views.registry.site(site).name,
                tiles=shown, crews=crews(books, site, shown),
                feed_stock=feed_stock(books, site, shown, now), **extra)


@router.get("/kiosk/{site}")
def kiosk(request: Request, site: str, _: SiteViewer, views: PondViewsDep, books: BooksDep,
          outputs: OutputsDep, config: ConfigDep, saved: int = 0,
          undone: int = 0) -> Response:
    return _kiosk(request, views, books, site, outputs=outputs,
                  saved=_saved(request, books, site, saved),
                  undone=_undone(request, books, site, undone),
                  sale=site in config.kiosk_sale_sites)


def _undone(request: Request, books: TeamBooks, site: str, log_id: int) -> str | None:
    if log_id <= 0:
        return None
    try:
        log = books.entries.log(site, log_id)
    except NotFound:
        return None
    lang = lang_of(request)
    return t(lang, "undone_echo", what=log_values(log, lang)) if log.voided_at else None


@router.post("/kiosk/{site}/logs/{log}/undo")
def undo_log(request: Request, site: str, log: int, user: SiteLoggerPage,
             views: PondViewsDep, books: BooksDep, outputs: OutputsDep,
             csrf: Annotated[str, Form()] = "") -> Response:
    """Void a log just saved (the kiosk: only its own, within ``KIOSK_UNDO_MS``)."""
    check_csrf(request, csrf)
    state, lang = books, lang_of(request)
    since = now_ms() - KIOSK_UNDO_MS if user.role is Role.KIOSK else None
    try:
        old = state.entries.log(site, log)
        state.corrections.void_log(site, log, user.username, t(lang, "undo_reason"),
                                   own_since=since)
    except InvalidRecord as exc:
        return _kiosk(request, views, books, site, status_code=422, outputs=outputs,
                      error=error_text(exc, lang))
    audit_void(state.users, user.username, "log", log, site, "undone at the kiosk", old)
    return RedirectResponse(f"/kiosk/{site}?undone={log}#log", status_code=303)


def _saved(request: Request, books: TeamBooks, site: str, log_id: int) -> Saved | None:
    """The log just saved, echoed under the form ("Tersimpan: pakan 2,5 kg, 07:30")."""
    if log_id <= 0:
        return None
    state = books
    try:
        log = state.entries.log(site, log_id)
        pond = state.registry.pond(site, state.cycles.cycle(site, log.cycle_id).pond)
    except NotFound:
        return None
    return Saved(log_echo(log, lang_of(request), pond.name,
                          site_tz(books, site)), "log", log.id)


@router.post("/kiosk/{site}/logs")
def add_log(request: Request, site: str, user: SiteLoggerPage, views: PondViewsDep,
            books: BooksDep, outputs: OutputsDep, csrf: Annotated[str, Form()] = "",
            pond: Annotated[str, Form()] = "",
            kind: Annotated[str, Form()] = "", amount: Annotated[str, Form()] = "",
            confirm: Annotated[str, Form()] = "",
            members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    state, lang = books, lang_of(request)
    form = {"pond": pond, "kind": kind, "amount": amount, "members": tuple(members or ())}
    try:
        try:
            log_kind = LogKind(kind)
        except ValueError as exc:
            raise InvalidRecord(f"unknown kind {kind!r}", key="unknown_kind",
                                kind=kind) from exc
        if log_kind not in (LogKind.FEEDING, LogKind.MORTALITY) or (
                user.role is Role.KIOSK and log_kind not in KIOSK_KINDS):
            raise InvalidRecord("the kiosk records feeding or dead fish only",
                                key="kiosk_kinds")
        if not pond:
            raise InvalidRecord("pond: required", key="no_pond")
        try:
            pond_info = state.registry.pond(site, pond)
        except NotFound as exc:
            raise InvalidRecord(str(exc), key="no_pond") from exc
        cycle = state.cycles.active_cycle(site, pond_info.slug)
        if cycle is None:
            raise InvalidRecord(f"pond {pond!r} has no active cycle", key="no_cycle",
                                pond=pond_info.name)
        if log_kind is LogKind.FEEDING:
            new = NewLog(log_kind, now_ms(),
                         feed_kg=number(amount, "f_feed_kg", lang, bound=bounds.FEED_KG))
        else:
            new = NewLog(log_kind, now_ms(),
                         dead_count=int(number(amount, "f_dead_count", lang, integer=True,
                                                bound=bounds.FISH) or 0))
        saved = state.entries.add_log(site, cycle.id, replace(new, member_ids=member_ids(
            tuple(members or ()))), user.username, confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _kiosk(request, views, books, site, status_code=422, outputs=outputs,
                      error=error_text(exc, lang), form=form,
                      doubt=isinstance(exc, Implausible))
    return RedirectResponse(f"/kiosk/{site}?saved={saved.id}#log", status_code=303)
