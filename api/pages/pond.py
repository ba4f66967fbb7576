"""``/sites/{site}/ponds/{pond}``: charts, dawn forecast, cycle KPIs and device health."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from api.advice import alert_title, what_to_do
from api.deps import AlertsDep, CyclesDep, MaintenanceDep, RegistryDep, StoreDep
from api.i18n import lang_of
from api.pages.care import pond_dues
from api.pages.charts import RANGES_MS, chart_data
from api.pages.dawn import dawn_forecast
from api.pages.ponds import pond_card
from api.pages.render import page
from api.pages.session import SiteViewer
from api.pond_view import PondViewsDep
from api.routes.outputs import OutputsDep
from kolam.registry.outputs import SWITCH
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
RECENT_LOGS = 12
CHART_SWITCHES = 2000
"""Switches read for the chart's bands (newest first): months of an aerator's switching."""


@router.get("/sites/{site}/ponds/{pond}")
def pond_page(request: Request, site: str, pond: str, _: SiteViewer, views: PondViewsDep,
              care: MaintenanceDep, range: str = "24h") -> Response:
    now, lang = now_ms(), lang_of(request)
    card = pond_card(views, views.registry.pond(site, pond), now)
    feed = card.kpis.feed_today if card.kpis else None
    alerts = views.alerts.find([site], pond=pond, limit=20)
    return page(request, "pond.html", site=site, card=card,
                site_name=views.registry.site(site).name,
                advice=what_to_do(card.status, card.alerts, feed, lang),
                dawn=dawn_forecast(views.store, views.config, views.registry, site, pond,
                                   now, lang), alerts=alerts,
                alert_title=alert_title, logs=list(reversed(card.logs[-RECENT_LOGS:])),
                range=range if range in RANGES_MS else "24h",
                care_dues=pond_dues(care, views.store, site, pond, now))


@router.get("/sites/{site}/ponds/{pond}/charts.json")
def pond_charts(site: str, pond: str, _: SiteViewer, store: StoreDep, registry: RegistryDep,
                cycles: CyclesDep, alerts: AlertsDep, outputs: OutputsDep,
                range: str = "24h") -> Response:
    if range not in RANGES_MS:
        raise HTTPException(422, f"range must be one of {', '.join(RANGES_MS)}")
    registry.pond(site, pond)
    cycle = cycles.active_cycle(site, pond)
    logs = cycles.records(site, cycle.id).logs if cycle else ()
    switches = outputs.events(site, pond, kinds=(SWITCH,), limit=CHART_SWITCHES)
    body = chart_data(store, alerts, logs, site, pond, range, now_ms(), switches)
    return JSONResponse(body, headers={"Cache-Control": "private, max-age=10"})
