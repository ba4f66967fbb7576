"""``/teams/{site}/{team}/products``: a team's processed products (issue #20 items 3-4).

Per product (abon, nugget, kerupuk kulit, lele asap, fillet, or what the team makes) the
yield in packs per kg of fish, packs made, sold and left, cost per pack, sales and margin
(``kolam.business.products``), the batches, and the form that records a batch. A batch
takes its fish from one of the team's harvests, never more than the harvest has left after
the earlier batches; packs per kg outside what the product yields
(``kolam.business.plausible.check_batch``, asked by ``Business.add_batch`` as for the API)
are stored only when confirmed. Members by
alias, as on the book and the stock card; each batch is audited as the API does.

Packs sold are the book's product sales that name the product: the page's sale form writes
one (money in, ``product_sales``, packs x price per pack). More packs than the stock card
holds are asked about and stored when confirmed (``Business.product_sale``), as the book's
and the kiosk's sale forms and the API do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import BOOKKEEPERS
from api.deps import BusinessDep, CyclesDep, TeamsDep, UsersDep
from api.forms import date_wib, number
from api.i18n import error_text, lang_of
from api.pages.business import BookkeeperPage, BookReaderPage
from api.pages.render import page
from api.pages.session import check_csrf
from api.pages.team_records import member_ids
from api.routes.cashbook import audit_batch, audit_entry
from kolam.business.products import PACK
from kolam.business.records import (
    Batch,
    CashCategory,
    Direction,
    NewBatch,
    NewCashEntry,
)
from kolam.errors import Implausible, InvalidRecord
from kolam.farming import bounds
from kolam.registry.cashbook import Business
from kolam.registry.cycles import Cycles
from kolam.registry.records import HarvestInfo
from kolam.registry.teams import Teams
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
USUAL = ("abon lele", "nugget lele", "kerupuk kulit lele", "lele asap", "fillet lele")
"""The usual lele UMKM line (DOMAIN.md), offered as the product's name."""
ZERO = ("0", "0,0", "0.0", "0,00", "0.00")


@dataclass(frozen=True, slots=True)
class FishSource:
    """A harvest of the team a batch may take fish from, with what earlier batches left."""

    harvest: HarvestInfo
    pond: str
    left_kg: float


def fish_sources(cycles: Cycles, batches: list[Batch], site: str,
                 team: int) -> list[FishSource]:
    """The team's harvests (not voided), newest first."""
    out = []
    for c in cycles.cycles(site, team_id=team):
        for h in cycles.records(site, c.id).harvests:
            used = sum(b.fish_kg for b in batches if b.harvest_id == h.id)
            out.append(FishSource(h, c.pond, max(0.0, h.kg - used)))
    return sorted(out, key=lambda s: (s.harvest.at, s.harvest.id), reverse=True)


@dataclass(frozen=True, slots=True)
class BatchForm:
    """The batch form as typed (kept to fill it again after an error)."""

    product: str = ""
    harvest: str = ""
    fish_kg: str = ""
    packs: str = ""
    inputs: str = ""
    paid: str = ""
    note: str = ""
    at: str = ""
    members: tuple[str, ...] = ()

    def batch(self, lang: str) -> NewBatch:
        product = " ".join(self.product.split())[:100]
        if not product:
            raise InvalidRecord("a batch needs a product", key="product_required")
        if not self.harvest.isdigit():
            raise InvalidRecord("choose the harvest the fish came from",
                                key="batch_harvest")
        inputs = (0.0 if self.inputs.strip() in ZERO else
                  number(self.inputs, "f_inputs_rp", lang, required=False,
                         bound=bounds.AMOUNT_RP) or 0.0)
        return NewBatch(
            date_wib(self.at, "f_date", now_ms()), product,
            number(self.fish_kg, "f_fish_kg", lang, bound=bounds.HARVEST_KG) or 0.0,
            number(self.packs, "f_packs", lang, integer=True, bound=bounds.QUANTITY) or 0.0,
            int(self.harvest), None, inputs, self.paid == "1", self.note.strip()[:2000],
            member_ids(self.members))


def check_fish(new: NewBatch, sources: list[FishSource]) -> None:
    """The harvest is the team's and has the fish left (``InvalidRecord`` otherwise)."""
    source = next((s for s in sources if s.harvest.id == new.harvest_id), None)
    if source is None:
        raise InvalidRecord(f"harvest {new.harvest_id} is not a harvest of this team",
                            key="batch_harvest")
    if new.fish_kg > source.left_kg + 1e-9:
        raise InvalidRecord(
            f"{new.fish_kg:g} kg is more than the {source.left_kg:g} kg left of the "
            f"harvest's {source.harvest.kg:g} kg", key="batch_fish_over", kg=new.fish_kg,
            left=round(source.left_kg, 1), harvest_kg=source.harvest.kg)


