"""The officers' cycle forms on the team page: stock a pond, record a cost, record a
test kit's readings (``/teams/{site}/{team}/cycles|costs|measurements``).

Like the log and harvest forms (``api.pages.team_records``): numbers are read as the
page's language writes them ("22.000"), a value implausible for the pond is asked about
(``kolam.farming.plausible``: the stocking density from the pond's area, Rp 300 a seed, a
cost under Rp 1,000 or over the harvest's worth, a reading no pond shows) and stored only
when confirmed, and the team page says back what was stored. The members who did the work
are credited: a stocking or a cost has no members of its own in the registry, so a note log
on the cycle names them (it reaches their skill record as record keeping).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import fmt
from api.forms import date_wib, number, parse_number
from api.i18n import lang_of, t
from api.pages.echo import fish
from api.pages.session import SiteWriterPage, check_csrf
from api.pages.team_records import member_ids, own_cycle, refused
from api.pages.teams import BooksDep, TeamBooks, site_tz
from api.routes.records import audit_void, kit_reading_as_n
from kolam.catalogue import METRICS
from kolam.errors import NotFound
from kolam.farming import bounds, plausible
from kolam.registry.records import (
    CostCategory,
    CycleInfo,
    InvalidRecord,
    LogKind,
    NewCost,
    NewCycle,
    NewLog,
)
from kolam.science.chemistry import as_nitrogen
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
Ticked = Annotated[list[str] | None, Form()]
KIT_METRICS = ("do_mgl", "ph", "temp_c", "tan_mgl")
"""What a pond-side test kit and thermometer read (DOMAIN.md, water quality)."""
TAN_FORMS = ("N", "NH3", "NH4")
"""How ammonia kits report TAN (``kolam.science.chemistry.as_nitrogen``)."""


def crew(books: TeamBooks, site: str, team: int, ticked: tuple[str, ...]) -> tuple[int, ...]:
    """The ticked members, checked to be the team's before anything is stored."""
    ids = member_ids(ticked)
    known = {m.id for m in books.teams.members(site, team)}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise InvalidRecord(f"members {unknown} are not in team {team}",
                            key="not_team_members", ids=", ".join(map(str, unknown)))
    return ids


def credit(books: TeamBooks, site: str, cycle: CycleInfo, at: int, note: str,
           ids: tuple[int, ...], by: str) -> None:
    """A note log naming the members who did a stocking or a cost (an open cycle only)."""
    if ids and cycle.ended_at is None:
        when = min(max(at, cycle.stocked_at), now_ms())
        books.entries.add_log(site, cycle.id, NewLog(LogKind.NOTE, when, note=note[:200],
                                                     member_ids=ids), by, confirmed=True)


# --- stocking ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StockForm:
    pond: str = ""
    seed_count: str = ""
    seed_weight_g: str = ""
    seed_cost: str = ""
    stocked_at: str = ""
    members: tuple[str, ...] = ()

    def cycle(self, team: int, lang: str, tz: tzinfo) -> NewCycle:
        if not self.pond:
            raise InvalidRecord("pond: required", key="no_pond")
        return NewCycle(team, date_wib(self.stocked_at, "f_stocked_at", now_ms(), tz),
                        int(number(self.seed_count, "f_seed_count", lang, integer=True,
                                   bound=bounds.FISH) or 0),
                        number(self.seed_weight_g, "f_seed_weight_g", lang,
                               bound=bounds.SEED_WEIGHT_G) or 0.0,
                        seed_cost_rp=number(self.seed_cost, "f_seed_cost", lang,
                                            required=False, bound=bounds.AMOUNT_RP) or 0.0)


