"""``/alerts``: the alerts of the user's sites; acknowledge one, silence a pond.

Same rules as the API (``api.routes.alerts``): staff of the site (admin, officer, dinas)
acknowledge; admin and officer of the site add silences.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import STAFF, WRITERS
from api.i18n import error_text, lang_of
from api.pages.advice import alert_advice, alert_title
from api.pages.forms import number
from api.pages.render import page
from api.pages.session import (
    PageUser,
    SiteStaffPage,
    SiteWriterPage,
    check_csrf,
    user_sites,
)
from kolam.auth import Forbidden
from kolam.errors import NotFound
from kolam.registry.records import InvalidRecord
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
ACTIVE = ("open", "acknowledged")
MAX_SILENCE_H = 30 * 24


def _alerts_page(request: Request, user: PageUser, site: str | None, show: str,
                 status_code: int = 200, **extra: object) -> Response:
    state = request.app.state
    sites = user_sites(request, user)
    if site is not None and site not in sites:
        raise Forbidden(f"user {user.username!r} has no access to site {site!r}")
    chosen = [site] if site else sites
    found = state.alerts.find(chosen, states=ACTIVE if show == "active" else (), limit=200)
    now = now_ms()
    silences = {s: state.alerts.silences(s, active_at=now) for s in chosen}
    return page(request, "alerts.html", status_code=status_code, alerts=found, site=site,
                sites=sites, show=show, silences=silences, can_ack=user.role in STAFF,
                can_silence=user.role in WRITERS, alert_title=alert_title,
                alert_advice=alert_advice,
                ponds={s: [p.slug for p in state.registry.ponds(s)] for s in chosen}, **extra)


@router.get("/alerts")
def alerts_page(request: Request, user: PageUser, site: str | None = None,
                show: str = "active") -> Response:
    return _alerts_page(request, user, site or None, show)


@router.post("/sites/{site}/alerts/{alert}/ack")
def acknowledge(request: Request, site: str, alert: int, user: SiteStaffPage,
                csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    alerts = request.app.state.alerts
    if alerts.get(alert).site != site:
        raise NotFound(f"no alert {alert} at site {site!r}")
    try:
        alerts.acknowledge(alert, user.username, now_ms())
    except InvalidRecord as exc:
        return _alerts_page(request, user, None, "active", 422,
                            error=error_text(exc, lang_of(request)))
    return RedirectResponse(f"/alerts?acked={alert}", status_code=303)


@router.post("/sites/{site}/silences")
def silence(request: Request, site: str, user: SiteWriterPage,
            csrf: Annotated[str, Form()] = "", pond: Annotated[str, Form()] = "",
            hours: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
            ) -> Response:
    check_csrf(request, csrf)
    state = request.app.state
    try:
        h = number(hours, "f_hours", lang_of(request)) or 0.0
        if h > MAX_SILENCE_H:
            raise InvalidRecord(f"hours: at most {MAX_SILENCE_H} (30 days)", key="at_most",
                                field="f_hours", high=MAX_SILENCE_H, unit="h")
        if pond:
            try:
                state.registry.pond(site, pond)
            except NotFound as exc:
                raise InvalidRecord(str(exc)) from exc
        now = now_ms()
        state.alerts.add_silence(site, pond=pond or None, device=None, rule=None,
                                 starts_at=now, ends_at=now + int(h * 3_600_000),
                                 reason=reason.strip()[:200], by=user.username, now=now)
    except InvalidRecord as exc:
        return _alerts_page(request, user, site, "active", 422,
                            error=error_text(exc, lang_of(request)))
    return RedirectResponse(f"/alerts?site={site}&silenced=1", status_code=303)
