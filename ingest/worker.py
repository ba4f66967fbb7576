"""The ingest worker.

Messages arrive on paho's network thread and are queued; the worker thread
takes them in batches (``batch_size`` messages or ``flush_interval_ms``,
whichever comes first), validates them, commits samples and dead letters, and
only then sends the PUBACKs. A crash before the commit means the broker
redelivers (persistent session, QoS 1); a crash after the commit but before the
ack means a redelivery that the idempotent store counts as duplicates.
"""

from __future__ import annotations

import base64
import logging
import queue
import random
import threading
import time
from dataclasses import dataclass, field

from ingest.metrics import IngestMetrics
from kolam.config import KolamConfig
from kolam.derive import derived_values
from kolam.errors import KolamError, ProtocolError, RegistryError, StoreError, StoreUnavailable
from kolam.mqtt import Message, MqttClient
from kolam.protocol import (
    DeviceRef,
    Limits,
    Reason,
    Status,
    TopicKind,
    decode_status,
    decode_telemetry,
    parse_topic,
)
from kolam.registry.repo import DeadLetterIn, DeviceCheck, Registry
from kolam.store.base import Row, SeriesKey, TimeSeriesWriter
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

_DEVICE_REASONS = {
    DeviceCheck.UNKNOWN: (Reason.UNKNOWN_DEVICE, "device is not registered"),
    DeviceCheck.DISABLED: (Reason.DISABLED_DEVICE, "device is disabled"),
    DeviceCheck.MOVED: (Reason.UNKNOWN_DEVICE, "device is registered to another pond"),
}


@dataclass
class _Received:
    msg: Message
    generation: int


@dataclass
class Batch:
    """What one batch of messages turns into before it is committed."""

    rows: list[Row] = field(default_factory=list)
    dead: list[DeadLetterIn] = field(default_factory=list)
    statuses: list[tuple[DeviceRef, Status, int]] = field(default_factory=list)
    newest_t: int = 0


