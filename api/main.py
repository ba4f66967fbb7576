"""``kolam api``: serve the REST API and pages with uvicorn."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store import open_store


def run(config: KolamConfig, host: str, port: int) -> None:
    store = open_store(config)
    registry = Registry(config.registry_url)
    try:
        app = create_app(config, store, registry)
        # Live (SSE) streams stay open: bound the wait for them on shutdown.
        uvicorn.run(app, host=host, port=port, log_level=config.log_level.lower(),
                    access_log=False, timeout_graceful_shutdown=3)
    finally:
        registry.close()
        store.close()
