"""The ingest worker.

Messages arrive on paho's network thread and go into a bounded inbox; the
worker thread takes them in batches (``batch_size`` messages or
``flush_interval_ms``, whichever comes first), validates them, commits samples
and dead letters, and only then sends the PUBACKs. A crash before the commit
means the broker redelivers (persistent session, QoS 1); a crash after the
commit but before the ack means a redelivery that the idempotent store counts
as duplicates. Either way every reading is stored exactly once.
"""

from __future__ import annotations

import logging
import threading
import time

from ingest.aerator_problems import ProblemIngest
from ingest.alerts.pipeline import AlertPipeline
from ingest.decoder import Batch, Decoder, dead_letter
from ingest.kiosk_logs import KioskLogIngest
from ingest.metrics import IngestMetrics
from ingest.outputs import OutputIngest
from kolam.config import KolamConfig
from kolam.errors import Abandoned, RegistryError, StoreError, StoreUnavailable
from kolam.mqtt import Message, MqttClient
from kolam.protocol import Limits
from kolam.registry.repo import Registry
from kolam.runtime.inbox import Inbox
from kolam.runtime.retry import OnRetry, RetryOptions, retry
from kolam.store.base import TimeSeriesReader, TimeSeriesWriter, WriteResult
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

STATS_EVERY_S = 60.0
BEHIND_AFTER_MS = 10_000
"""A full batch whose newest reading is older than this means ingest is draining a backlog."""
TRANSIENT = (StoreUnavailable, RegistryError)
"""Worth retrying: the store or the registry will be back. Any other store error is the
store refusing these rows, which no retry changes."""
STORE_REJECTED = "store_rejected"
"""Dead-letter reason of messages whose rows the store refused for good."""


