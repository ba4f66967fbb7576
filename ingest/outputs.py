"""Relay outputs at the centre: ingest's handler of the retained ``state`` topics.

``kolam/v1/{site}/{pond}/{device}/state`` reaches the central broker from a relay node
directly or, behind a gateway, as the gateway's forwarded switch log (every change in the
order seen, retained; docs/gateway.md). Each output whose (``on``, ``since``) is new is
recorded as a switch with its ``by``/``reason`` and motor current
(:class:`kolam.registry.outputs.Outputs`); a state seen again (redelivery, a republish on
reconnect) changes nothing. A payload that does not decode, or a relay that is not a
registered, enabled device of that pond, is a dead letter with its reason, as telemetry is.

The worker calls ``prepare`` once per batch and ``commit`` inside its retried commit step,
before the batch is acknowledged: a switch is never acked unrecorded.
"""

from __future__ import annotations

import logging

from ingest.decoder import dead_letter
from kolam.errors import ProtocolError
from kolam.mqtt import Message
from kolam.protocol import (
    DeviceRef,
    Limits,
    Reason,
    RelayState,
    TopicKind,
    decode_state,
    parse_topic,
)
from kolam.registry.outputs import Outputs
from kolam.registry.repo import DeadLetterIn, DeviceCheck, Registry

log = logging.getLogger(__name__)

STATE_LEAF = "/state"
_DEVICE_REASONS = {
    DeviceCheck.UNKNOWN: (Reason.UNKNOWN_DEVICE, "device is not registered"),
    DeviceCheck.DISABLED: (Reason.DISABLED_DEVICE, "device is disabled"),
    DeviceCheck.MOVED: (Reason.UNKNOWN_DEVICE, "device is registered to another pond"),
}


class OutputIngest:
    """Decodes a batch's relay states and records their switches."""

    def __init__(self, registry: Registry, limits: Limits, auto_provision: bool) -> None:
        self.registry = registry
        self.outputs = Outputs(registry.engine)
        self.limits = limits
        self.auto_provision = auto_provision
        self._states: list[tuple[DeviceRef, RelayState, int]] = []
        self.states: list[tuple[DeviceRef, RelayState, int]] = []
        """The batch's decoded states of registered relays, kept for the alert engine."""
        self._dead: list[DeadLetterIn] = []
        self.switches = 0
        self.dead = 0

    def prepare(self, messages: list[Message], now: int) -> None:
        """Decode the batch's ``state`` messages (the others are not looked at)."""
        self._states, self._dead, self.states = [], [], []
        for msg in messages:
            if not msg.topic.endswith(STATE_LEAF):
                continue
            try:
                self._one(msg, now)
            except ProtocolError as exc:
                self._dead.append(dead_letter(msg.topic, msg.payload, exc.reason, exc.detail,
                                              now))
            except Exception as exc:  # a bug here must not stop ingest
                log.exception("unexpected error decoding a relay state on %r", msg.topic[:100])
                self._dead.append(dead_letter(msg.topic, msg.payload, "internal_error",
                                              repr(exc), now))

    def _one(self, msg: Message, now: int) -> None:
        topic = parse_topic(msg.topic)
        if topic.kind is not TopicKind.STATE:
            return
        ref = topic.device_ref
        state = decode_state(msg.payload, self.limits)
        check = self.registry.check_device(ref, auto_provision=self.auto_provision)
        if check is not DeviceCheck.ACCEPTED:
            reason, detail = _DEVICE_REASONS[check]
            self._dead.append(dead_letter(msg.topic, msg.payload, reason, detail, now))
            return
        self._states.append((ref, state, now))
        self.states.append((ref, state, now))

    def commit(self) -> None:
        """Record what ``prepare`` found; raises ``RegistryError`` (retried by the worker).
        Safe to call again after a failure: what is recorded is not recorded twice."""
        if self._dead:
            self.registry.add_dead_letters(self._dead)
            self.dead += len(self._dead)
            self._dead = []
        while self._states:
            ref, state, at = self._states[0]
            self.switches += self.outputs.record_switches(ref, dict(state.outputs), at)
            self._states.pop(0)
