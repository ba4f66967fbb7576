"""``/kiosk/{site}``: the trainees' shared tablet at the ponds.

One tile per pond (traffic light, key readings with units, how fresh, what to do now),
today's tasks, and a form for the two logs the kiosk may add (``api.routes.records``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import EntriesDep
from api.i18n import lang_of, t
from api.pages.advice import Advice, Task, todays_tasks, what_to_do
from api.pages.forms import number
from api.pages.ponds import PondCard, site_cards
from api.pages.render import page
from api.pages.session import SiteLoggerPage, SiteViewer, check_csrf
from api.pond_view import PondViews, PondViewsDep
from api.routes.records import KIOSK_KINDS
from kolam import bounds
from kolam.auth import Role
from kolam.errors import NotFound
from kolam.registry.records import InvalidRecord, LogKind, NewLog
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Tile:
    card: PondCard
    advice: list[Advice]
    tasks: list[Task]


def tiles(views: PondViews, site: str, now: int, lang: str) -> list[Tile]:
    out = []
    for card in site_cards(views, site, now):
        feed = card.kpis.feed_today if card.kpis else None
        tasks = (todays_tasks(card.logs, card.cycle.stocked_at, now, lang)
                 if card.cycle else [])
        advice = ([Advice(t(lang, "loading_do"), "info")] if card.view.status.loading
                  else what_to_do(card.status, card.alerts, feed, lang))
        out.append(Tile(card, advice, tasks))
    return out


def _kiosk(request: Request, views: PondViews, site: str, status_code: int = 200,
           **extra: object) -> Response:
    now = now_ms()
    return page(request, "kiosk.html", status_code=status_code, site=site,
                site_name=views.registry.site(site).name,
                tiles=tiles(views, site, now, lang_of(request)), **extra)


@router.get("/kiosk/{site}")
def kiosk(request: Request, site: str, _: SiteViewer, views: PondViewsDep,
          saved: int = 0) -> Response:
    return _kiosk(request, views, site, saved=bool(saved))


@router.post("/kiosk/{site}/logs")
def add_log(request: Request, site: str, user: SiteLoggerPage, views: PondViewsDep,
            entries: EntriesDep, csrf: Annotated[str, Form()] = "",
            pond: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
            amount: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    form = {"pond": pond, "kind": kind, "amount": amount}
    try:
        try:
            log_kind = LogKind(kind)
        except ValueError as exc:
            raise InvalidRecord(f"unknown kind {kind!r}") from exc
        if log_kind not in (LogKind.FEEDING, LogKind.MORTALITY) or (
                user.role is Role.KIOSK and log_kind not in KIOSK_KINDS):
            raise InvalidRecord("the kiosk records feeding or dead fish only")
        try:
            cycle = views.cycles.active_cycle(site, views.registry.pond(site, pond).slug)
        except NotFound as exc:
            raise InvalidRecord(str(exc)) from exc
        if cycle is None:
            raise InvalidRecord(f"pond {pond!r} has no active cycle")
        if log_kind is LogKind.FEEDING:
            new = NewLog(log_kind, now_ms(),
                         feed_kg=number(amount, "feed kg", bound=bounds.FEED_KG))
        else:
            new = NewLog(log_kind, now_ms(),
                         dead_count=int(number(amount, "dead fish", integer=True,
                                                bound=bounds.FISH) or 0))
        entries.add_log(site, cycle.id, new, user.username)
    except InvalidRecord as exc:
        return _kiosk(request, views, site, status_code=422, error=str(exc), form=form)
    return RedirectResponse(f"/kiosk/{site}?saved=1#log", status_code=303)
