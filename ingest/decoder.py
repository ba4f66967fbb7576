"""Turns a batch of MQTT messages into rows, dead letters and statuses.

Never raises for bad input: every message ends up stored, dead-lettered with a
reason, or (for topics ingest does not handle) counted and ignored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from kolam.control.problems import site_of as problem_site_of
from kolam.errors import KolamError, ProtocolError
from kolam.kiosk.logs import site_of as log_site_of
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
from kolam.runtime.deadletter import dead_letter_fields
from kolam.science.chemistry import pressure_at_altitude_atm
from kolam.science.derive import derived_values
from kolam.store.base import Row, SeriesKey

log = logging.getLogger(__name__)

_GATEWAY_EVENTS = ("/log", "/problem")
"""Leaves of a gateway's own messages other than its status (ingest.kiosk_logs,
ingest.aerator_problems): not dead-lettered here as unknown topics."""

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


class _Route:
    """What one topic name resolves to, cached: the parsed topic, the device it names, its
    series keys by metric (a str's hash is cached; a DeviceRef's is not) and the last
    batch in which the registry accepted the device."""

    __slots__ = ("accepted_in", "keys", "ref", "topic")

    def __init__(self, topic: Topic, ref: DeviceRef | None) -> None:
        self.topic = topic
        self.ref = ref
        self.keys: dict[str, SeriesKey] = {}
        self.accepted_in = -1


class Decoder:
    def __init__(self, registry: Registry, limits: Limits, auto_provision: bool) -> None:
        self.registry = registry
        self.limits = limits
        self.auto_provision = auto_provision
        self._routes: dict[str, _Route] = {}
        self._pressure: dict[str, float] = {}
        self._pressure_next = 0.0
        self._batches = 0

    def site_pressure_atm(self, site: str) -> float:
        """Air pressure at the site's altitude, from a cache of every site's refreshed
        every ``SITE_PRESSURE_REFRESH_S`` (an altitude rarely changes; this runs per
        batch). A registry that cannot answer leaves the cache as it was."""
        return self._site_pressures().get(site, 1.0)

    def _site_pressures(self) -> dict[str, float]:
        now = time.monotonic()
        if now >= self._pressure_next:
            self._pressure_next = now + SITE_PRESSURE_REFRESH_S
            try:
                self._pressure = {s.slug: pressure_at_altitude_atm(s.altitude_m)
                                  for s in self.registry.sites()}
            except (KolamError, SQLAlchemyError) as exc:
                log.warning("site altitudes unavailable, DO saturation at the old ones: %s",
                            exc)
        return self._pressure

    def decode(self, messages: list[Message], now: int) -> Batch:
        batch = Batch()
        self._batches += 1
        pressures = self._site_pressures()
        for msg in messages:
            try:
                self._one(msg, now, batch, pressures)
            except ProtocolError as exc:
                batch.dead.append(dead_letter(msg.topic, msg.payload, exc.reason, exc.detail, now))
            except Exception as exc:
                log.exception("unexpected error decoding a message on %r", msg.topic[:100])
                batch.dead.append(dead_letter(msg.topic, msg.payload, "internal_error",
                                              repr(exc), now))
        return batch

    def _route(self, name: str) -> _Route:
        """The parsed topic and the device it names (cached: this runs per message)."""
        route = self._routes.get(name)
        if route is None:
            topic = parse_topic(name)
            ref = topic.device_ref if topic.kind in _DEVICE_KINDS else None
            if len(self._routes) >= _TOPIC_CACHE_MAX:
                self._routes.clear()
            route = self._routes[name] = _Route(topic, ref)
        return route

    def _one(self, msg: Message, now: int, batch: Batch, pressures: dict[str, float]) -> None:
        if msg.topic.endswith(_GATEWAY_EVENTS) and (
                log_site_of(msg.topic) or problem_site_of(msg.topic)):
            batch.other += 1  # a gateway's kiosk log or problem: its own handler's
            return
        route = self._route(msg.topic)
        kind = route.topic.kind
        if kind is TopicKind.TELEMETRY:
            batch.telemetry += 1
            self._telemetry(msg, route, now, batch, pressures)
        elif kind is TopicKind.STATUS:
            batch.status += 1
            status = decode_status(msg.payload, self.limits)
            if self._device_ok(msg, route, now, batch):
                assert route.ref is not None
                batch.statuses.append((route.ref, status, now))
        else:
            batch.other += 1

    def _device_ok(self, msg: Message, route: _Route, now: int, batch: Batch) -> bool:
        """Whether the registry accepts the topic's device; asked once a batch per topic
        (the registry itself trusts an accepted device for ``device_cache_s``)."""
        if route.accepted_in == self._batches:
            return True
        ref = route.ref
        assert ref is not None
        check = self.registry.check_device(ref, auto_provision=self.auto_provision)
        if check is DeviceCheck.ACCEPTED:
            route.accepted_in = self._batches
            return True
        reason, detail = _DEVICE_REASONS[check]
        batch.dead.append(dead_letter(msg.topic, msg.payload, reason, detail, now))
        return False

    def _telemetry(self, msg: Message, route: _Route, now: int, batch: Batch,
                   pressures: dict[str, float]) -> None:
        decoded = decode_telemetry(msg.payload, now, self.limits)
        if route.accepted_in != self._batches and not self._device_ok(msg, route, now, batch):
            return
        ref = route.ref
        assert ref is not None
        keys = route.keys
        newest = batch.newest_t
        append = batch.rows.append
        for t, values in decoded.samples:
            if t > newest:
                newest = t
            if "temp_c" in values:  # every derived metric needs the temperature
                extra = derived_values(values, pressures.get(ref.site, 1.0))
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
