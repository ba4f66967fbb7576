"""``/healthz`` and ``/metrics`` (Prometheus text format)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.auth import metrics_access
from api.deps import RegistryDep, StoreDep
from kolam.registry.repo import Registry

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and storage reachability")
def healthz(store: StoreDep, registry: RegistryDep) -> JSONResponse:
    checks = {}
    for name, probe in (("registry", lambda: registry.sites()), ("store", lambda: store.series())):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"error: {exc}"[:200]
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "degraded", "checks": checks},
                        status_code=200 if ok else 503)


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
