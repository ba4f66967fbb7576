"""Prometheus metrics of the ingest process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class IngestMetrics:
    """Counters and gauges for one worker; each worker has its own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.messages = Counter("kolam_ingest_messages", "MQTT messages received", ["kind"],
                                registry=r)
        self.samples = Counter("kolam_ingest_samples_stored", "Values stored", registry=r)
        self.duplicates = Counter("kolam_ingest_duplicates", "Values already stored (redelivery)",
                                  registry=r)
        self.dead = Counter("kolam_ingest_dead_letters", "Dead-lettered messages or values",
                            ["reason"], registry=r)
        self.commit_seconds = Histogram(
            "kolam_ingest_commit_seconds", "Time to commit one batch durably", registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.batch_messages = Histogram(
            "kolam_ingest_batch_messages", "Messages per committed batch", registry=r,
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000))
        self.store_retries = Counter("kolam_ingest_store_retries", "Transient store failures",
                                     registry=r)
        self.in_flight = Gauge("kolam_ingest_in_flight",
                               "Received and waiting in the inbox (not yet committed)", registry=r)
        self.lag_seconds = Gauge("kolam_ingest_lag_seconds",
                                 "Now minus the newest sample time in the last batch", registry=r)
        self.newest_sample_ms = Gauge("kolam_ingest_newest_sample_ms",
                                      "Newest sample time seen (epoch ms)", registry=r)
        # Retention (ingest/retention.py): what each pass dropped, so nothing goes silently.
        self.retention_passes = Counter("kolam_retention_passes", "Retention passes run",
                                        registry=r)
        self.raw_pruned = Counter("kolam_retention_raw_pruned",
                                  "Raw values deleted past the raw window (roll-ups kept)",
                                  registry=r)
        self.dead_letters_dropped = Counter(
            "kolam_retention_dead_letters_dropped", "Dead letters dropped by age or count",
            ["reason"], registry=r)
        self.audit_dropped = Counter("kolam_retention_audit_dropped",
                                     "Audit log entries dropped by age or count", registry=r)
        self.retention_seconds = Gauge("kolam_retention_last_pass_seconds",
                                       "Duration of the last retention pass", registry=r)

    def summary(self) -> str:
        """One log line with the totals (for deployments without Prometheus)."""

        def total(counter: Counter) -> int:
            return int(sum(s.value for m in counter.collect() for s in m.samples
                           if s.name.endswith("_total")))

        return (f"messages={total(self.messages)} stored={total(self.samples)} "
                f"duplicates={total(self.duplicates)} dead={total(self.dead)} "
                f"retries={total(self.store_retries)} in_flight={int(self.in_flight._value.get())} "
                f"lag_s={self.lag_seconds._value.get():.1f}")
