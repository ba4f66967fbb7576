"""Turns a batch of MQTT messages into rows, dead letters and statuses.

Never raises for bad input: every message ends up stored, dead-lettered with a
reason, or (for topics ingest does not handle) counted and ignored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from kolam.chemistry import pressure_at_altitude_atm
from kolam.deadletter import dead_letter_fields
from kolam.derive import derived_values
from kolam.errors import KolamError, ProtocolError
from kolam.mqtt import Message
from kolam.protocol import (
    DeviceRef,
    Limits,
    Reason,
    Status,
    Topic,
    TopicKind,
    decode_status,
    decode_telemetry,
    parse_topic,
)
from kolam.registry.repo import DeadLetterIn, DeviceCheck, Registry
from kolam.store.base import Row, SeriesKey

log = logging.getLogger(__name__)

_DEVICE_REASONS = {
    DeviceCheck.UNKNOWN: (Reason.UNKNOWN_DEVICE, "device is not registered"),
    DeviceCheck.DISABLED: (Reason.DISABLED_DEVICE, "device is disabled"),
    DeviceCheck.MOVED: (Reason.UNKNOWN_DEVICE, "device is registered to another pond"),
}
_DEVICE_KINDS = (TopicKind.TELEMETRY, TopicKind.STATUS)
_TOPIC_CACHE_MAX = 100_000
SITE_PRESSURE_REFRESH_S = 300.0
"""How often the sites' altitudes (for DO saturation) are re-read from the registry."""


@dataclass
class Batch:
    """What one batch of messages turns into before it is committed."""

    rows: list[Row] = field(default_factory=list)
    dead: list[DeadLetterIn] = field(default_factory=list)
    statuses: list[tuple[DeviceRef, Status, int]] = field(default_factory=list)
    telemetry: int = 0
    status: int = 0
    other: int = 0
    newest_t: int = 0


def dead_letter(topic: str, payload: bytes, reason: str, detail: str, now: int) -> DeadLetterIn:
    """A dead letter keeping (a bounded copy of) the raw payload."""
    return DeadLetterIn(*dead_letter_fields(topic, payload, reason, detail), now)


class Decoder:
    def __init__(self, registry: Registry, limits: Limits, auto_provision: bool) -> None:
        self.registry = registry
        self.limits = limits
        self.auto_provision = auto_provision
        self._topics: dict[str, tuple[Topic, DeviceRef | None]] = {}
        self._keys: dict[str, dict[str, SeriesKey]] = {}
        self._pressure: dict[str, float] = {}
        self._pressure_next = 0.0

    def site_pressure_atm(self, site: str) -> float:
        """Air pressure at the site's altitude, from a cache of every site's refreshed
        every ``SITE_PRESSURE_REFRESH_S`` (an altitude rarely changes; this runs per
        message). A registry that cannot answer leaves the cache as it was."""
        now = time.monotonic()
        if now >= self._pressure_next:
            self._pressure_next = now + SITE_PRESSURE_REFRESH_S
            try:
                self._pressure = {s.slug: pressure_at_altitude_atm(s.altitude_m)
                                  for s in self.registry.sites()}
            except (KolamError, SQLAlchemyError) as exc:
                log.warning("site altitudes unavailable, DO saturation at the old ones: %s",
                            exc)
        return self._pressure.get(site, 1.0)

    def decode(self, messages: list[Message], now: int) -> Batch:
        batch = Batch()
        for msg in messages:
            try:
                self._one(msg, now, batch)
            except ProtocolError as exc:
                batch.dead.append(dead_letter(msg.topic, msg.payload, exc.reason, exc.detail, now))
            except Exception as exc:
                log.exception("unexpected error decoding a message on %r", msg.topic[:100])
                batch.dead.append(dead_letter(msg.topic, msg.payload, "internal_error",
                                              repr(exc), now))
        return batch

    def _topic(self, name: str) -> tuple[Topic, DeviceRef | None]:
        """The parsed topic and the device it names (cached: this runs per message)."""
        found = self._topics.get(name)
        if found is None:
            topic = parse_topic(name)
            ref = topic.device_ref if topic.kind in _DEVICE_KINDS else None
            if len(self._topics) >= _TOPIC_CACHE_MAX:
                self._topics.clear()
                self._keys.clear()
            found = self._topics[name] = (topic, ref)
        return found

    def _one(self, msg: Message, now: int, batch: Batch) -> None:
        topic, ref = self._topic(msg.topic)
        if topic.kind is TopicKind.TELEMETRY:
            assert ref is not None
            batch.telemetry += 1
            self._telemetry(msg, ref, now, batch)
        elif topic.kind is TopicKind.STATUS:
            assert ref is not None
            batch.status += 1
            status = decode_status(msg.payload, self.limits)
            if self._device_ok(msg, ref, now, batch):
                batch.statuses.append((ref, status, now))
        else:
            batch.other += 1

    def _device_ok(self, msg: Message, ref: DeviceRef, now: int, batch: Batch) -> bool:
        check = self.registry.check_device(ref, auto_provision=self.auto_provision)
        if check is DeviceCheck.ACCEPTED:
            return True
        reason, detail = _DEVICE_REASONS[check]
        batch.dead.append(dead_letter(msg.topic, msg.payload, reason, detail, now))
        return False

    def _telemetry(self, msg: Message, ref: DeviceRef, now: int, batch: Batch) -> None:
        decoded = decode_telemetry(msg.payload, now, self.limits)
        if not self._device_ok(msg, ref, now, batch):
            return
        rows = batch.rows
        # Series keys cached per topic (a str's hash is cached; a DeviceRef's is not).
        keys = self._keys.get(msg.topic)
        if keys is None:
            keys = self._keys[msg.topic] = {}
        newest = batch.newest_t
        append = rows.append
        pressure = self.site_pressure_atm(ref.site)
        for t, values in decoded.samples:
            if t > newest:
                newest = t
            if "temp_c" in values:  # every derived metric needs the temperature
                extra = derived_values(values, pressure)
                if extra:
                    values = {**values, **extra}
            for metric, value in values.items():
                key = keys.get(metric)
                if key is None:
                    key = keys[metric] = SeriesKey(ref.site, ref.pond, ref.device, metric)
                append((key, t, value))
        batch.newest_t = newest
        for rej in decoded.rejected:
            batch.dead.append(DeadLetterIn(msg.topic, rej.reason, rej.detail, rej.fragment, now))
