"""One simulated relay node: the outputs (aerators, pumps) of a pond, switched by command.

Protocol v1 (docs/protocol.md, "Relay nodes"): the node obeys ``set_output`` on its
``cmd`` topic and publishes its confirmed outputs retained on ``state``, on every connect
and after every change, with the motor current while an output is on. A dead motor
(``fail_motor``) is switched on like a good one but draws 0 A and moves no air.

What the node does to the water is the runner's business: the ``aerating`` property says
whether any of its ``aerator-*`` outputs is really pushing air, and the runner hands that
to the pond model as the pond's aerator input (``firmware_sim.runner``).

A power blip (``power_blip``) drops every relay, as relay boards do when they brown out:
outputs that were on stay off until someone switches them back on. ``power_back`` is the
morning shift doing it for outputs nobody has switched since.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from firmware_sim.node import FIRMWARE, Link
from kolam.errors import ProtocolError
from kolam.protocol import (
    DeviceRef,
    OutputState,
    RelayState,
    SetOutput,
    Status,
    decode_command,
    encode_state,
    encode_status,
    state_topic,
    status_topic,
)

log = logging.getLogger(__name__)

RATED_AMPS = 1.1
"""Current of one running blower: 200 W (the simulator's aerator, docs/simulator.md) on
220 V at a power factor of about 0.8."""
AERATOR_PREFIX = "aerator"


@dataclass(slots=True)
class _Output:
    on: bool
    since: int
    by: str | None = None
    reason: str | None = None
    motor_ok: bool = True


class RelayNode:
    """Protocol state of one relay board; thread-safe (commands arrive on the network
    thread, the runner reads ``aerating`` on its own)."""

    def __init__(self, ref: DeviceRef, outputs: Sequence[str], now_ms: int, *,
                 on: bool = False, boot: int = 1) -> None:
        self.ref = ref
        self.boot = boot
        self.now_ms = now_ms
        """The node's clock (simulated time), moved on by the runner's ``tick``."""
        self._outputs = {name: _Output(on, now_ms, "local:boot", "initial") for name in outputs}
        self._dropped: set[str] = set()
        self._lock = threading.Lock()
        self.link: Link | None = None
        self.commands = 0

    def attach(self, link: Link) -> None:
        self.link = link

    # ------------------------------------------------------------ state

    def state(self) -> RelayState:
        with self._lock:
            return RelayState({
                name: OutputState(o.on, o.since,
                                  (RATED_AMPS if o.motor_ok else 0.0) if o.on else None,
                                  o.by, o.reason)
                for name, o in self._outputs.items()})

    def is_on(self, output: str) -> bool:
        with self._lock:
            return self._outputs[output].on

    @property
    def aerating(self) -> bool:
        """Is any aerator output on with a working motor?"""
        with self._lock:
            return any(o.on and o.motor_ok for name, o in self._outputs.items()
                       if name.startswith(AERATOR_PREFIX))

    def publish_state(self) -> None:
        if self.link is not None and self.link.up:
            self.link.send(state_topic(self.ref), encode_state(self.state()), retain=True)

    def on_connect(self, session_present: bool) -> None:
        """Status, then the confirmed outputs, on every connect (both retained)."""
        if self.link is not None:
            self.link.send(status_topic(self.ref), encode_status(
                Status(online=True, fw=FIRMWARE, boot=self.boot)), retain=True)
        self.publish_state()

    # ------------------------------------------------------------ inputs

    def handle_command(self, payload: bytes) -> None:
        try:
            cmd = decode_command(payload)
        except ProtocolError as exc:
            log.warning("%s ignored a bad command: %s", self.ref.device, exc)
            return
        if not isinstance(cmd, SetOutput):
            return  # a relay board reads no probes: set_interval has nothing to change
        with self._lock:
            out = self._outputs.get(cmd.output)
            if out is None:
                log.warning("%s has no output %r", self.ref.device, cmd.output)
                return
            if cmd.expires_t is not None and cmd.expires_t < self.now_ms:
                log.warning("%s ignored an expired command for %s", self.ref.device, cmd.output)
                return
            self.commands += 1
            self._dropped.discard(cmd.output)
            if out.on != cmd.on:
                out.on, out.since = cmd.on, self.now_ms
                out.by, out.reason = cmd.by, cmd.reason
        self.publish_state()

    def switch(self, output: str, on: bool, by: str, reason: str) -> None:
        """A change made at the board itself (a person at the pond, the scenario)."""
        with self._lock:
            out = self._outputs[output]
            if out.on == on:
                return
            out.on, out.since, out.by, out.reason = on, self.now_ms, by, reason
        self.publish_state()

    def fail_motor(self, output: str, failed: bool = True) -> None:
        """The motor behind ``output`` dies (or is repaired): it draws 0 A and moves no air."""
        with self._lock:
            self._outputs[output].motor_ok = not failed
        self.publish_state()

    def power_blip(self) -> None:
        """Every relay drops; what was on stays off until switched on again."""
        with self._lock:
            for name, out in self._outputs.items():
                if out.on:
                    self._dropped.add(name)
                    out.on, out.since, out.by, out.reason = (False, self.now_ms, "local:power",
                                                             "power_blip")
        self.publish_state()

    def power_back(self) -> None:
        """Someone at the pond switches back on what the blip dropped and nobody touched."""
        with self._lock:
            dropped, self._dropped = self._dropped, set()
        for name in sorted(dropped):
            self.switch(name, True, "local:farmer", "power_back")
