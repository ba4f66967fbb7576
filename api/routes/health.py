"""``/healthz`` and ``/metrics`` (Prometheus text format)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.auth import _api_key, _bearer, current_user, metrics_access
from api.deps import ConfigDep, RegistryDep, StoreDep
from kolam.errors import NotFound
from kolam.registry.repo import Registry
from kolam.security.auth import AuthError, Role
from kolam.security.redact import config_secrets, redact

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)
MAX_DETAIL = 300


def _is_admin(request: Request, token: str | None, key: str | None) -> bool:
    """Whether optional credentials name an admin; anyone else just gets less detail."""
    if not token and not key:
        return False
    try:
        return current_user(request, token, key).role is Role.ADMIN
    except (AuthError, NotFound):
        return False


@router.get("/healthz", summary="Liveness and storage reachability",
            description="Public: `ok` or `error` per component. An admin's login or API key "
                        "also gets each error's text, with credentials cut out.")
def healthz(request: Request, store: StoreDep, registry: RegistryDep, config: ConfigDep,
            token: Annotated[str | None, Security(_bearer)],
            key: Annotated[str | None, Security(_api_key)]) -> JSONResponse:
    checks: dict[str, str] = {}
    details: dict[str, str] = {}
    for name, probe in (("registry", lambda: registry.sites()), ("store", lambda: store.series())):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:
            # A driver's error may carry its URL with user:password: never shown raw, and
            # shown at all only to admins (and the log), not to anyone who asks.
            checks[name] = "error"
            details[name] = redact(f"{type(exc).__name__}: {exc}", config_secrets(config)
                                   )[:MAX_DETAIL]
    _log_changes(request, details)
    ok = not details
    body: dict[str, object] = {"status": "ok" if ok else "degraded", "checks": checks}
    if details and _is_admin(request, token, key):
        body["details"] = details
    return JSONResponse(body, status_code=200 if ok else 503)


def _log_changes(request: Request, details: dict[str, str]) -> None:
    """Log a component's failure once when it starts and once when it recovers."""
    before: dict[str, str] = getattr(request.app.state, "health_failures", {})
    for name, detail in details.items():
        if before.get(name) != detail:
            log.warning("health check %s failed: %s", name, detail)
    for name in before.keys() - details.keys():
        log.warning("health check %s recovered", name)
    request.app.state.health_failures = details


class RegistryCollector(Collector):
    """Reads dead-letter and device counts from the registry at scrape time."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[GaugeMetricFamily]:
        dead = GaugeMetricFamily("kolam_dead_letters", "Dead letters stored, by reason",
                                 labels=["reason"])
        for reason, n in sorted(self.registry.dead_letter_counts().items()):
            dead.add_metric([reason], n)
        yield dead
        online = GaugeMetricFamily("kolam_devices", "Registered devices by last known state",
                                   labels=["site", "state"])
        for site in self.registry.sites():
            states: dict[str, int] = {"online": 0, "offline": 0, "unknown": 0}
            for d in self.registry.devices(site.slug):
                key = "unknown" if d.online is None else "online" if d.online else "offline"
                states[key] += 1
            for state, n in states.items():
                online.add_metric([site.slug, state], n)
        yield online


@router.get("/metrics", summary="Prometheus metrics (this machine, or an admin login/API key)",
            dependencies=[Depends(metrics_access)])
def metrics(request: Request) -> Response:
    reg: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(reg), media_type=CONTENT_TYPE_LATEST)
