"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from api.routes import deadletters, health, series, sites
from api.routes.health import RegistryCollector
from kolam.config import KolamConfig
from kolam.errors import KolamError, NotFound, StoreUnavailable
from kolam.registry.repo import Registry
from kolam.store.base import TimeSeriesReader


def create_app(config: KolamConfig, store: TimeSeriesReader, registry: Registry) -> FastAPI:
    """Build the API over an open store and registry (the caller closes them)."""
    app = FastAPI(title="Kolam", version="1", docs_url="/docs",
                  description="Pond water quality for the lele training programme.")
    app.state.config = config
    app.state.store = store
    app.state.registry = registry
    metrics = CollectorRegistry()
    metrics.register(RegistryCollector(registry))
    app.state.metrics = metrics

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(StoreUnavailable)
    async def _busy(request: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse({"detail": f"storage busy, retry: {exc}"}, status_code=503,
                            headers={"Retry-After": "1"})

    @app.exception_handler(KolamError)
    async def _kolam(request: Request, exc: KolamError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=500)

    for module in (health, sites, series, deadletters):
        app.include_router(module.router)
    return app
