"""``kolam ingest``: run one ingest worker until SIGTERM/SIGINT."""

from __future__ import annotations

import gc
import logging

from prometheus_client import start_http_server

from ingest.metrics import IngestMetrics
from ingest.retention import RetentionThread
from ingest.worker import IngestWorker
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.runtime.shutdown import stop_on_signals
from kolam.store import open_store

log = logging.getLogger(__name__)


def _tune_gc() -> None:
    """Ingest allocates tens of thousands of short-lived tuples a batch, and almost no
    reference cycles. With the default thresholds the collector runs every 700
    allocations and its full passes walk everything loaded at start-up (SQLAlchemy,
    pydantic, paho); freezing that and collecting less often is worth about 15 % of
    throughput with 60-sample messages (bench/ingest.py)."""
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def run(config: KolamConfig) -> None:
    """Start-up in order: store, registry, metrics, MQTT; shut down in reverse."""
    store = open_store(config)
    registry = Registry(config.registry_url, device_cache_s=config.ingest.device_cache_s)
    metrics = IngestMetrics()
    if config.ingest.metrics_port is not None:
        start_http_server(config.ingest.metrics_port, "127.0.0.1", metrics.registry)
    worker = IngestWorker(config, store, registry, metrics)
    # Pruning beside the worker, in small transactions (docs/storage.md#retention-and-roll-ups).
    retention = RetentionThread(config.retention, store, registry.engine, metrics)

    stop_on_signals(worker.stop, "finishing the current batch")
    if worker.alerts is not None:
        worker.alerts.start_notifier()
    worker.start()
    retention.start()
    _tune_gc()
    if config.ready_file is not None:
        config.ready_file.touch()
    try:
        worker.run()
    finally:
        retention.stop()
        worker.close()
        if worker.alerts is not None:
            worker.alerts.stop_notifier()
        registry.close()
        store.close()
        log.info("ingest stopped")
