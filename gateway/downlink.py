"""Commands down the chain: centre → gateway → node.

The gateway subscribes to its site's ``cmd`` topics on the central broker with a persistent
session, so commands sent while its uplink is down are queued there and arrive when it is
back. Each one is validated (protocol v1) and:

- a ``set_output`` for an output a control loop drives becomes a **manual override** of
  that loop (``until_t``, default an hour, then automatic again): the loop sends it to the
  relay with the sender's ``by`` and ``reason``, so the loop cannot undo it;
- a ``set_auto`` ends that override at once (back to automatic); for an output no loop
  drives it is logged and dropped (a node does not know it);
- both are answered in the switch log: the relay's state with ``mode``, ``until_t`` and
  ``ack`` (the command's ``id``) on that output, forwarded to the centre like a switch;
- anything else (``set_interval``, outputs no loop drives) is relayed to the node on the
  local broker, QoS 1, at once when the node is online (or has never said), else held
  in the outbox (a gateway restart keeps them) until its status says ``online`` again,
  and dropped when its ``expires_t`` passes.

Commands from the centre for another site, or that do not decode, are logged and dropped:
nothing a remote sender does can stop the gateway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from gateway.controller import Controller
from gateway.outbox import Outbox
from kolam.errors import KolamError, ProtocolError
from kolam.mqtt import Message
from kolam.protocol import (
    ROOT,
    DeviceRef,
    Reason,
    SetAuto,
    SetOutput,
    TopicKind,
    cmd_topic,
    decode_command,
    parse_topic,
)

log = logging.getLogger(__name__)

MAX_HELD_PER_DEVICE = 20
"""Commands held for one offline node (the newest kept): a node needs its latest orders."""

Publish = Callable[[str, bytes], None]


def downlink_filter(site: str) -> str:
    return f"{ROOT}/{site}/+/+/cmd"


class Downlink:
    """Takes the centre's commands (on the uplink's network thread) to the nodes."""

    def __init__(self, site: str, publish_local: Publish, controller: Controller,
                 clock: Callable[[], int], outbox: Outbox,
                 on_ack: Callable[[], None] | None = None) -> None:
        """``outbox``: a connection of its own (used under this object's lock);
        ``on_ack``: called after an answer is added to the switch log (wakes the
        forwarder)."""
        self.site = site
        self._publish = publish_local
        self.controller = controller
        self.clock = clock
        self.outbox = outbox
        self._lock = threading.Lock()
        self._online: dict[DeviceRef, bool] = {}
        self.on_ack = on_ack
        self.relayed = 0
        self.rejected = 0

    def on_message(self, msg: Message) -> None:
        try:
            self._take(msg)
        except ProtocolError as exc:
            self.rejected += 1
            log.warning("command from the centre on %s refused: %s", msg.topic[:100], exc)
        except KolamError as exc:
            log.error("command from the centre on %s could not be held: %s",
                      msg.topic[:100], exc)
        except Exception:
            self.rejected += 1
            log.exception("command from the centre on %s failed", msg.topic[:100])

    def _take(self, msg: Message) -> None:
        topic = parse_topic(msg.topic)
        if topic.kind is not TopicKind.CMD or topic.site != self.site:
            raise ProtocolError(Reason.BAD_TOPIC, f"not a command of site {self.site}")
        ref = topic.device_ref
        cmd = decode_command(msg.payload)
        expires = cmd.expires_t
        if expires is not None and expires < self.clock():
            log.warning("command for %s/%s expired before it reached the gateway", ref.pond,
                        ref.device)
            return
        if isinstance(cmd, SetAuto):
            if self.controller.resume(ref, cmd.output, cmd.by):
                self._ack(ref, cmd.output, cmd.id)
            else:
                log.warning("set_auto for %s/%s/%s: no control loop drives it", ref.pond,
                            ref.device, cmd.output)
            return
        if isinstance(cmd, SetOutput) and self.controller.owns(ref, cmd.output):
            self.controller.override(ref, cmd)
            self._ack(ref, cmd.output, cmd.id)
            return
        with self._lock:
            online = self._online.get(ref, True)
            if not online:
                self.outbox.hold_command(ref, msg.payload, expires, MAX_HELD_PER_DEVICE)
                log.info("command for %s/%s held until the node is back online", ref.pond,
                         ref.device)
                return
        self._send(ref, msg.payload)

    def _ack(self, ref: DeviceRef, output: str, command_id: str | None) -> None:
        """Say to the centre what the loop is now (through the switch log)."""
        mode = self.controller.mode_of(ref, output)
        if mode is None:
            return
        with self._lock:
            logged = self.outbox.log_ack(ref, output, {"mode": mode[0], "until_t": mode[1],
                                                       "ack": command_id})
        if not logged:
            log.info("no state of %s/%s/%s yet: the command is not answered", ref.pond,
                     ref.device, output)
        elif self.on_ack is not None:
            self.on_ack()

    def _send(self, ref: DeviceRef, payload: bytes) -> None:
        try:
            self._publish(cmd_topic(ref), payload)
        except KolamError as exc:
            log.warning("could not relay a command to %s/%s: %s", ref.pond, ref.device, exc)
            return
        self.relayed += 1

    def presence(self, changes: Sequence[tuple[DeviceRef, bool]]) -> None:
        """Devices' statuses seen on the local broker (receiver thread)."""
        now = self.clock()
        with self._lock:
            for ref, online in changes:
                self._online[ref] = online
                if not online:
                    continue
                try:
                    held = self.outbox.held_commands(ref)
                    for _, payload, expires_t in held:
                        if expires_t is None or expires_t >= now:
                            self._send(ref, payload)
                    self.outbox.forget_commands([i for i, _, _ in held])
                except KolamError as exc:
                    log.error("held commands for %s/%s: %s", ref.pond, ref.device, exc)
