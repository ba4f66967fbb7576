"""Run Kolam services inside the test process (threads) against real brokers and files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ingest.worker import IngestWorker
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store import SqliteStore, open_store


@contextmanager
def running_ingest(config: KolamConfig) -> Iterator[tuple[IngestWorker, SqliteStore, Registry]]:
    store = open_store(config)
    registry = Registry(config.registry_url)
    worker = IngestWorker(config, store, registry)
    worker.start()
    thread = threading.Thread(target=worker.run, name="ingest", daemon=True)
    thread.start()
    try:
        yield worker, store, registry
    finally:
        worker.stop()
        thread.join(10)
        worker.close()
        registry.close()
        store.close()
