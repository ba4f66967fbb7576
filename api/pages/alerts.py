"""``/alerts``: the alerts of the user's sites; acknowledge one, silence a pond.

Same rules as the API (``api.routes.alerts``): the staff on site (admin, officer)
acknowledge, the Dinas too when ``alerts.dinas_may_acknowledge``; admin and officer of the
site add silences.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.advice import alert_advice, alert_title
from api.auth import STAFF, WRITERS, ack_roles, check_may_acknowledge
from api.deps import AlertsDep, ConfigDep, RegistryDep
from api.forms import number
from api.i18n import error_text, lang_of
from api.pages.render import page
from api.pages.session import (
    PageUser,
    SiteStaffPage,
    SiteWriterPage,
    check_csrf,
    user_sites,
)
from kolam.config import KolamConfig
from kolam.errors import NotFound
from kolam.registry.alerts import Alerts
from kolam.registry.records import InvalidRecord
from kolam.registry.repo import Registry
from kolam.security.auth import Forbidden, Principal
from kolam.timeutil import now_ms

router = APIRouter(include_in_schema=False)
ACTIVE = ("open", "acknowledged")
MAX_SILENCE_H = 30 * 24


def _alerts_page(request: Request, user: Principal, registry: Registry, alerts: Alerts,
                 config: KolamConfig, site: str | None, show: str, status_code: int = 200,
                 **extra: object) -> Response:
    sites = user_sites(registry, user)
    if site is not None and site not in sites:
        raise Forbidden(f"user {user.username!r} has no access to site {site!r}")
    chosen = [site] if site else sites
    found = alerts.find(chosen, states=ACTIVE if show == "active" else (), limit=200)
    now = now_ms()
    silences = {s: alerts.silences(s, active_at=now) for s in chosen}
    # What reached people (and what the service confirmed), for the staff who answer for
    # it; MQTT events are for machines and are left out.
    deliveries = {} if user.role not in STAFF else {
        a: [n for n in ns if n.channel != "mqtt"]
        for a, ns in alerts.deliveries([a.id for a in found]).items()}
    return page(request, "alerts.html", status_code=status_code, alerts=found, site=site,
                sites=sites, show=show, silences=silences, deliveries=deliveries,
                can_ack=user.role in ack_roles(config),
                can_silence=user.role in WRITERS, alert_title=alert_title,
                alert_advice=alert_advice,
                ponds={s: [p.slug for p in registry.ponds(s)] for s in chosen}, **extra)


@router.get("/alerts")
def alerts_page(request: Request, user: PageUser, registry: RegistryDep, alerts: AlertsDep,
                config: ConfigDep, site: str | None = None, show: str = "active") -> Response:
    return _alerts_page(request, user, registry, alerts, config, site or None, show)


@router.post("/sites/{site}/alerts/{alert}/ack")
def acknowledge(request: Request, site: str, alert: int, user: SiteStaffPage,
                registry: RegistryDep, alerts: AlertsDep, config: ConfigDep,
                csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    check_may_acknowledge(user, config)
    if alerts.get(alert).site != site:
        raise NotFound(f"no alert {alert} at site {site!r}")
    try:
        alerts.acknowledge(alert, user.username, now_ms())
    except InvalidRecord as exc:
        return _alerts_page(request, user, registry, alerts, config, None, "active", 422,
                            error=error_text(exc, lang_of(request)))
    return RedirectResponse(f"/alerts?acked={alert}", status_code=303)


@router.post("/sites/{site}/silences")
def silence(request: Request, site: str, user: SiteWriterPage, registry: RegistryDep,
            alerts: AlertsDep, config: ConfigDep, csrf: Annotated[str, Form()] = "",
            pond: Annotated[str, Form()] = "", hours: Annotated[str, Form()] = "",
            reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        h = number(hours, "f_hours", lang_of(request)) or 0.0
        if h > MAX_SILENCE_H:
            raise InvalidRecord(f"hours: at most {MAX_SILENCE_H} (30 days)", key="at_most",
                                field="f_hours", high=MAX_SILENCE_H, unit="h")
        if pond:
            try:
                registry.pond(site, pond)
            except NotFound as exc:
                raise InvalidRecord(str(exc)) from exc
        now = now_ms()
        alerts.add_silence(site, pond=pond or None, device=None, rule=None, starts_at=now,
                           ends_at=now + int(h * 3_600_000), reason=reason.strip()[:200],
                           by=user.username, now=now)
    except InvalidRecord as exc:
        return _alerts_page(request, user, registry, alerts, config, site, "active", 422,
                            error=error_text(exc, lang_of(request)))
    return RedirectResponse(f"/alerts?site={site}&silenced=1", status_code=303)
