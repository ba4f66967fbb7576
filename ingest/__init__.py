"""The ingest worker: MQTT telemetry → validated, deduplicated time series."""

from ingest.worker import IngestWorker

__all__ = ["IngestWorker"]