def _products_page(request: Request, business: Business, cycles: Cycles, teams: Teams,
                   site: str, team: int, status_code: int = 200, saved: int = 0,
                   sold: int = 0, **extra: object) -> Response:
    batches = business.batches(site, team)
    sale = next((e for e in business.typed_entries(site, team) if e.id == sold),
                None) if sold else None
    results = business.products(site, team)
    members = teams.members(site, team)
    names = list(dict.fromkeys([*USUAL, *(p.product for p in results)]))
    return page(request, "products.html", status_code=status_code, site=site,
                team=teams.team(site, team), products=results, batches=batches[::-1],
                sources=fish_sources(cycles, batches, site, team), members=members,
                aliases={m.id: m.alias for m in members}, product_names=names,
                echo=next((b for b in batches if b.id == saved), None) if saved else None,
                sale=sale, stock=business.packs_left(site, team),
                can_write=request.state.user.role in BOOKKEEPERS, **extra)


@router.get("/teams/{site}/{team}/products")
def products_page(request: Request, site: str, team: int, _: BookReaderPage,
                  business: BusinessDep, cycles: CyclesDep, teams: TeamsDep,
                  saved: int = 0, sold: int = 0) -> Response:
    return _products_page(request, business, cycles, teams, site, team, saved=saved,
                          sold=sold)


@router.post("/teams/{site}/{team}/products")
def add_batch(request: Request, site: str, team: int, user: BookkeeperPage,
              business: BusinessDep, cycles: CyclesDep, teams: TeamsDep, users: UsersDep,
              csrf: Annotated[str, Form()] = "", product: Annotated[str, Form()] = "",
              harvest: Annotated[str, Form()] = "", fish_kg: Annotated[str, Form()] = "",
              packs: Annotated[str, Form()] = "", inputs: Annotated[str, Form()] = "",
              paid: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
              at: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
              members: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    form = BatchForm(product, harvest, fish_kg, packs, inputs, paid, note, at,
                     tuple(members or ()))
    lang = lang_of(request)
    try:
        new = form.batch(lang)
        check_fish(new, fish_sources(cycles, business.batches(site, team), site, team))
        b = business.add_batch(site, team, new, user.username, confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _products_page(request, business, cycles, teams, site, team, 422,
                              error=error_text(exc, lang),
                              doubt=isinstance(exc, Implausible), values=form)
    audit_batch(users, user.username, site, team, b)
    return RedirectResponse(f"/teams/{site}/{team}/products?saved={b.id}#saved",
                            status_code=303)


@dataclass(frozen=True, slots=True)
class SaleForm:
    """The sell-packs form as typed."""

    product: str = ""
    packs: str = ""
    price: str = ""
    buyer: str = ""
    at: str = ""
    members: tuple[str, ...] = ()

    def entry(self, lang: str) -> NewCashEntry:
        """The sale as typed; ``Business.product_sale`` checks the product and its packs."""
        packs = number(self.packs, "f_packs_sold", lang, integer=True,
                       bound=bounds.QUANTITY) or 0.0
        each = number(self.price, "f_price_pack", lang, bound=bounds.AMOUNT_RP) or 0.0
        name = " ".join(self.product.split())
        return NewCashEntry(date_wib(self.at, "f_date", now_ms()), Direction.IN,
                            CashCategory.PRODUCT_SALES, packs * each, packs, PACK,
                            self.buyer.strip()[:200], name, member_ids(self.members),
                            product=name)


@router.post("/teams/{site}/{team}/products/sale")
def sell_packs(request: Request, site: str, team: int, user: BookkeeperPage,
               business: BusinessDep, cycles: CyclesDep, teams: TeamsDep, users: UsersDep,
               csrf: Annotated[str, Form()] = "", product: Annotated[str, Form()] = "",
               packs: Annotated[str, Form()] = "", price: Annotated[str, Form()] = "",
               buyer: Annotated[str, Form()] = "", at: Annotated[str, Form()] = "",
               confirm: Annotated[str, Form()] = "",
               members: Annotated[list[str] | None, Form()] = None) -> Response:
    """Packs sold: money in to the book, the packs off the stock card; more packs than
    the card holds are asked about, as on the book's and the kiosk's sale forms."""
    check_csrf(request, csrf)
    form = SaleForm(product, packs, price, buyer, at, tuple(members or ()))
    lang = lang_of(request)
    try:
        new = business.product_sale(site, team, form.entry(lang), confirm == "1")
        e = business.add_entry(site, team, new, user.username, confirmed=confirm == "1")
    except InvalidRecord as exc:
        return _products_page(request, business, cycles, teams, site, team, 422,
                              sale_error=error_text(exc, lang),
                              sale_doubt=isinstance(exc, Implausible), sale_values=form)
    audit_entry(users, user.username, site, team, e)
    return RedirectResponse(f"/teams/{site}/{team}/products?sold={e.id}#sold",
                            status_code=303)
