"""``/kiosk/{site}``: the trainees' shared tablet at the ponds.

One tile per pond (traffic light, key readings with units, how fresh, what to do now),
today's tasks, and a form for the two logs the kiosk may add (``api.routes.records``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.i18n import error_text, lang_of
from api.pages.advice import Advice, Task, todays_tasks, what_to_do
from api.pages.echo import log_echo
from api.pages.forms import number
from api.pages.ponds import PondCard, site_cards
from api.pages.render import page
from api.pages.session import SiteLoggerPage, SiteViewer, check_csrf
from api.routes.records import KIOSK_KINDS
from kolam import bounds
from kolam.auth import Role
from kolam.errors import NotFound
from kolam.registry.records import Implausible, InvalidRecord, LogInfo, LogKind, NewLog
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Tile:
    card: PondCard
    advice: list[Advice]
    tasks: list[Task]


@dataclass(frozen=True, slots=True)
class SavedLog:
    log: LogInfo
    text: str


def tiles(request: Request, site: str, now: int) -> list[Tile]:
    lang = lang_of(request)
    out = []
    for card in site_cards(request, site, now):
        feed = card.kpis.feed_today if card.kpis else None
        tasks = (todays_tasks(card.logs, card.cycle.stocked_at, now, lang)
                 if card.cycle else [])
        out.append(Tile(card, what_to_do(card.status, card.alerts, feed, lang), tasks))
    return out


def _kiosk(request: Request, site: str, status_code: int = 200, **extra: object) -> Response:
    now = now_ms()
    return page(request, "kiosk.html", status_code=status_code, site=site,
                site_name=request.app.state.registry.site(site).name,
                tiles=tiles(request, site, now), **extra)


@router.get("/kiosk/{site}")
def kiosk(request: Request, site: str, _: SiteViewer, saved: int = 0) -> Response:
    return _kiosk(request, site, saved=_saved(request, site, saved))


def _saved(request: Request, site: str, log_id: int) -> SavedLog | None:
    """The log just saved, echoed under the form ("Tersimpan: pakan 2,5 kg, 07:30")."""
    if log_id <= 0:
        return None
    state = request.app.state
    try:
        log = state.entries.log(site, log_id)
        pond = state.registry.pond(site, state.cycles.cycle(site, log.cycle_id).pond)
    except NotFound:
        return None
    return SavedLog(log, log_echo(log, lang_of(request), pond.name))


@router.post("/kiosk/{site}/logs")
def add_log(request: Request, site: str, user: SiteLoggerPage,
            csrf: Annotated[str, Form()] = "", pond: Annotated[str, Form()] = "",
            kind: Annotated[str, Form()] = "", amount: Annotated[str, Form()] = "",
            confirm: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    state, lang = request.app.state, lang_of(request)
    form = {"pond": pond, "kind": kind, "amount": amount}
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
        saved = state.entries.add_log(site, cycle.id, new, user.username,
                                      confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _kiosk(request, site, status_code=422, error=error_text(exc, lang), form=form,
                      doubt=isinstance(exc, Implausible))
    return RedirectResponse(f"/kiosk/{site}?saved={saved.id}#log", status_code=303)
