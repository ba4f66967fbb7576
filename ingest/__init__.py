"""The ingest worker: MQTT telemetry → validated, deduplicated time series, and the alert
engine that evaluates every stored batch (``ingest.alerts``)."""

from ingest.worker import IngestWorker

__all__ = ["IngestWorker"]