@router.post("/teams/{site}/{team}/cycles")
def stock(request: Request, site: str, team: int, user: SiteWriterPage, books: BooksDep,
          csrf: FormText = "", pond: FormText = "", seed_count: FormText = "",
          seed_weight_g: FormText = "", seed_cost: FormText = "", stocked_at: FormText = "",
          confirm: FormText = "", members: Ticked = None) -> Response:
    check_csrf(request, csrf)
    lang = lang_of(request)
    form = StockForm(pond, seed_count, seed_weight_g, seed_cost, stocked_at,
                     tuple(members or ()))
    try:
        new = form.cycle(team, lang, site_tz(books, site))
        ids = crew(books, site, team, form.members)
        p = books.registry.pond(site, pond)
        # A refusal (the pond is busy) comes before a question about the numbers.
        if confirm != "1" and books.cycles.active_cycle(site, pond) is None:
            doubt = (plausible.check_density(new.seed_count, p.area_m2, p.depth_cm, p.kind)
                     or plausible.check_seed_cost(new.seed_cost_rp, new.seed_count))
            if doubt is not None:
                raise doubt
        c = books.cycles.start(site, pond, new)
        books.users.audit(user.username, "create", "cycle", c.id, site, f"pond {pond}")
        credit(books, site, c, c.stocked_at,
               t(lang, "note_stocked", n=fish(c.seed_count, lang), pond=p.name), ids,
               user.username)
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "cycle", form)
    return RedirectResponse(f"/teams/{site}/{team}?saved=cycle-{c.id}#saved",
                            status_code=303)


# --- costs ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CostForm:
    cycle: int = 0
    category: str = ""
    amount: str = ""
    description: str = ""
    at: str = ""
    members: tuple[str, ...] = ()

    def cost(self, lang: str, tz: tzinfo) -> NewCost:
        try:
            category = CostCategory(self.category)
        except ValueError as exc:
            raise InvalidRecord(f"unknown category {self.category!r}",
                                key="unknown_category", kind=self.category) from exc
        return NewCost(date_wib(self.at, "f_date", now_ms(), tz), category,
                       number(self.amount, "f_amount", lang, bound=bounds.AMOUNT_RP) or 0.0,
                       self.description.strip()[:500])


@router.post("/teams/{site}/{team}/costs")
def add_cost(request: Request, site: str, team: int, user: SiteWriterPage, books: BooksDep,
             csrf: FormText = "", cycle: Annotated[int, Form()] = 0, category: FormText = "",
             amount: FormText = "", description: FormText = "", at: FormText = "",
             confirm: FormText = "", members: Ticked = None) -> Response:
    check_csrf(request, csrf)
    lang = lang_of(request)
    form = CostForm(cycle, category, amount, description, at, tuple(members or ()))
    try:
        own_cycle(books, site, team, cycle)
        c = books.cycles.cycle(site, cycle)
        new = form.cost(lang, site_tz(books, site))
        ids = crew(books, site, team, form.members)
        if confirm != "1":
            doubt = plausible.check_cost(new.amount_rp, new.category.value, c.seed_count)
            if doubt is not None:
                raise doubt
        saved = books.entries.add_cost(site, cycle, new, user.username)
        books.users.audit(user.username, "create", "cost", saved.id, site,
                          f"cycle {cycle}: {new.category.value} Rp {new.amount_rp:,.0f}")
        credit(books, site, c, new.at,
               t(lang, "note_cost", category=t(lang, f"cost_{new.category.value}"),
                 amount=fmt.rupiah(new.amount_rp, lang)), ids, user.username)
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "cost", form)
    return RedirectResponse(f"/teams/{site}/{team}?saved=cost-{saved.id}#saved",
                            status_code=303)


