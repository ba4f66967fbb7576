"""The sensor side: local broker → validation → outbox commit → local PUBACK.

Messages arrive on paho's network thread and are queued; this thread takes
them in batches (``batch_size`` or ``flush_interval_ms``), validates them with
protocol v1, commits samples, statuses and dead letters to the outbox in one
transaction and only then acknowledges them to the local broker (manual ack,
persistent session). A crash before the commit means the broker redelivers;
after it, the redelivery is merged into the buffered row.

Garbage never stops the loop: it becomes a row in the local dead-letter log
and a (rate-limited) log line. Samples that pass are also shown to the alarm
tracker, whose changes are published on the local broker, and with the relay
nodes' states to the control loops (gateway.controller).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.alarms import AlarmChange, AlarmTracker, Change, describe
from gateway.controller import Controller
from gateway.messages import is_alarm_topic
from gateway.outbox import DeadLetter, Outbox
from kolam.config import GatewayConfig
from kolam.errors import KolamError, ProtocolError, StoreError
from kolam.mqtt import Message
from kolam.protocol import (
    DeviceRef,
    Limits,
    Reason,
    Rejected,
    RelayState,
    Sample,
    TopicKind,
    decode_state,
    decode_status,
    decode_telemetry,
    parse_topic,
)
from kolam.runtime.deadletter import dead_letter_fields
from kolam.runtime.inbox import Inbox
from kolam.runtime.retry import RetryOptions, retry
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

INBOX_MAX_BYTES = 16 * 1024 * 1024
IGNORED = (TopicKind.CMD, TopicKind.GATEWAY_STATUS, TopicKind.ALERTS)
"""Topics on the site's broker that are not the nodes' uplink (downlink, ours, central)."""
COMMIT_RETRY = RetryOptions(initial_delay_s=0.05, max_delay_s=10.0)
EXPIRE_EVERY_S = 3600.0
"""How often the outbox drops samples and dead letters past their age."""
DAY_MS = 86_400_000
"""Outbox commits are retried forever: the outbox is the gateway's only copy, and every
outbox failure (locked, disk full, read-only) is one an operator can clear. 10 s between
tries at most, so the gateway resumes within seconds of the disk coming back."""


@dataclass
class Batch:
    samples: list[tuple[DeviceRef, Sample]] = field(default_factory=list)
    statuses: list[tuple[DeviceRef, bytes]] = field(default_factory=list)
    states: list[tuple[DeviceRef, bytes]] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    relay_states: list[tuple[DeviceRef, RelayState]] = field(default_factory=list)
    rejected: list[tuple[DeviceRef, list[Rejected]]] = field(default_factory=list)
    presence: list[tuple[DeviceRef, bool]] = field(default_factory=list)


class _LogLimiter:
    """At most ``per_minute`` warnings a minute, then one summary line."""

    def __init__(self, per_minute: int = 10) -> None:
        self.per_minute = per_minute
        self._window = 0.0
        self._count = 0

    def warn(self, text: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._window > 60:
            if self._count > self.per_minute:
                log.warning("... and %d more dead letters in the last minute",
                            self._count - self.per_minute)
            self._window, self._count = now, 0
        self._count += 1
        if self._count <= self.per_minute:
            log.warning(text, *args)


class Receiver:
    """Takes the nodes' messages into the outbox; acks them only once durable."""

    def __init__(self, config: GatewayConfig, site: str, outbox: Outbox,
                 ack: Callable[[int, int], None], alarms: AlarmTracker,
                 on_alarm: Callable[[AlarmChange], None],
                 on_commit: Callable[[], None]) -> None:
        self.cfg = config
        self.site = site
        self.outbox = outbox
        self._ack = ack
        self.alarms = alarms
        self._on_alarm = on_alarm
        self._on_commit = on_commit
        self.limits = Limits()
        self.inbox = Inbox(max(config.batch_size * 4, 1000), INBOX_MAX_BYTES)
        self._stop = threading.Event()
        self._dead_log = _LogLimiter()
        self._next_expire = 0.0
        self.own_status_topic = ""
        self.controller: Controller | None = None
        self.on_presence: Callable[[list[tuple[DeviceRef, bool]]], None] | None = None
        """Told of the devices' statuses (online or not): the downlink holds commands for
        nodes that are offline."""
        self.on_batch: Callable[[Batch], None] | None = None
        """Told of every committed batch (the kiosk's view of the site)."""
        self.subscribed = threading.Event()
        """Set when our own status comes back: the subscription is in force."""

    # ------------------------------------------------------------ paho thread

    def on_connect(self, session_present: bool) -> None:
        # Unacked messages of the previous connection will be redelivered; their old
        # packet ids mean nothing on the new one, so the queued copies are dropped.
        self.inbox.new_generation()

    def enqueue(self, msg: Message) -> None:
        # Blocks paho's thread when full: the broker's in-flight window holds the rest.
        self.inbox.put(msg, self._stop)

    # ------------------------------------------------------------ own thread

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            taken = self.inbox.take(self.cfg.batch_size, self.cfg.flush_interval_ms / 1000, 0.2)
            if taken:
                self.process(taken)

    def process(self, items: list[tuple[Message, int]]) -> None:
        now = now_ms()
        batch = Batch()
        for msg, _ in items:
            try:
                self._decode(msg, now, batch)
            except Exception as exc:
                log.exception("unexpected error decoding a message on %s", msg.topic[:100])
                batch.dead.append(_dead(msg, "internal_error", repr(exc), now))
        self._commit(batch)
        generation = self.inbox.generation
        for msg, gen in items:
            if gen == generation:
                self._ack(msg.mid, msg.qos)
        self._on_commit()
        if self.on_batch is not None:
            self.on_batch(batch)
        for ref, sample in batch.samples:
            for change in self.alarms.observe(ref, sample, now):
                self._alarm(change)
        if batch.presence and self.on_presence is not None:
            self.on_presence(batch.presence)
        controller = self.controller
        if controller is not None and controller.enabled:
            controller.observe(batch.samples, batch.rejected, batch.relay_states,
                               [ref for ref, online in batch.presence if online])
            if self.subscribed.is_set():
                controller.set_ready()

    def _decode(self, msg: Message, now: int, batch: Batch) -> None:
        if is_alarm_topic(msg.topic):
            return
        try:
            topic = parse_topic(msg.topic)
            if topic.kind is TopicKind.GATEWAY_STATUS and msg.topic == self.own_status_topic:
                self.subscribed.set()
            if topic.kind in IGNORED:
                return
            if topic.site != self.site:
                raise ProtocolError(Reason.BAD_TOPIC, f"site {topic.site!r} is not this "
                                    f"gateway's site {self.site!r}")
            ref = topic.device_ref
            if topic.kind is TopicKind.TELEMETRY:
                decoded = decode_telemetry(msg.payload, now, self.limits)
                batch.samples.extend((ref, s) for s in decoded.samples)
                if decoded.rejected:
                    batch.rejected.append((ref, decoded.rejected))
                for rej in decoded.rejected:
                    batch.dead.append(DeadLetter(msg.topic, rej.reason, rej.detail,
                                                 rej.fragment, now))
                    self._dead_log.warn("dead letter on %s: %s: %s", msg.topic[:100],
                                        rej.reason, rej.detail)
            elif topic.kind is TopicKind.STATUS:
                batch.presence.append((ref, decode_status(msg.payload, self.limits).online))
                batch.statuses.append((ref, msg.payload))
            elif topic.kind is TopicKind.STATE:
                batch.relay_states.append((ref, decode_state(msg.payload, self.limits)))
                batch.states.append((ref, msg.payload))
        except ProtocolError as exc:
            batch.dead.append(_dead(msg, exc.reason, exc.detail, now))
            self._dead_log.warn("dead letter on %s: %s", msg.topic[:100], exc)

    def _commit(self, batch: Batch) -> None:
        """Retry for as long as it takes: acking what is not on disk would lose it."""
        def on_retry(exc: BaseException, tries: int, wait_s: float) -> None:
            log.error("outbox commit failed, retrying in %.2f s: %s", wait_s, exc)

        retry(lambda: self.outbox.commit(batch.samples, batch.statuses, batch.dead,
                                         batch.states),
              COMMIT_RETRY, transient=StoreError, on_retry=on_retry)
        try:
            for result in self.outbox.enforce_cap():
                stats = self.outbox.stats()
                to = (f"{result.resolution_s} s resolution" if result.resolution_s
                      else "nothing (dropped, already at the coarsest resolution)")
                log.warning("outbox over its %.1f MB cap: thinned %d samples up to t=%d to %s; "
                            "%d samples lost to thinning so far", self.cfg.max_outbox_mb,
                            result.removed, result.upto_t, to, stats.thinned)
        except KolamError as exc:
            log.error("could not thin the outbox: %s", exc)
        self._maybe_expire()

    def _maybe_expire(self) -> None:
        """At most once per ``EXPIRE_EVERY_S``: drop what is older than the outbox keeps."""
        if time.monotonic() < self._next_expire:
            return
        self._next_expire = time.monotonic() + EXPIRE_EVERY_S
        try:
            dropped = self.outbox.expire(now_ms(), int(self.cfg.max_outbox_age_days * DAY_MS),
                                         int(self.cfg.dead_letter_max_age_days * DAY_MS))
        except KolamError as exc:
            log.error("could not expire old outbox rows: %s", exc)
            return
        if dropped.samples or dropped.dead_letters:
            log.warning("outbox: dropped %d samples older than %g days and %d dead letters "
                        "older than %g days", dropped.samples, self.cfg.max_outbox_age_days,
                        dropped.dead_letters, self.cfg.dead_letter_max_age_days)

    def _alarm(self, change: AlarmChange) -> None:
        alarm = change.alarm
        if change.change is Change.RAISED:
            log.warning("ALARM raised: %s", describe(alarm))
        else:
            log.warning("alarm cleared: %s", describe(alarm))
        try:
            self.outbox.save_alarm(alarm, change.change is Change.RAISED)
        except KolamError as exc:
            log.error("could not save the alarm state: %s", exc)
        self._on_alarm(change)


def _dead(msg: Message, reason: str, detail: str, now: int) -> DeadLetter:
    return DeadLetter(*dead_letter_fields(msg.topic, msg.payload, reason, detail), now)
