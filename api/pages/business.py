"""``/teams/{site}/{team}/book`` and ``.../stock``: a team's cash book and stock card
(issue #20), for officers and the UMKM trainers (who see members by alias only), read by
the Dinas; and the printable month in the style of a paper buku kas (A4).

The forms read money the way the page's language writes it (``22.000`` is twenty-two
thousand rupiah on the Indonesian page, ``api.pages.forms``), ask before storing what
looks wrong (``kolam.business.plausible``) and write through the same registry code and
audit lines as the API (``api.routes.cashbook``). A wrong entry is reversed, never edited.
A product sale names the product from the stock card's products (``Business.product_sale``,
as the API, the kiosk's sale form in ``api.pages.sales`` and the products page).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import BOOK_READERS, BOOKKEEPERS
from api.deps import BusinessDep, RegistryDep, TeamsDep, UsersDep
from api.forms import date_wib, number
from api.i18n import error_text, lang_of
from api.pages.render import page
from api.pages.session import check_csrf, page_site
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
from kolam.errors import Implausible, InvalidRecord
from kolam.farming import bounds
from kolam.places import site_zone
from kolam.registry.cashbook import Business
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.security.auth import Principal
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
                products=business.packs_left(site, team),
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
    product: str = ""

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
              product: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
              members: Annotated[list[str] | None, Form()] = None) -> Response:
    """An entry; a product sale (money in) names the product and is counted in packs."""
    check_csrf(request, csrf)
    form = EntryForm(direction, category, amount, quantity, unit, counterparty, note, at,
                     cycle, tuple(members or ()), product)
    lang = lang_of(request)
    try:
        new = form.entry(lang)
        if new.category is CashCategory.PRODUCT_SALES and new.direction is Direction.IN:
            new = business.product_sale(site, team, replace(new, product=product),
                                        confirm == "1")
        e = business.add_entry(site, team, new, user.username, confirmed=confirm == "1")
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