@router.post("/teams/{site}/{team}/costs/{cost}/void")
def void_cost(request: Request, site: str, team: int, cost: int, user: SiteWriterPage,
              books: BooksDep, csrf: FormText = "", reason: FormText = "") -> Response:
    """Void a wrong cost with a reason (kept in the history, audited like ``DELETE``)."""
    check_csrf(request, csrf)
    found = [(c.id, x) for c in books.cycles.cycles(site, team_id=team)
             for x in books.cycles.records(site, c.id, include_voided=True).costs
             if x.id == cost]
    if not found:
        raise NotFound(f"no cost {cost} in team {team}")
    cycle, old = found[0]
    try:
        books.corrections.void_cost(site, cost, user.username, reason)
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "cost", CostForm(cycle))
    audit_void(books.users, user.username, "cost", cost, site, reason, old)
    return RedirectResponse(f"/teams/{site}/{team}/cycles/{cycle}#cost-{cost}",
                            status_code=303)


# --- manual measurements ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MeasureForm:
    cycle: int = 0
    do_mgl: str = ""
    ph: str = ""
    temp_c: str = ""
    tan_mgl: str = ""
    tan_as: str = "N"
    note: str = ""
    at: str = ""
    members: tuple[str, ...] = ()

    def typed(self, lang: str) -> dict[str, float]:
        """The readings filled in, each within what its metric can be (0 is a reading)."""
        out = {}
        for metric in KIT_METRICS:
            raw = str(getattr(self, metric)).strip()
            if not raw:
                continue
            field = f"f_{metric}"
            try:
                value = parse_number(raw, lang)
            except ValueError as exc:
                raise InvalidRecord(f"{metric}: {raw!r} is not a number", key="not_number",
                                    field=field, raw=raw) from exc
            valid = METRICS[metric].valid
            if not valid.contains(value):
                raise InvalidRecord(f"{metric}: {valid.low}–{valid.high}",
                                    key="reading_range", field=field, low=valid.low,
                                    high=valid.high)
            out[metric] = value
        if not out:
            raise InvalidRecord("fill in at least one reading", key="no_reading")
        return out

    def logs(self, lang: str, tz: tzinfo, confirmed: bool) -> list[NewLog]:
        if self.tan_as not in TAN_FORMS:
            raise InvalidRecord(f"unknown form {self.tan_as!r}", key="unknown_kind",
                                kind=self.tan_as)
        at, ids = date_wib(self.at, "f_date", now_ms(), tz), member_ids(self.members)
        out = []
        for metric, value in self.typed(lang).items():
            stored, note = value, self.note.strip()[:200]
            if metric == "tan_mgl" and self.tan_as != "N":
                kit = kit_reading_as_n(metric, value, self.tan_as, note)
                stored, note = as_nitrogen(metric, value, self.tan_as), str(kit["note"])
            doubt = None if confirmed else plausible.check_reading(metric, stored)
            if doubt is not None:
                raise doubt
            out.append(NewLog(LogKind.MEASUREMENT, at, metric=metric, value=round(stored, 4),
                              note=note, member_ids=ids))
        return out


@router.post("/teams/{site}/{team}/measurements")
def add_measurements(request: Request, site: str, team: int, user: SiteWriterPage,
                     books: BooksDep, csrf: FormText = "",
                     cycle: Annotated[int, Form()] = 0, do_mgl: FormText = "",
                     ph: FormText = "", temp_c: FormText = "", tan_mgl: FormText = "",
                     tan_as: FormText = "N", note: FormText = "", at: FormText = "",
                     confirm: FormText = "", members: Ticked = None) -> Response:
    check_csrf(request, csrf)
    form = MeasureForm(cycle, do_mgl, ph, temp_c, tan_mgl, tan_as, note, at,
                       tuple(members or ()))
    try:
        own_cycle(books, site, team, cycle)
        crew(books, site, team, form.members)
        logs = form.logs(lang_of(request), site_tz(books, site), confirm == "1")
        saved = [books.entries.add_log(site, cycle, new, user.username, confirmed=True)
                 for new in logs]
    except InvalidRecord as exc:
        return refused(request, books, site, team, exc, "measure", form)
    ids = "_".join(str(e.id) for e in saved)
    return RedirectResponse(f"/teams/{site}/{team}?saved=measure-{ids}#saved",
                            status_code=303)