class IngestWorker:
    """Consumes telemetry and status from the broker into the store and registry."""

    def __init__(self, config: KolamConfig, store: TimeSeriesWriter, registry: Registry,
                 metrics: IngestMetrics | None = None) -> None:
        self.config = config
        self.cfg = config.ingest
        self.store = store
        self.registry = registry
        self.metrics = metrics or IngestMetrics()
        limits = Limits(self.cfg.max_payload_bytes, self.cfg.max_samples_per_message,
                        int(self.cfg.max_future_s * 1000))
        self.decoder = Decoder(registry, limits, config.auto_provision)
        # Relay states: each output's switches, recorded before the batch's ack (#18).
        self.outputs = OutputIngest(registry, limits, config.auto_provision)
        # Logs entered at a gateway's kiosk, applied once by their client id (#18 item 4).
        self.kiosk_logs = KioskLogIngest(registry)
        # The gateways' "aerator not working" problems, to the alert engine (#14, #18).
        self.problems = ProblemIngest(registry)
        # Alerts are evaluated on each batch and committed before its ack (docs/alerts.md).
        self.alerts = AlertPipeline(
            config, registry, store if isinstance(store, TimeSeriesReader) else None,
        ) if config.alerts.enabled else None
        self.inbox = Inbox(self.cfg.max_queued_messages, self.cfg.max_queued_bytes)
        self._stop = threading.Event()
        self._retry = RetryOptions(initial_delay_s=min(0.05, self.cfg.retry_max_s),
                                   max_delay_s=self.cfg.retry_max_s)
        self._next_stats = time.monotonic() + STATS_EVERY_S
        self._client = MqttClient(config.mqtt, self.cfg.client_id, clean_session=False,
                                  manual_ack=True)
        self._client.on_connect(self._on_connect)

    # ------------------------------------------------------------ lifecycle

    @property
    def filters(self) -> list[str]:
        if self.cfg.shared_group:
            return [f"$share/{self.cfg.shared_group}/{f}" for f in self.cfg.topics]
        return list(self.cfg.topics)

    def start(self, timeout_s: float = 30.0) -> None:
        """Connect and subscribe; messages start arriving at once."""
        self._client.subscribe(self.filters, self._receive, qos=1)
        self._client.connect(timeout_s)
        log.info("ingest %s subscribed to %s", self.cfg.client_id, ", ".join(self.filters))

    def stop(self) -> None:
        """Ask ``run`` to commit and acknowledge the batch in hand, then return."""
        self._stop.set()

    def close(self) -> None:
        self._client.close()

    def run(self) -> None:
        """Process batches until ``stop()``."""
        while not self._stop.is_set():
            taken = self.inbox.take(self.cfg.batch_size, self.cfg.flush_interval_ms / 1000, 0.25)
            behind = False
            if taken:
                try:
                    newest = self._process(taken)
                except Abandoned:
                    log.warning("stopping with %d messages unacknowledged: the broker will "
                                "redeliver them", len(taken))
                    return
                # Draining a backlog: full batches of old readings. Silence is judged on
                # the wall clock, so not meanwhile, or a backlog after ingest's own outage
                # would report every device offline for as long as it takes to drain.
                behind = (len(taken) >= self.cfg.batch_size
                          and now_ms() - newest > BEHIND_AFTER_MS)
            if self.alerts is not None and not behind:
                self.alerts.maybe_tick()
            self._maybe_log_stats()

    # ------------------------------------------------------------ receiving

    def _on_connect(self, session_present: bool) -> None:
        # Messages still queued from the previous connection will be redelivered by the
        # broker; acknowledging their old packet ids on the new connection would be wrong.
        dropped = self.inbox.new_generation()
        if dropped:
            log.info("reconnected: %d unacknowledged messages will be redelivered", dropped)
        self.metrics.in_flight.set(0)

    def _receive(self, msg: Message) -> None:
        self.inbox.put(msg, self._stop)

    # ------------------------------------------------------------ processing

    def _process(self, taken: list[tuple[Message, int]]) -> int:
        """Commit and acknowledge a batch; return its newest sample time (0 if none)."""
        messages = [m for m, _ in taken]
        batch = self.decoder.decode(messages, now_ms())
        self.outputs.prepare(messages, now_ms())
        self.kiosk_logs.prepare(messages, now_ms())
        self.problems.prepare(messages, now_ms())
        started = time.perf_counter()
        try:
            result = self._commit(batch)
        except StoreError as exc:  # not transient: StoreUnavailable was retried
            self._reject(taken, exc)
        else:
            self._record(batch, result, time.perf_counter() - started, len(messages))
        generation = self.inbox.generation
        self._client.ack_many([msg for msg, gen in taken if gen == generation])
        self.metrics.in_flight.set(len(self.inbox))
        return batch.newest_t

    def _commit(self, batch: Batch) -> WriteResult:
        """Commit dead letters, samples and statuses. Transient failures (store
        unavailable, registry) are retried with back-off for as long as it takes: nothing
        is acknowledged that is not stored. When asked to stop, give up after
        ``shutdown_grace_s`` and leave the batch to redelivery. A permanent store error
        (the store refused these rows) propagates: ``_process`` dead-letters the batch."""
        dead = batch.dead
        result: WriteResult | None = None

        def attempt() -> WriteResult:
            nonlocal dead, result
            if dead:
                self.registry.add_dead_letters(dead)
                dead = []
            if result is None:  # a retry after a later step failed keeps the count
                result = self.store.write(batch.rows)
            for ref, status, at in batch.statuses:
                self.registry.record_status(ref, status, at)
            self.outputs.commit()
            self.kiosk_logs.commit()
            self.problems.commit()
            if self.alerts is not None:
                self.alerts.commit(batch, batch.rows, batch.statuses, batch.dead,
                                   self.outputs.states, self.problems.events)
            return result

        return retry(attempt, self._retry, transient=TRANSIENT, on_retry=self._on_retry())

    def _on_retry(self) -> OnRetry:
        """Count and log each retry; once stopping, give up after ``shutdown_grace_s``."""
        give_up_at: float | None = None

        def on_retry(exc: BaseException, tries: int, wait_s: float) -> None:
            nonlocal give_up_at
            self.metrics.store_retries.inc()
            if self._stop.is_set():
                give_up_at = give_up_at or time.monotonic() + self.cfg.shutdown_grace_s
                if time.monotonic() >= give_up_at:
                    raise Abandoned(str(exc)) from exc
            log.warning("commit failed, retrying in %.2f s: %s", wait_s, exc)
        return on_retry

    def _reject(self, taken: list[tuple[Message, int]], exc: StoreError) -> None:
        """The store refused the batch for good: keep every message as a dead letter with
        the reason, so one poison batch cannot stop ingest (the messages are then acked)."""
        log.error("store refused a batch of %d messages, dead-lettered: %s", len(taken), exc)
        at = now_ms()
        dead = [dead_letter(m.topic, m.payload, STORE_REJECTED, str(exc), at) for m, _ in taken]
        retry(lambda: self.registry.add_dead_letters(dead), self._retry, transient=TRANSIENT,
              on_retry=self._on_retry())
        self.metrics.dead.labels(STORE_REJECTED).inc(len(dead))

    def _record(self, batch: Batch, result: WriteResult, seconds: float, n: int) -> None:
        m = self.metrics
        m.commit_seconds.observe(seconds)
        m.batch_messages.observe(n)
        m.messages.labels("telemetry").inc(batch.telemetry)
        m.messages.labels("status").inc(batch.status)
        m.messages.labels("other").inc(batch.other)
        m.samples.inc(result.written)
        m.duplicates.inc(result.duplicates)
        for d in batch.dead:
            m.dead.labels(d.reason).inc()
        if batch.newest_t:
            m.newest_sample_ms.set(max(batch.newest_t, m.newest_sample_ms._value.get()))
            m.lag_seconds.set(max(0.0, (now_ms() - batch.newest_t) / 1000))

    def _maybe_log_stats(self) -> None:
        if time.monotonic() < self._next_stats:
            return
        self._next_stats = time.monotonic() + STATS_EVERY_S
        log.info("stats: %s", self.metrics.summary())
