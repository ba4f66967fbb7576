"""The uplink side: outbox → central broker, QoS 1, deleted only on PUBACK.

Scheduling after an outage ("live first"):

1. on every (re)connect the gateway status is published, then every device
   status that changed (the newest one only: statuses are state, not history),
   then every relay switch in the order seen (the switch log: who switched what,
   and why, is history), the kiosk's logs and the control loops' problems (raised
   and cleared, in order);
2. **live** samples — those committed after the uplink came back (``id`` above
   the *boundary*, the outbox's highest id at reconnect) — go out at once;
3. **history** — everything at or below the boundary — drains oldest first,
   at most ``drain_rate_samples_s`` samples a second, so the central side
   catches up without being flooded.

Within each stream a device's samples go out in the order they were accepted,
one device per message; a device's live samples can reach the centre before its
older backlog, which is the point. The central store is idempotent on
(series, t), so order there only matters for what the dashboard shows first.

At most ``max_inflight_messages`` messages await their PUBACK. paho keeps
unacknowledged QoS 1 messages across reconnects and resends them, so rows in
flight are never re-read from the outbox while this process lives; after a
restart everything still in the outbox is sent again (the centre dedupes).

``seq`` counts the gateway's messages per device from 1 in each gateway boot,
``boot`` is the gateway's own start counter (kept in the outbox).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.messages import GatewayHealth, encode_batch, encode_health
from gateway.outbox import Outbox, OutboxRow
from gateway.outbox_tables import PendingStatus
from kolam.config import GatewayConfig
from kolam.errors import KolamError
from kolam.mqtt import MqttClient, Publish
from kolam.protocol import state_topic, status_topic, telemetry_topic

log = logging.getLogger(__name__)

_LOGS = ("switch", "log", "problem")
"""Kinds of ``pending_statuses`` that are history, one row each (not a device's newest)."""
ACK_POLL_S = 0.01
IDLE_WAIT_S = 0.1


@dataclass
class _InFlight:
    info: Publish
    ids: list[int] = field(default_factory=list)
    status: PendingStatus | None = None


@dataclass
class ForwarderStats:
    """Counters for the status line and the tests."""

    sent_samples: int = 0
    acked_samples: int = 0
    sent_messages: int = 0
    draining: bool = False


class Forwarder:
    def __init__(self, config: GatewayConfig, outbox: Outbox, uplink: MqttClient, *,
                 boot: int, health_topic: str, publish_local: Callable[[bytes], None],
                 alarms_active: Callable[[], int]) -> None:
        self.cfg = config
        self.outbox = outbox
        self.uplink = uplink
        self.boot = boot
        self.health_topic = health_topic
        self._publish_local = publish_local
        self._alarms_active = alarms_active
        self.stats = ForwarderStats()
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._generation = 0
        self._seen_generation = 0
        self._was_up = False
        self._inflight: deque[_InFlight] = deque()
        self._inflight_ids: set[int] = set()
        self._inflight_status: set[tuple[str, int]] = set()
        self._seq: dict[int, int] = defaultdict(int)
        self._boundary = 0
        self._hist_cursor = 0
        self._live_cursor = 0
        self._live_more = True
        self._tokens = 0.0
        self._last_refill = time.monotonic()
        self._next_health = 0.0
        self.last_health: bytes | None = None
        self.log_topic = ""
        """Where the kiosk's logs go (``kolam.kiosk.logs.log_topic``), set by the gateway."""
        self.problem_topic = ""
        """Where the loops' problems go (``kolam.control.problem_topic``), set likewise."""
        uplink.on_connect(self._on_uplink_connect)

    # ------------------------------------------------------------ control

    def _on_uplink_connect(self, session_present: bool) -> None:
        self._generation += 1
        self.wake.set()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()

    def run(self) -> None:
        """Forward until ``stop()``; errors are logged and retried, never fatal."""
        self._rewind()
        while not self._stop.is_set():
            try:
                self.step()
            except KolamError as exc:
                log.error("forwarding failed, retrying: %s", exc)
                self._stop.wait(1.0)

    def drain_acks(self, timeout_s: float) -> None:
        """On shut-down: give messages in flight a bounded time to be acknowledged."""
        deadline = time.monotonic() + timeout_s
        while self._inflight and time.monotonic() < deadline:
            self._collect_acks(wait_s=ACK_POLL_S)

    def _rewind(self) -> None:
        """Re-read the outbox from the start; rows in flight are skipped by id."""
        self._boundary = self.outbox.max_id()
        self._hist_cursor = 0
        self._live_cursor = self._boundary
        self._live_more = True
        self.stats.draining = self._boundary > 0

    # ------------------------------------------------------------ one step

    def step(self) -> None:
        up = self.uplink.connected
        woken = self.wake.is_set()
        self.wake.clear()
        now = time.monotonic()
        if up != self._was_up:
            log.warning("uplink %s", "up: forwarding" if up else "down: buffering in the outbox")
            self._was_up = up
            self._next_health = 0.0
        if self._generation != self._seen_generation:
            self._seen_generation = self._generation
            self._rewind()
            stats = self.outbox.stats()
            log.info("uplink connected: %d samples buffered (oldest t=%s), draining at %g/s",
                     stats.buffered, stats.oldest_t, self.cfg.drain_rate_samples_s)
            self._next_health = 0.0
        if now >= self._next_health:
            self.publish_health(online=True)
            self._next_health = now + self.cfg.status_interval_s
        self._collect_acks(wait_s=0.0)
        if up:
            if woken:
                self._live_more = True
                self._send_statuses()
            self._send_live()
            self._send_history(now)
        if self._inflight:
            self._collect_acks(wait_s=ACK_POLL_S)
        elif not self.wake.is_set():
            self.wake.wait(self._idle_wait_s())

    def _idle_wait_s(self) -> float:
        if self._was_up and self.stats.draining:
            return ACK_POLL_S
        return IDLE_WAIT_S

    def _free_slots(self) -> int:
        return self.cfg.max_inflight_messages - len(self._inflight)

    # ------------------------------------------------------------ sending

    def _send_statuses(self) -> None:
        for pending in self.outbox.pending_statuses():
            # A switch is one row of the log (several of one relay go out in order).
            key = (pending.kind, pending.version if pending.kind in _LOGS
                   else pending.device_id)
            if key in self._inflight_status:
                continue
            if pending.kind == "log":
                info = self._publish(self.log_topic, pending.payload)
            elif pending.kind == "problem":
                info = self._publish(self.problem_topic, pending.payload)
            else:
                ref = self.outbox.device(pending.device_id)
                topic = state_topic(ref) if pending.kind == "switch" else status_topic(ref)
                info = self._publish(topic, pending.payload, retain=True)
            if info is None:
                return
            self._inflight_status.add(key)
            self._inflight.append(_InFlight(info, status=pending))

    def _send_live(self) -> None:
        while self._live_more and self._free_slots() > 0:
            limit = self.cfg.samples_per_message * self._free_slots()
            rows = self.outbox.rows(self._live_cursor, None, limit)
            if len(rows) < limit:
                self._live_more = False
            if not rows:
                return
            if not self._send_rows(rows):
                return
            self._live_cursor = rows[-1].id

    def _send_history(self, now: float) -> None:
        rate = self.cfg.drain_rate_samples_s
        burst = max(rate, float(self.cfg.samples_per_message))
        self._tokens = min(burst, self._tokens + (now - self._last_refill) * rate)
        self._last_refill = now
        want = min(float(self.cfg.samples_per_message), burst)
        if self._hist_cursor >= self._boundary:
            if self.stats.draining:
                self.stats.draining = False
                log.info("backlog handed to the uplink (%d samples sent since start)",
                         self.stats.sent_samples)
            return
        if self._tokens < want or self._free_slots() <= 0:
            return
        limit = min(int(self._tokens), self.cfg.samples_per_message * self._free_slots())
        rows = self.outbox.rows(self._hist_cursor, self._boundary, limit)
        if not rows:
            self._hist_cursor = self._boundary
            return
        if self._send_rows(rows):
            self._tokens -= len(rows)
            self._hist_cursor = rows[-1].id

    def _send_rows(self, rows: list[OutboxRow]) -> bool:
        """Publish rows (one device per message, in order); False if the link dropped."""
        by_device: dict[int, list[OutboxRow]] = defaultdict(list)
        for row in rows:
            if row.id not in self._inflight_ids:
                by_device[row.device_id].append(row)
        per = self.cfg.samples_per_message
        for device_id, device_rows in by_device.items():
            topic = telemetry_topic(self.outbox.device(device_id))
            for i in range(0, len(device_rows), per):
                chunk = device_rows[i:i + per]
                self._seq[device_id] += 1
                info = self._publish(topic, encode_batch(self._seq[device_id], self.boot, chunk))
                if info is None:
                    return False
                ids = [r.id for r in chunk]
                self._inflight_ids.update(ids)
                self._inflight.append(_InFlight(info, ids=ids))
                self.stats.sent_samples += len(ids)
                self.stats.sent_messages += 1
        return True

    def _publish(self, topic: str, payload: bytes,
                 retain: bool = False) -> Publish | None:
        try:
            info = self.uplink.publish(topic, payload, qos=1, retain=retain)
        except KolamError as exc:
            log.warning("uplink publish failed: %s", exc)
            self._rewind()
            return None
        return info

    # ------------------------------------------------------------ acks

    def _collect_acks(self, wait_s: float) -> None:
        if not self._inflight:
            return
        if wait_s > 0:
            # A message published in the instant the link dropped stays queued in the
            # client, is resent on reconnect and turns acked on its PUBACK like the rest.
            self._inflight[0].info.wait(wait_s)
        done_ids: list[int] = []
        done_status: list[PendingStatus] = []
        remaining: deque[_InFlight] = deque()
        for item in self._inflight:
            if item.info.acked:
                done_ids.extend(item.ids)
                if item.status is not None:
                    done_status.append(item.status)
            else:
                remaining.append(item)
        if not done_ids and not done_status:
            return
        self.outbox.delete(done_ids)
        for status in done_status:
            self.outbox.mark_status_sent(status.device_id, status.version, status.kind)
            self._inflight_status.discard((status.kind, status.version
                                           if status.kind in _LOGS
                                           else status.device_id))
        self._inflight_ids.difference_update(done_ids)
        self._inflight = remaining
        self.stats.acked_samples += len(done_ids)

    # ------------------------------------------------------------ health

    def health(self, online: bool) -> GatewayHealth:
        stats = self.outbox.stats()
        return GatewayHealth(online, "up" if self.uplink.connected else "down", stats.buffered,
                             stats.oldest_t, stats.thinned, stats.dead_letters,
                             self._alarms_active(), self.boot, stats.expired,
                             stats.dead_letters_dropped)

    def publish_health(self, online: bool) -> None:
        """Retained, on the local broker always and on the uplink when it is up."""
        payload = encode_health(self.health(online))
        self.last_health = payload
        self._publish_local(payload)
        if self.uplink.connected:
            try:
                self.uplink.publish(self.health_topic, payload, qos=1, retain=True)
            except KolamError as exc:
                log.warning("could not publish the gateway status upstream: %s", exc)
