"""``/teams/{site}/{team}/book`` and ``.../stock``: a team's cash book and stock card
(issue #20), for officers and the UMKM trainers (who see members by alias only), read by
the Dinas; and the printable month in the style of a paper buku kas (A4).

The forms read money the way the page's language writes it (``22.000`` is twenty-two
thousand rupiah on the Indonesian page, ``api.pages.forms``), ask before storing what
looks wrong (``kolam.business.plausible``) and write through the same registry code and
audit lines as the API (``api.routes.cashbook``). A wrong entry is reversed, never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import BOOK_READERS, BOOKKEEPERS
from api.deps import BusinessDep, ConfigDep, RegistryDep, TeamsDep, UsersDep
from api.forms import date_wib, number
from api.i18n import error_text, lang_of, t
from api.pages.render import page
from api.pages.session import SiteViewer, check_csrf, page_site
from api.pages.team_records import member_ids
from api.routes.cashbook import audit_entry, audit_move, audit_reversal
from api.templating import render
from kolam.business import book
from kolam.business.records import (
    CashCategory,
    CashEntry,
    Direction,
    MonthSummary,
    MoveKind,
    NewCashEntry,
    NewStockMove,
    StockKind,
)
from kolam.config import KolamConfig
from kolam.errors import Forbidden, Implausible, InvalidRecord, NotFound
from kolam.farming import bounds
from kolam.places import site_zone
from kolam.registry.cashbook import Business
from kolam.registry.records import MemberStatus
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.security.auth import Principal, Role
from kolam.timeutil import local_month, now_ms

router = APIRouter(include_in_schema=False)
BookReaderPage = Annotated[Principal, Depends(page_site(BOOK_READERS))]
BookkeeperPage = Annotated[Principal, Depends(page_site(BOOKKEEPERS))]
UNITS = ("kg", "sak", "ekor", "pak", "botol", "liter", "buah")
"""Units the forms offer (feed in kg or sacks)."""


@dataclass(frozen=True, slots=True)
class Line:
    """A book line as the page shows it, with the balance after it."""

    entry: CashEntry
    balance_rp: float


def _month(raw: str, registry: Registry, site: str) -> str:
    tz = site_zone(registry.site(site).timezone)
    return raw if len(raw) == 7 and raw[4] == "-" and raw.replace("-", "").isdigit() \
        else local_month(now_ms(), tz)


def month_lines(business: Business, registry: Registry, site: str, team: int,
                month: str) -> tuple[MonthSummary, list[Line], list[str]]:
    """The month's summary, its lines with the running balance, and the book's months."""
    tz = site_zone(registry.site(site).timezone)
    lines = business.lines(site, team)
    summary = book.month_summary(team, lines, month, tz)
    balance, shown = summary.opening_rp, []
    for e in lines:
        if local_month(e.at, tz) == month:
            balance += e.signed_rp
            shown.append(Line(e, balance))
    return summary, shown, sorted(set(book.months(lines, tz)) | {month}, reverse=True)


def _book_page(request: Request, business: Business, registry: Registry, teams: Teams,
               site: str, team: int, month: str, status_code: int = 200,
               **extra: object) -> Response:
    user = request.state.user
    summary, lines, months = month_lines(business, registry, site, team, month)
    members = teams.members(site, team)
    return page(request, "book.html", status_code=status_code, site=site,
                team=teams.team(site, team), summary=summary, lines=lines, months=months,
                sel_month=month, members=members, aliases={m.id: m.alias for m in members},
                cycles=business.cycle_results(site, team),
                categories=list(CashCategory), units=UNITS,
                can_write=user.role in BOOKKEEPERS, **extra)


@router.get("/teams/{site}/{team}/book")
def book_page(request: Request, site: str, team: int, _: BookReaderPage,
              business: BusinessDep, registry: RegistryDep, teams: TeamsDep,
              month: str = "", saved: int = 0) -> Response:
    return _book_page(request, business, registry, teams, site, team,
                      _month(month, registry, site), saved=saved)


@dataclass(frozen=True, slots=True)
class EntryForm:
    """The add-entry form as typed (kept to fill it again after an error)."""

    direction: str = "out"
    category: str = ""
    amount: str = ""
    quantity: str = ""
    unit: str = ""
    counterparty: str = ""
    note: str = ""
    at: str = ""
    cycle: str = ""
    members: tuple[str, ...] = ()

    def entry(self, lang: str) -> NewCashEntry:
        try:
            direction, category = Direction(self.direction), CashCategory(self.category)
        except ValueError as exc:
            raise InvalidRecord(f"unknown category {self.category!r}", key="unknown_kind",
                                kind=self.category) from exc
        qty = number(self.quantity, "f_quantity", lang, required=False,
                     bound=bounds.QUANTITY)
        return NewCashEntry(
            date_wib(self.at, "f_date", now_ms()), direction, category,
            number(self.amount, "f_amount_rp", lang, bound=bounds.AMOUNT_RP) or 0.0,
            qty, self.unit.strip() or None if qty else None, self.counterparty.strip()[:200],
            self.note.strip()[:2000], member_ids(self.members),
            int(self.cycle) if self.cycle.isdigit() else None)


@router.post("/teams/{site}/{team}/book")
def add_entry(request: Request, site: str, team: int, user: BookkeeperPage,
              business: BusinessDep, registry: RegistryDep, teams: TeamsDep, users: UsersDep,
              csrf: Annotated[str, Form()] = "", direction: Annotated[str, Form()] = "out",
              category: Annotated[str, Form()] = "", amount: Annotated[str, Form()] = "",
              quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
              counterparty: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
              at: Annotated[str, Form()] = "", cycle: Annotated[str, Form()] = "",
              confirm: Annotated[str, Form()] = "",
              members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    form = EntryForm(direction, category, amount, quantity, unit, counterparty, note, at,
                     cycle, tuple(members or ()))
    lang = lang_of(request)
    try:
        e = business.add_entry(site, team, form.entry(lang), user.username,
                               confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _book_page(request, business, registry, teams, site, team,
                          _month("", registry, site), 422, error=error_text(exc, lang),
                          doubt=isinstance(exc, Implausible), values=form)
    audit_entry(users, user.username, site, team, e)
    month = local_month(e.at, site_zone(registry.site(site).timezone))
    return RedirectResponse(f"/teams/{site}/{team}/book?month={month}&saved={e.id}#saved",
                            status_code=303)


@router.post("/teams/{site}/{team}/book/{entry}/reverse")
def reverse_entry(request: Request, site: str, team: int, entry: int, user: BookkeeperPage,
                  business: BusinessDep, registry: RegistryDep, teams: TeamsDep,
                  users: UsersDep, csrf: Annotated[str, Form()] = "",
                  reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        old = business.entry(site, team, entry)
        done = business.reverse(site, team, entry, now_ms(), user.username, reason)
    except InvalidRecord as exc:
        return _book_page(request, business, registry, teams, site, team,
                          _month("", registry, site), 422,
                          error=error_text(exc, lang_of(request)))
    audit_reversal(users, user.username, site, team, old, done)
    month = local_month(done.at, site_zone(registry.site(site).timezone))
    return RedirectResponse(f"/teams/{site}/{team}/book?month={month}&saved={done.id}#saved",
                            status_code=303)


@router.get("/teams/{site}/{team}/book/print")
def print_book(request: Request, site: str, team: int, _: BookReaderPage,
               business: BusinessDep, registry: RegistryDep, teams: TeamsDep,
               month: str = "") -> Response:
    """The month as a paper buku kas: date, description, in, out, balance; A4."""
    sel = _month(month, registry, site)
    summary, lines, _months = month_lines(business, registry, site, team, sel)
    members = teams.members(site, team)
    info = registry.site(site)
    return render(request, "cashbook.html", {
        "team": teams.team(site, team), "site_name": info.name, "s": summary,
        "lines": lines, "aliases": {m.id: m.alias for m in members},
        "tz": site_zone(info.timezone), "printed_at": now_ms()})


# --- the stock card ------------------------------------------------------------------

def _stock_page(request: Request, business: Business, teams: Teams, site: str, team: int,
                status_code: int = 200, **extra: object) -> Response:
    user, now = request.state.user, now_ms()
    lines, moves = business.stock(site, team)
    return page(request, "stock.html", status_code=status_code, site=site,
                team=teams.team(site, team), lines=lines, moves=moves[-60:][::-1],
                feed_left=business.feed_left(site, team, now), members=teams.members(site, team),
                kinds=list(StockKind), move_kinds=list(MoveKind), units=UNITS,
                can_write=user.role in BOOKKEEPERS, **extra)


@router.get("/teams/{site}/{team}/stock")
def stock_page(request: Request, site: str, team: int, _: BookReaderPage,
               business: BusinessDep, teams: TeamsDep, saved: int = 0) -> Response:
    return _stock_page(request, business, teams, site, team, saved=saved)


@dataclass(frozen=True, slots=True)
class MoveForm:
    kind: str = "delivery"
    item_kind: str = "feed"
    item: str = ""
    quantity: str = ""
    unit: str = "kg"
    protein: str = ""
    paid: str = ""
    counterparty: str = ""
    note: str = ""
    at: str = ""
    members: tuple[str, ...] = ()

    def move(self, lang: str) -> NewStockMove:
        try:
            kind, item_kind = MoveKind(self.kind), StockKind(self.item_kind)
        except ValueError as exc:
            raise InvalidRecord(f"unknown kind {self.kind!r}", key="unknown_kind",
                                kind=self.kind) from exc
        qty = (0.0 if kind is MoveKind.COUNT and self.quantity.strip() in ("0", "0,0")
               else number(self.quantity, "f_quantity", lang, bound=bounds.QUANTITY) or 0.0)
        return NewStockMove(
            date_wib(self.at, "f_date", now_ms()), kind, item_kind, self.item[:100], qty,
            self.unit, number(self.protein, "f_protein_pct", lang, required=False,
                              bound=bounds.PERCENT),
            None, number(self.paid, "f_paid_rp", lang, required=False,
                         bound=bounds.AMOUNT_RP), self.counterparty[:200], self.note[:2000],
            member_ids(self.members))


@router.post("/teams/{site}/{team}/stock")
def add_move(request: Request, site: str, team: int, user: BookkeeperPage,
             business: BusinessDep, teams: TeamsDep, users: UsersDep,
             csrf: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "delivery",
             item_kind: Annotated[str, Form()] = "feed", item: Annotated[str, Form()] = "",
             quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "kg",
             protein: Annotated[str, Form()] = "", paid: Annotated[str, Form()] = "",
             counterparty: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
             at: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
             members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    form = MoveForm(kind, item_kind, item, quantity, unit, protein, paid, counterparty, note,
                    at, tuple(members or ()))
    lang = lang_of(request)
    try:
        m = business.add_move(site, team, form.move(lang), user.username,
                              confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _stock_page(request, business, teams, site, team, 422,
                           error=error_text(exc, lang), doubt=isinstance(exc, Implausible),
                           values=form)
    audit_move(users, user.username, site, team, m)
    return RedirectResponse(f"/teams/{site}/{team}/stock?saved={m.id}#saved", status_code=303)


# --- the kiosk's "record a sale" (where kiosk_sale_sites names the site) -----------------

def _may_sell(user: Principal, site: str, config: KolamConfig) -> None:
    if user.role in BOOKKEEPERS:
        return
    if user.role is not Role.KIOSK or site not in config.kiosk_sale_sites:
        raise Forbidden(f"the kiosk of {site!r} may not record sales (kiosk_sale_sites)")


def _sale_page(request: Request, teams: Teams, site: str, status_code: int = 200,
               **extra: object) -> Response:
    shown = [t for t in teams.teams(site) if t.ends_at is None or t.ends_at > now_ms()]
    crews = {t.id: [m for m in teams.members(site, t.id) if m.status is MemberStatus.ACTIVE]
             for t in shown}
    return page(request, "kiosk_sale.html", status_code=status_code, site=site, teams=shown,
                crews=crews, **extra)


@router.get("/kiosk/{site}/sale")
def sale_form(request: Request, site: str, user: SiteViewer, teams: TeamsDep,
              config: ConfigDep, business: BusinessDep, saved: int = 0,
              team: int = 0) -> Response:
    _may_sell(user, site, config)
    echo = None
    if saved and team:
        try:
            echo = business.entry(site, team, saved)
        except NotFound:
            echo = None
    return _sale_page(request, teams, site, echo=echo)


@router.post("/kiosk/{site}/sale")
def record_sale(request: Request, site: str, user: SiteViewer, teams: TeamsDep,
                config: ConfigDep, business: BusinessDep, users: UsersDep,
                csrf: Annotated[str, Form()] = "", team: Annotated[int, Form()] = 0,
                what: Annotated[str, Form()] = "fish_sales",
                quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "kg",
                price: Annotated[str, Form()] = "", buyer: Annotated[str, Form()] = "",
                confirm: Annotated[str, Form()] = "",
                members: Annotated[list[str] | None, Form()] = None) -> Response:
    """A sale: quantity x price per unit, money in, by the team's members who sold."""
    check_csrf(request, csrf)
    _may_sell(user, site, config)
    lang = lang_of(request)
    form = {"team": team, "what": what, "quantity": quantity, "unit": unit, "price": price,
            "buyer": buyer, "members": tuple(members or ())}
    try:
        if what not in (CashCategory.FISH_SALES.value, CashCategory.PRODUCT_SALES.value):
            raise InvalidRecord(f"unknown sale {what!r}", key="unknown_kind", kind=what)
        qty = number(quantity, "f_quantity", lang, bound=bounds.QUANTITY) or 0.0
        each = number(price, "f_price_unit", lang, bound=bounds.AMOUNT_RP) or 0.0
        e = business.add_entry(site, team, NewCashEntry(
            now_ms(), Direction.IN, CashCategory(what), qty * each, qty,
            unit if unit in UNITS else "kg", buyer.strip()[:200], t(lang, "sold_at_kiosk"),
            member_ids(tuple(members or ()))), user.username, confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _sale_page(request, teams, site, 422, error=error_text(exc, lang),
                          doubt=isinstance(exc, Implausible), form=form)
    audit_entry(users, user.username, site, team, e)
    return RedirectResponse(f"/kiosk/{site}/sale?saved={e.id}&team={team}#saved",
                            status_code=303)
