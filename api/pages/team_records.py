"""The officers' forms for a team's daily logs and harvests: ``/teams/{site}/{team}/...``.

Each form names its fields plainly (a sampling asks for the number of fish weighed and
their *total* weight), reads numbers as the page's language writes them, and asks before
storing a value implausible for the pond (``kolam.farming.plausible``): the page shows the
question and a "yes, the number is right" button that resends the form confirmed. After
saving, the team page says back what was stored (``api.pages.echo``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.forms import date_wib, number
from api.i18n import error_text, lang_of
from api.pages.session import SiteWriterPage, check_csrf
from api.pages.teams import FORM_LOG_KINDS, BooksDep, TeamBooks, render_team, site_tz
from kolam.farming import bounds
from kolam.registry.records import Implausible, InvalidRecord, LogKind, NewHarvest, NewLog
from kolam.timeutil import WIB, now_ms

router = APIRouter(include_in_schema=False)


def member_ids(ticked: tuple[str, ...]) -> tuple[int, ...]:
    """The members ticked on a form (``members`` checkboxes holding member ids)."""
    try:
        return tuple(dict.fromkeys(int(x) for x in ticked if x))
    except ValueError as exc:
        raise InvalidRecord(f"members: {ticked!r} are not member ids", key="not_team_members",
                            ids=", ".join(ticked)) from exc


@dataclass(frozen=True, slots=True)
class LogForm:
    """A daily-log form as typed (kept to fill the form again after an error)."""

    cycle: int = 0
    kind: str = ""
    feed_kg: str = ""
    dead_count: str = ""
    sample_count: str = ""
    sample_weight_g: str = ""
    exchange_pct: str = ""
    note: str = ""
    at: str = ""
    members: tuple[str, ...] = ()

    def log(self, lang: str, tz: tzinfo = WIB) -> NewLog:
        return replace(self._log(lang, tz), member_ids=member_ids(self.members))

    def _log(self, lang: str, tz: tzinfo) -> NewLog:
        try:
            kind = LogKind(self.kind)
        except ValueError as exc:
            raise InvalidRecord(f"unknown kind {self.kind!r}", key="unknown_kind",
                                kind=self.kind) from exc
        if kind not in FORM_LOG_KINDS:
            raise InvalidRecord(f"use the API for {kind.value} logs", key="unknown_kind",
                                kind=self.kind)
        at = date_wib(self.at, "f_date", now_ms(), tz)
        if kind is LogKind.FEEDING:
            return NewLog(kind, at, feed_kg=number(self.feed_kg, "f_feed_kg", lang,
                                                   bound=bounds.FEED_KG))
        if kind is LogKind.MORTALITY:
            dead = number(self.dead_count, "f_dead_count", lang, integer=True,
                          bound=bounds.FISH)
            return NewLog(kind, at, dead_count=int(dead or 0))
        if kind is LogKind.SAMPLING:
            fish = number(self.sample_count, "f_sample_count", lang, integer=True,
                          bound=bounds.SAMPLE_FISH)
            return NewLog(kind, at, sample_count=int(fish or 0),
                          sample_weight_g=number(self.sample_weight_g, "f_sample_weight_g",
                                                 lang, bound=bounds.SAMPLE_WEIGHT_G))
        if kind is LogKind.WATER_EXCHANGE:
            return NewLog(kind, at, exchange_pct=number(self.exchange_pct, "f_exchange_pct",
                                                        lang, bound=bounds.PERCENT))
        return NewLog(kind, at, note=self.note.strip())


def own_cycle(books: TeamBooks, site: str, team: int, cycle: int) -> None:
    c = books.cycles.cycle(site, cycle)
    if c.team_id != team:
        raise InvalidRecord(f"cycle {cycle} belongs to another team", key="no_cycle",
                            pond=c.pond)


def refused(request: Request, books: TeamBooks, site: str, team: int, exc: InvalidRecord,
            form: str, values: object) -> Response:
    """The team page again, the form filled as typed, the error or question beside it."""
    return render_team(request, books, site, team, 422, error=error_text(exc, lang_of(request)),
                       doubt=isinstance(exc, Implausible), form=form, values=values)


@router.post("/teams/{site}/{team}/logs")
def add_log(request: Request, site: str, team: int, user: SiteWriterPage, books: BooksDep,
            csrf: Annotated[str, Form()] = "", cycle: Annotated[int, Form()] = 0,
            kind: Annotated[str, Form()] = "", feed_kg: Annotated[str, Form()] = "",
            dead_count: Annotated[str, Form()] = "", sample_count: Annotated[str, Form()] = "",
            sample_weight_g: Annotated[str, Form()] = "",
            exchange_pct: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
            at: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
            value: Annotated[str, Form()] = "", value2: Annotated[str, Form()] = "",
            members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    # ``value``/``value2``: the form's single number fields before issue #17.
    form = LogForm(cycle, kind, feed_kg or value, dead_count or value,
                   sample_count or value, sample_weight_g or value2, exchange_pct or value,
                   note, at, tuple(members or ()))
    try:
        own_cycle(books, site, team, cycle)
        saved = books.entries.add_log(site, cycle, form.log(lang_of(request), site_tz(books, site)),
                                      user.username, confirmed=confirm == "1")
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "log", form)
    return RedirectResponse(f"/teams/{site}/{team}?saved=log-{saved.id}#saved",
                            status_code=303)


@dataclass(frozen=True, slots=True)
class HarvestForm:
    cycle: int = 0
    kg: str = ""
    count: str = ""
    price: str = ""
    final: bool = False
    at: str = ""
    members: tuple[str, ...] = ()

    def harvest(self, lang: str, tz: tzinfo = WIB) -> NewHarvest:
        n = number(self.count, "f_count", lang, integer=True, required=False,
                   bound=bounds.FISH)
        return NewHarvest(date_wib(self.at, "f_date", now_ms(), tz),
                          number(self.kg, "f_harvest_kg", lang, bound=bounds.HARVEST_KG) or 0.0,
                          self.final, count=int(n) if n else None,
                          price_per_kg_rp=number(self.price, "f_price", lang, required=False,
                                                 bound=bounds.PRICE_PER_KG_RP) or 0.0,
                          member_ids=member_ids(self.members))


@router.post("/teams/{site}/{team}/harvests")
def add_harvest(request: Request, site: str, team: int, user: SiteWriterPage,
                books: BooksDep, csrf: Annotated[str, Form()] = "",
                cycle: Annotated[int, Form()] = 0,
                kg: Annotated[str, Form()] = "", count: Annotated[str, Form()] = "",
                price: Annotated[str, Form()] = "", final: Annotated[str, Form()] = "",
                at: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
                members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    form = HarvestForm(cycle, kg, count, price, final == "on", at, tuple(members or ()))
    try:
        own_cycle(books, site, team, cycle)
        saved = books.entries.add_harvest(
            site, cycle, form.harvest(lang_of(request), site_tz(books, site)), user.username,
            confirmed=confirm == "1")
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "harvest", form)
    return RedirectResponse(f"/teams/{site}/{team}?saved=harvest-{saved.id}#saved",
                            status_code=303)
