"""A team's cash book (buku kas) and stock card (issue #20):
``/api/v1/sites/{site}/teams/{team}/cashbook[/summary|/months|/cycles]`` and ``.../stock``.

The book lists the typed entries with the money the farming records hold (harvest sales,
cycle costs, seed at stocking; ``source`` says which), so nothing is typed twice. A wrong
entry is corrected by a new one that reverses it (``reverses`` and ``reason``), never
edited; every write is audited. A product sale (money in, ``product_sales``) names one of
the team's products (``product``; 422 without) and is counted in packs; more packs than the
stock card holds are 422 ``needs_confirmation`` until resent with ``confirm``. Officers,
admins and the site's UMKM trainers write; the Dinas reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import SiteBookkeeper, SiteBookReader
from api.business_schemas import (
    BatchCreate,
    BatchPublic,
    CashEntryCreate,
    CashEntryPublic,
    CycleResultPublic,
    FeedLeftPublic,
    MonthSummaryPublic,
    ProductResultPublic,
    StockLinePublic,
    StockMoveCreate,
    StockMovePublic,
    StockPublic,
)
from api.deps import BusinessDep, RegistryDep, UsersDep
from api.farm_schemas import ms, new_record, public
from api.routes.records import summary
from kolam.business.book import month_summary as summarise
from kolam.business.book import months
from kolam.business.records import (
    Batch,
    CashEntry,
    NewBatch,
    NewCashEntry,
    NewStockMove,
    StockMove,
)
from kolam.farming.monthly import month_span
from kolam.places import site_zone
from kolam.registry.users import Users
from kolam.timeutil import local_month, now_ms


def audit_entry(users: Users, by: str, site: str, team: int, e: CashEntry) -> None:
    users.audit(by, "create", "cash_entry", e.id, site, f"team {team}: {summary(e)}")


def audit_reversal(users: Users, by: str, site: str, team: int, old: CashEntry,
                   done: CashEntry) -> None:
    """The audit line of a reversal: the entry cancelled as it was, by which, why."""
    users.audit(by, "correct", "cash_entry", old.id, site,
                f"team {team}: reversed by entry {done.id}: {done.reason}; was {summary(old)}")


def audit_move(users: Users, by: str, site: str, team: int, m: StockMove) -> None:
    users.audit(by, "create", "stock_move", m.id, site, f"team {team}: {summary(m)}")


def audit_batch(users: Users, by: str, site: str, team: int, b: Batch) -> None:
    users.audit(by, "create", "product_batch", b.id, site, f"team {team}: {summary(b)}")


router = APIRouter(prefix="/api/v1/sites/{site}/teams/{team}", tags=["business"])

Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$",
                                    description="YYYY-MM in the site's time zone")]


@router.get("/cashbook", response_model=list[CashEntryPublic],
            summary="The team's cash book, oldest first (typed and derived lines)")
def list_entries(site: str, team: int, _: SiteBookReader, business: BusinessDep,
                 registry: RegistryDep, month: Month = None) -> list[CashEntryPublic]:
    lines = business.lines(site, team)
    if month is not None:
        start, end = month_span(month, site_zone(registry.site(site).timezone))
        lines = [e for e in lines if start <= e.at < end]
    return [public(e, CashEntryPublic) for e in lines]


@router.post("/cashbook", response_model=CashEntryPublic, status_code=201,
             summary="Write an entry, or reverse a wrong one (reverses + reason; audited); a "
             "product sale names the team's product, more packs than the card holds are "
             "422 until resent with confirm")
def add_entry(site: str, team: int, body: CashEntryCreate, user: SiteBookkeeper,
              business: BusinessDep, users: UsersDep) -> CashEntryPublic:
    if body.reverses is not None:
        old = business.entry(site, team, body.reverses)
        done = business.reverse(site, team, body.reverses, ms(body.at), user.username,
                                body.reason or "")
        audit_reversal(users, user.username, site, team, old, done)
        return public(done, CashEntryPublic)
    new = business.product_sale(site, team, new_record(body, NewCashEntry), body.confirm)
    e = business.add_entry(site, team, new, user.username, confirmed=body.confirm)
    audit_entry(users, user.username, site, team, e)
    return public(e, CashEntryPublic)


@router.get("/cashbook/summary", response_model=MonthSummaryPublic,
            summary="A month of the book: opening, in, out, closing, by category")
def month_summary(site: str, team: int, _: SiteBookReader, business: BusinessDep,
                  registry: RegistryDep, month: Month = None) -> MonthSummaryPublic:
    tz = site_zone(registry.site(site).timezone)
    return public(business.summary(site, team, month or local_month(now_ms(), tz), tz),
                  MonthSummaryPublic)


@router.get("/cashbook/months", response_model=list[MonthSummaryPublic],
            summary="Profit and loss per month: every month of the book, newest first")
def month_summaries(site: str, team: int, _: SiteBookReader, business: BusinessDep,
                    registry: RegistryDep) -> list[MonthSummaryPublic]:
    tz = site_zone(registry.site(site).timezone)
    lines = business.lines(site, team)
    return [public(summarise(team, lines, m, tz), MonthSummaryPublic)
            for m in months(lines, tz)]


@router.get("/cashbook/cycles", response_model=list[CycleResultPublic],
            summary="Profit and loss per cycle of the team")
def cycle_results(site: str, team: int, _: SiteBookReader,
                  business: BusinessDep) -> list[CycleResultPublic]:
    return [public(r, CycleResultPublic) for r in business.cycle_results(site, team)]


@router.get("/stock", response_model=StockPublic,
            summary="The stock card: on hand per item, and days of feed left")
def get_stock(site: str, team: int, _: SiteBookReader, business: BusinessDep) -> StockPublic:
    now = now_ms()
    lines, _moves = business.stock(site, team, now)
    return StockPublic(lines=[public(x, StockLinePublic) for x in lines],
                       feed_left=public(business.feed_left(site, team, now), FeedLeftPublic))


@router.get("/stock/moves", response_model=list[StockMovePublic],
            summary="Every move of the stock card, oldest first (feeding logs included)")
def list_moves(site: str, team: int, _: SiteBookReader,
               business: BusinessDep) -> list[StockMovePublic]:
    return [public(m, StockMovePublic) for m in business.stock(site, team)[1]]


@router.post("/stock", response_model=StockMovePublic, status_code=201,
             summary="A delivery (paid_rp: also in the book), a use or a count (audited)")
def add_move(site: str, team: int, body: StockMoveCreate, user: SiteBookkeeper,
             business: BusinessDep, users: UsersDep) -> StockMovePublic:
    m = business.add_move(site, team, new_record(body, NewStockMove), user.username,
                          confirmed=body.confirm)
    audit_move(users, user.username, site, team, m)
    return public(m, StockMovePublic)


@router.get("/products", response_model=list[ProductResultPublic],
            summary="Yield and margin per processed product")
def list_products(site: str, team: int, _: SiteBookReader,
                  business: BusinessDep) -> list[ProductResultPublic]:
    return [public(p, ProductResultPublic) for p in business.products(site, team)]


@router.get("/products/batches", response_model=list[BatchPublic],
            summary="Production batches, oldest first")
def list_batches(site: str, team: int, _: SiteBookReader,
                 business: BusinessDep) -> list[BatchPublic]:
    return [public(b, BatchPublic) for b in business.batches(site, team)]


@router.post("/products/batches", response_model=BatchPublic, status_code=201,
             summary="A production batch: fish and inputs in, packs out (audited); packs "
             "per kg of fish odd for the product are 422 until resent with confirm")
def add_batch(site: str, team: int, body: BatchCreate, user: SiteBookkeeper,
              business: BusinessDep, users: UsersDep) -> BatchPublic:
    b = business.add_batch(site, team, new_record(body, NewBatch), user.username,
                           confirmed=body.confirm)
    audit_batch(users, user.username, site, team, b)
    return public(b, BatchPublic)
