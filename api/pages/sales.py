"""Sales of the team's processed products from the book and the kiosk (issue #20 items 3-4).

``/kiosk/{site}/sale``: the large "record a sale" form on the trainees' tablet, where the
config's ``kiosk_sale_sites`` names the site (and for the staff who write books). As on the
book's entry form (``kolam.business.products.sold_product``), a product sale names one of the
team's products from a select that shows each with the packs the stock card holds (made,
less sold, as the last count put it), never an id. More packs than the card holds are
asked about (``Implausible``) and stored when confirmed: the card can be wrong, and a count
puts it right. The packs leave the stock card through the entry's ``product``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import BOOKKEEPERS
from api.deps import BusinessDep, ConfigDep, TeamsDep, UsersDep
from api.forms import number
from api.i18n import error_text, lang_of, t
from api.pages.business import UNITS
from api.pages.render import page
from api.pages.session import SiteViewer, check_csrf
from api.pages.team_records import member_ids
from api.routes.cashbook import audit_entry
from kolam.business.products import PACK, sold_product
from kolam.business.records import CashCategory, Direction, NewCashEntry
from kolam.config import KolamConfig
from kolam.errors import Forbidden, Implausible, InvalidRecord, NotFound
from kolam.farming import bounds
from kolam.registry.cashbook import Business
from kolam.registry.records import MemberStatus
from kolam.registry.teams import Teams
from kolam.security.auth import Principal, Role
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
def _may_sell(user: Principal, site: str, config: KolamConfig) -> None:
    if user.role in BOOKKEEPERS:
        return
    if user.role is not Role.KIOSK or site not in config.kiosk_sale_sites:
        raise Forbidden(f"the kiosk of {site!r} may not record sales (kiosk_sale_sites)")


def _sale_page(request: Request, teams: Teams, business: Business, site: str,
               status_code: int = 200, **extra: object) -> Response:
    shown = [t for t in teams.teams(site) if t.ends_at is None or t.ends_at > now_ms()]
    crews = {t.id: [m for m in teams.members(site, t.id) if m.status is MemberStatus.ACTIVE]
             for t in shown}
    stock = {t.id: business.packs_left(site, t.id) for t in shown}
    return page(request, "kiosk_sale.html", status_code=status_code, site=site, teams=shown,
                crews=crews, stock=stock, **extra)


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
    return _sale_page(request, teams, business, site, echo=echo)


@router.post("/kiosk/{site}/sale")
def record_sale(request: Request, site: str, user: SiteViewer, teams: TeamsDep,
                config: ConfigDep, business: BusinessDep, users: UsersDep,
                csrf: Annotated[str, Form()] = "", team: Annotated[int, Form()] = 0,
                what: Annotated[str, Form()] = "fish_sales",
                product: Annotated[str, Form()] = "",
                quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "kg",
                price: Annotated[str, Form()] = "", buyer: Annotated[str, Form()] = "",
                confirm: Annotated[str, Form()] = "",
                members: Annotated[list[str] | None, Form()] = None) -> Response:
    """A sale: quantity x price per unit, money in, by the team's members who sold; a
    product sale names the product (its packs leave the stock card)."""
    check_csrf(request, csrf)
    _may_sell(user, site, config)
    lang = lang_of(request)
    form = {"team": team, "what": what, "product": product, "quantity": quantity,
            "unit": unit, "price": price, "buyer": buyer, "members": tuple(members or ())}
    try:
        if what not in (CashCategory.FISH_SALES.value, CashCategory.PRODUCT_SALES.value):
            raise InvalidRecord(f"unknown sale {what!r}", key="unknown_kind", kind=what)
        qty = number(quantity, "f_quantity", lang, bound=bounds.QUANTITY) or 0.0
        each = number(price, "f_price_unit", lang, bound=bounds.AMOUNT_RP) or 0.0
        sold, unit = None, unit if unit in UNITS else "kg"
        if what == CashCategory.PRODUCT_SALES.value:
            sold, unit = sold_product(business.packs_left(site, team), product, qty,
                                       confirm == "1"), PACK
        e = business.add_entry(site, team, NewCashEntry(
            now_ms(), Direction.IN, CashCategory(what), qty * each, qty, unit,
            buyer.strip()[:200], f"{sold}, {t(lang, 'sold_at_kiosk')}" if sold
            else t(lang, "sold_at_kiosk"), member_ids(tuple(members or ())), product=sold),
            user.username, confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _sale_page(request, teams, business, site, 422, error=error_text(exc, lang),
                          doubt=isinstance(exc, Implausible), form=form)
    audit_entry(users, user.username, site, team, e)
    return RedirectResponse(f"/kiosk/{site}/sale?saved={e.id}&team={team}#saved",
                            status_code=303)
