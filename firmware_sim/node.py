"""One simulated sensor node: protocol v1 behaviour on top of any pond model.

The node publishes a retained status on connect (with a Last Will that says
``online: false``), telemetry every ``interval_s``, keeps readings in a bounded
on-device buffer while the link is down and catches up in batches when it
returns, and obeys the ``set_interval`` command.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from typing import Protocol, TextIO

from kolam.config import MqttUrl
from kolam.errors import MqttError, ProtocolError
from kolam.mqtt import Message, MqttClient, Will
from kolam.protocol import (
    LAST_WILL,
    Command,
    DeviceRef,
    Sample,
    Status,
    Telemetry,
    cmd_topic,
    decode_command,
    encode_status,
    encode_telemetry,
    status_topic,
    telemetry_topic,
)
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

FIRMWARE = "sim-1.0"


class Link(Protocol):
    """Where a node's messages go: a broker, or stdout in dry-run mode."""

    @property
    def up(self) -> bool: ...

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None: ...

    def close(self) -> None: ...


class JsonLinesLink:
    """Dry-run link: one ``{"topic": ..., "payload": {...}}`` line per message."""

    def __init__(self, out: TextIO, lock: threading.Lock) -> None:
        self._out = out
        self._lock = lock

    @property
    def up(self) -> bool:
        return True

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None:
        line = json.dumps({"topic": topic, "payload": json.loads(payload)},
                          separators=(",", ":"))
        with self._lock:
            self._out.write(line + "\n")

    def close(self) -> None:
        self._out.flush()


class MqttLink:
    """A node's own MQTT connection, with its Last Will on the status topic."""

    def __init__(self, url: MqttUrl, ref: DeviceRef, on_command: CommandHandler, *,
                 persistent: bool = False) -> None:
        """``persistent``: a fixed client id with a persistent session, so that the broker
        keeps the commands sent while the node is offline (relay nodes)."""
        self._on_command = on_command
        self._status_topic = status_topic(ref)
        self._cmd_topic = cmd_topic(ref)
        self._client = MqttClient(url, f"sim-{ref.site}-{ref.device}",
                                  clean_session=not persistent,
                                  will=Will(status_topic(ref), LAST_WILL))
        self._client.subscribe([cmd_topic(ref)], self._command)

    def connect(self, wait: bool) -> None:
        self._client.connect(wait=wait)

    def on_connect(self, hook: ConnectHook) -> None:
        self._client.on_connect(hook)

    @property
    def up(self) -> bool:
        return self._client.connected

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self._client.publish(topic, payload, qos=1, retain=retain)

    def _command(self, msg: Message) -> None:
        # Only our own command topic: some brokers (amqtt 0.12) also hand a new client
        # retained messages that matched other clients' subscriptions.
        if msg.topic == self._cmd_topic:
            self._on_command(msg.payload)

    def close(self) -> None:
        """Switch off cleanly: say so on the status topic (no Last Will on DISCONNECT)."""
        if self._client.connected:
            try:
                self._client.publish(self._status_topic, LAST_WILL, retain=True, wait_s=2.0)
            except MqttError as exc:
                log.warning("could not publish offline status: %s", exc)
        self._client.close()

    def abort(self) -> None:
        self._client.abort()


class CommandHandler(Protocol):
    def __call__(self, payload: bytes, /) -> None: ...


class ConnectHook(Protocol):
    def __call__(self, session_present: bool, /) -> None: ...


class SimNode:
    """Protocol state of one node: seq, boot, interval and the catch-up buffer."""

    def __init__(self, ref: DeviceRef, interval_s: float, *, boot: int = 1,
                 buffer_samples: int = 10_000, batch_samples: int = 60) -> None:
        self.ref = ref
        self.interval_s = interval_s
        self.boot = boot
        self.seq = 0
        self.battery_v = 4.1
        self.rssi_dbm = -60.0
        self.dropped = 0
        self._buffer: deque[Sample] = deque(maxlen=buffer_samples)
        self._batch = batch_samples
        self._lock = threading.Lock()
        self.link: Link | None = None

    def attach(self, link: Link) -> None:
        self.link = link

    def status(self) -> Status:
        return Status(online=True, fw=FIRMWARE, boot=self.boot, battery_v=round(self.battery_v, 2),
                      rssi_dbm=self.rssi_dbm, interval_s=self.interval_s)

    def announce(self) -> None:
        """Publish the retained status (call on every connect)."""
        if self.link is not None:
            self.link.send(status_topic(self.ref), encode_status(self.status()), retain=True)

    def on_connect(self, session_present: bool) -> None:
        """Announce the status, then catch up on what was buffered while offline."""
        self.announce()
        self.flush()

    def reboot(self, boot: int | None = None) -> None:
        """A brown-out: boot counter up, seq back to zero, unsent buffer lost (RAM)."""
        with self._lock:
            self.boot = boot if boot is not None else self.boot + 1
            self.seq = 0
            self.dropped += len(self._buffer)
            self._buffer.clear()
        self.announce()

    def handle_command(self, payload: bytes) -> None:
        try:
            cmd = decode_command(payload)
        except ProtocolError as exc:
            log.warning("%s ignored a bad command: %s", self.ref.device, exc)
            return
        if cmd.expires_t is not None and cmd.expires_t < now_ms():
            log.warning("%s ignored an expired command", self.ref.device)
            return
        if isinstance(cmd, Command) and cmd.interval_s is not None:
            self.interval_s = cmd.interval_s
            log.info("%s interval set to %g s", self.ref.device, self.interval_s)
            self.announce()

    def record(self, sample: Sample) -> None:
        """Take a reading; it is sent at the next ``flush()``."""
        with self._lock:
            if len(self._buffer) == self._buffer.maxlen:
                self.dropped += 1
            self._buffer.append(sample)

    def flush(self) -> int:
        """Send buffered samples (in batches) if the link is up; return how many were sent."""
        link = self.link
        sent = 0
        while link is not None and link.up:
            with self._lock:
                if not self._buffer:
                    break
                chunk = [self._buffer.popleft()
                         for _ in range(min(self._batch, len(self._buffer)))]
                self.seq += 1
                msg = Telemetry(self.seq, self.boot, tuple(chunk))
            link.send(telemetry_topic(self.ref), encode_telemetry(msg))
            sent += len(chunk)
        return sent

    @property
    def buffered(self) -> int:
        return len(self._buffer)
