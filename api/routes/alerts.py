"""Alerts: list and filter, acknowledge, and silence ponds or devices for maintenance.

``/api/v1/alerts`` spans the user's sites; ``/api/v1/sites/{site}/alerts[/{alert}]`` and
``/api/v1/sites/{site}/silences`` are scoped to one site like every other site resource:
anyone of the site reads, staff (admin, officer, dinas) acknowledge, officers and admins
silence.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import CurrentUser, SiteStaff, SiteUser, SiteWriter, check_may_acknowledge
from api.deps import AlertsDep, ConfigDep
from api.public import public as to_public
from api.public import public_of
from kolam.errors import NotFound
from kolam.registry.alerts import AlertInfo, Alerts, NotificationInfo, SilenceInfo
from kolam.security.auth import Forbidden
from kolam.timeutil import now_ms

router = APIRouter(tags=["alerts"])
S = "/api/v1/sites/{site}"


@public_of(AlertInfo)
class AlertPublic(BaseModel):
    pass


@public_of(NotificationInfo)
class NotificationPublic(BaseModel):
    receipt: str | None = None
    """What the channel confirmed on delivery: Telegram's message_id, WhatsApp's wamid, the
    SMS gateway's answer (NotificationInfo.receipt, a property)."""


class SilenceIn(BaseModel):
    pond: str | None = None
    device: str | None = None
    rule: str | None = None
    starts_at: int | None = Field(None, ge=0, lt=253_402_300_800_000,  # before year 10000
                                  description="Epoch ms; default now")
    duration_s: float = Field(..., gt=0, le=30 * 86400)
    reason: str = Field("", max_length=200)


@public_of(SilenceInfo)
class SilencePublic(BaseModel):
    pass


def public(a: AlertInfo) -> AlertPublic:
    return to_public(a, AlertPublic)


def _silence(s: SilenceInfo) -> SilencePublic:
    return to_public(s, SilencePublic)


def _notification(n: NotificationInfo) -> NotificationPublic:
    return to_public(n, NotificationPublic)


class Filters:
    def __init__(self, pond: str | None = None,
                 state: Annotated[list[str] | None, Query()] = None,
                 severity: str | None = None, rule: str | None = None,
                 since: Annotated[int | None, Query(description="Epoch ms")] = None,
                 until: Annotated[int | None, Query(description="Epoch ms")] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0) -> None:
        self.pond, self.states, self.severity, self.rule = pond, state or [], severity, rule
        self.since, self.until, self.limit, self.offset = since, until, limit, offset

    def find(self, alerts: Alerts, sites: list[str] | None) -> list[AlertPublic]:
        return [public(a) for a in alerts.find(
            sites, pond=self.pond, states=self.states, severity=self.severity, rule=self.rule,
            since=self.since, until=self.until, limit=self.limit, offset=self.offset)]


FiltersDep = Annotated[Filters, Depends()]


def _in_site(alerts: Alerts, site: str, alert_id: int) -> AlertInfo:
    a = alerts.get(alert_id)
    if a.site != site:
        raise NotFound(f"no alert {alert_id} at site {site!r}")
    return a


@router.get("/api/v1/alerts", response_model=list[AlertPublic],
            summary="Alerts of every site the user may see, newest first")
def list_alerts(user: CurrentUser, alerts: AlertsDep, filters: FiltersDep,
                site: str | None = None) -> list[AlertPublic]:
    if site is not None and not user.can_see(site):
        raise Forbidden(f"user {user.username!r} has no access to site {site!r}")
    sites = [site] if site else (None if user.all_sites else sorted(user.sites))
    return filters.find(alerts, sites)


@router.get(S + "/alerts", response_model=list[AlertPublic], summary="Alerts of one site")
def site_alerts(site: str, _: SiteUser, alerts: AlertsDep,
                filters: FiltersDep) -> list[AlertPublic]:
    return filters.find(alerts, [site])


@router.get(S + "/alerts/{alert}", response_model=AlertPublic, summary="One alert")
def get_alert(site: str, alert: int, _: SiteUser, alerts: AlertsDep) -> AlertPublic:
    return public(_in_site(alerts, site, alert))


@router.get(S + "/alerts/{alert}/notifications", response_model=list[NotificationPublic],
            summary="Every notification of an alert and the outcome of each attempt")
def alert_notifications(site: str, alert: int, _: SiteStaff,
                        alerts: AlertsDep) -> list[NotificationPublic]:
    _in_site(alerts, site, alert)
    return [_notification(n) for n in alerts.notifications(alert)]


@router.post(S + "/alerts/{alert}/ack", response_model=AlertPublic,
             summary="Acknowledge: someone is on it (stops escalation and reminders)")
def acknowledge(site: str, alert: int, user: SiteStaff, alerts: AlertsDep,
                config: ConfigDep) -> AlertPublic:
    check_may_acknowledge(user, config)
    _in_site(alerts, site, alert)
    return public(alerts.acknowledge(alert, user.username, now_ms()))


@router.get(S + "/silences", response_model=list[SilencePublic],
            summary="Maintenance windows of a site")
def list_silences(site: str, _: SiteUser, alerts: AlertsDep,
                  active: bool = False) -> list[SilencePublic]:
    return [_silence(s) for s in alerts.silences(site, active_at=now_ms() if active else None)]


@router.post(S + "/silences", response_model=SilencePublic, status_code=201,
             summary="Silence a pond, device or rule: alerts are recorded, not sent")
def add_silence(site: str, body: SilenceIn, user: SiteWriter,
                alerts: AlertsDep) -> SilencePublic:
    now = now_ms()
    start = body.starts_at or now
    return _silence(alerts.add_silence(
        site, pond=body.pond, device=body.device, rule=body.rule, starts_at=start,
        ends_at=start + int(body.duration_s * 1000), reason=body.reason, by=user.username,
        now=now))


@router.delete(S + "/silences/{silence}", status_code=204, summary="End a silence")
def delete_silence(site: str, silence: int, _: SiteWriter, alerts: AlertsDep) -> None:
    alerts.delete_silence(site, silence)