class IngestWorker:
    """Consumes telemetry and status from the broker into the store and registry."""

    def __init__(self, config: KolamConfig, store: TimeSeriesWriter, registry: Registry,
                 metrics: IngestMetrics | None = None) -> None:
        self.config = config
        self.cfg = config.ingest
        self.store = store
        self.registry = registry
        self.metrics = metrics or IngestMetrics()
        self.limits = Limits(self.cfg.max_payload_bytes, self.cfg.max_samples_per_message,
                             int(self.cfg.max_future_s * 1000))
        self._queue: queue.Queue[_Received] = queue.Queue(self.cfg.max_queued_messages)
        self._generation = 0
        self._stop = threading.Event()
        self._keys: dict[tuple[DeviceRef, str], SeriesKey] = {}
        self._client = MqttClient(config.mqtt, self.cfg.client_id, clean_session=False,
                                  manual_ack=True)
        self._client.on_connect(self._on_connect)

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout_s: float = 30.0) -> None:
        """Connect and subscribe; messages start queuing at once."""
        filters = self.cfg.topics
        if self.cfg.shared_group:
            filters = [f"$share/{self.cfg.shared_group}/{f}" for f in filters]
        self._client.subscribe(filters, self._enqueue, qos=1)
        self._client.connect(timeout_s)
        log.info("ingest %s subscribed to %s", self.cfg.client_id, ", ".join(filters))

    def stop(self) -> None:
        """Ask the run loop to finish its current batch and return."""
        self._stop.set()

    def close(self) -> None:
        self._client.close()

    def run(self) -> None:
        """Process batches until ``stop()``; the batch in hand is committed and acked."""
        while not self._stop.is_set():
            batch = self._collect()
            if batch:
                self._process(batch)

    # ------------------------------------------------------------ receiving

    def _on_connect(self, session_present: bool) -> None:
        # Messages still queued from the previous connection will be redelivered by the
        # broker; acking their old packet ids on the new connection would be wrong.
        self._generation += 1
        dropped = 0
        try:
            while True:
                self._queue.get_nowait()
                dropped += 1
        except queue.Empty:
            pass
        if dropped:
            log.info("reconnected: %d unacked messages will be redelivered", dropped)
        self.metrics.in_flight.set(0)

    def _enqueue(self, msg: Message) -> None:
        # Blocks paho's thread when full: the broker's in-flight window then holds the rest.
        self._queue.put(_Received(msg, self._generation))
        self.metrics.in_flight.inc()

    def _collect(self) -> list[_Received]:
        try:
            first = self._queue.get(timeout=0.25)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.cfg.flush_interval_ms / 1000
        while len(batch) < self.cfg.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self._queue.get_nowait() if remaining <= 0 else
                             self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    # ------------------------------------------------------------ processing

    def _process(self, received: list[_Received]) -> None:
        now = now_ms()
        batch = Batch()
        for item in received:
            try:
                self._decode(item.msg, now, batch)
            except Exception as exc:
                log.exception("unexpected error decoding a message on %s", item.msg.topic[:100])
                batch.dead.append(_dead(item.msg, "internal_error", repr(exc), now))
        self._commit(batch)
        generation = self._generation
        for item in received:
            if item.generation == generation:
                self._client.ack(item.msg.mid, item.msg.qos)
        self.metrics.in_flight.dec(len(received))
        self.metrics.batch_messages.observe(len(received))

    def _decode(self, msg: Message, now: int, batch: Batch) -> None:
        try:
            topic = parse_topic(msg.topic)
            if topic.kind is TopicKind.TELEMETRY:
                self.metrics.messages.labels("telemetry").inc()
                self._telemetry(msg, topic.device_ref, now, batch)
            elif topic.kind is TopicKind.STATUS:
                self.metrics.messages.labels("status").inc()
                if self._device_ok(msg, topic.device_ref, now, batch):
                    batch.statuses.append((topic.device_ref, decode_status(msg.payload,
                                                                           self.limits), now))
            else:
                self.metrics.messages.labels("other").inc()
        except ProtocolError as exc:
            batch.dead.append(_dead(msg, exc.reason, exc.detail, now))

    def _device_ok(self, msg: Message, ref: DeviceRef, now: int, batch: Batch) -> bool:
        check = self.registry.check_device(ref, auto_provision=self.config.auto_provision)
        if check is DeviceCheck.ACCEPTED:
            return True
        reason, detail = _DEVICE_REASONS[check]
        batch.dead.append(_dead(msg, reason, detail, now))
        return False

    def _telemetry(self, msg: Message, ref: DeviceRef, now: int, batch: Batch) -> None:
        decoded = decode_telemetry(msg.payload, now, self.limits)
        if not self._device_ok(msg, ref, now, batch):
            return
        rows = batch.rows
        keys = self._keys
        for sample in decoded.samples:
            t = sample.t
            batch.newest_t = max(batch.newest_t, t)
            values = sample.values
            extra = derived_values(values)
            for metric, value in ({**values, **extra}.items() if extra else values.items()):
                key = keys.get((ref, metric))
                if key is None:
                    key = keys[(ref, metric)] = SeriesKey(ref.site, ref.pond, ref.device, metric)
                rows.append((key, t, value))
        for rej in decoded.rejected:
            batch.dead.append(DeadLetterIn(msg.topic, rej.reason, rej.detail, rej.fragment, now))

    def _commit(self, batch: Batch) -> None:
        """Commit dead letters, samples and statuses; retry failures with back-off
        for as long as it takes rather than ack what is not stored."""
        reasons = [d.reason for d in batch.dead]
        dead, rows = batch.dead, batch.rows
        delay = 0.05
        while True:
            started = time.perf_counter()
            try:
                if dead:
                    self.registry.add_dead_letters(dead)
                    dead = []
                result = self.store.write(rows)
                rows = []
                for ref, status, at in batch.statuses:
                    self.registry.record_status(ref, status, at)
                break
            except (StoreUnavailable, RegistryError) as exc:
                self._retry_wait(exc, delay)
            except StoreError as exc:
                # Not transient by its nature, but losing data is worse than waiting:
                # keep retrying, loudly, so that an operator sees it.
                log.error("store error (will retry): %s", exc)
                self._retry_wait(exc, delay)
            delay = min(delay * 2, self.cfg.retry_max_s)
        m = self.metrics
        m.commit_seconds.observe(time.perf_counter() - started)
        m.samples.inc(result.written)
        m.duplicates.inc(result.duplicates)
        for reason in reasons:
            m.dead.labels(reason).inc()
        if batch.newest_t:
            m.newest_sample_ms.set(batch.newest_t)
            m.lag_seconds.set(max(0.0, (now_ms() - batch.newest_t) / 1000))

    def _retry_wait(self, exc: KolamError, delay: float) -> None:
        self.metrics.store_retries.inc()
        log.warning("commit failed, retrying in %.2f s: %s", delay, exc)
        time.sleep(delay * (0.5 + random.random()))


def _dead(msg: Message, reason: str, detail: str, now: int) -> DeadLetterIn:
    try:
        payload = msg.payload[:4096].decode("utf-8")
    except UnicodeDecodeError:
        payload = "base64:" + base64.b64encode(msg.payload[:3000]).decode()
    return DeadLetterIn(msg.topic, str(reason), detail, payload, now)
