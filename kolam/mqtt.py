"""A small wrapper around paho-mqtt 2.x shared by the simulator, gateway and ingest.

Paho's return codes are checked once here and turned into ``MqttError``; paho's
message objects never leave this module (callers get :class:`Message`).

Reconnecting: ``connect()`` starts paho's network thread, which reconnects by
itself with a back-off of 1–``reconnect_max_s`` seconds whenever the link drops.
On every (re)connect the client re-subscribes its filters, because a broker that
lost its persistence may have forgotten them. With ``clean_session=False`` and a
fixed client id the broker queues QoS 1 messages while we are away.
"""

from __future__ import annotations

import logging
import ssl
import struct
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from kolam.config import MqttUrl
from kolam.errors import MqttError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    """A received message. ``mid`` is needed to acknowledge it in manual-ack mode."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    mid: int


class _BufferedSocket:
    """The broker's socket with a read buffer.

    paho reads every packet with three or four ``recv`` calls (command byte, each length
    byte, body): a system call each, and each one releases the GIL, so a busy worker
    thread and paho's network thread hand it back and forth several times a message.
    Reading up to 64 KiB at a time and serving paho from that makes it one call for
    hundreds of small messages. ``pending()`` tells paho's loop that buffered bytes are
    there to read (it asks the same of TLS sockets)."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._buf = b""
        self._pos = 0

    def recv(self, n: int) -> bytes:
        if self._pos >= len(self._buf):
            data: bytes = self._sock.recv(max(n, 65536))
            if len(data) <= n:
                return data
            self._buf, self._pos = data, 0
        start, self._pos = self._pos, self._pos + n
        return self._buf[start:self._pos]

    def pending(self) -> int:
        inner = self._sock.pending() if hasattr(self._sock, "pending") else 0
        return max(0, len(self._buf) - self._pos) + inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


_PUBACK = struct.Struct("!BBH")  # fixed header, remaining length 2, packet id


class _Paho(paho.Client):
    """paho's client reading through a ``_BufferedSocket``, every buffered packet per turn
    of its loop (paho's own ``loop_read`` takes one packet per ``select``)."""

    def _create_socket(self) -> Any:
        return _BufferedSocket(super()._create_socket())

    def ack_many(self, mids: Sequence[int]) -> None:
        """PUBACK a batch of QoS 1 messages as one queued write. paho's ``ack()`` queues a
        packet, wakes its loop through a socket pair and later sends four bytes, each
        a system call, per message."""
        if mids:
            packet = b"".join([_PUBACK.pack(paho.PUBACK, 2, mid) for mid in mids])
            self._packet_queue(paho.PUBACK, packet, mids[-1], 1)

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and isinstance(
                self._sock, _BufferedSocket) and self._sock.pending() > 0:
            rc = super().loop_read(max_packets)
        return rc


@dataclass(frozen=True, slots=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


MessageHandler = Callable[[Message], None]


class MqttClient:
    """One connection to one broker (MQTT 3.1.1)."""

    def __init__(
        self,
        url: MqttUrl,
        client_id: str,
        *,
        clean_session: bool = True,
        manual_ack: bool = False,
        will: Will | None = None,
        keepalive_s: int = 30,
        max_inflight: int = 100,
        reconnect_max_s: int = 30,
        ca_file: str | None = None,
    ) -> None:
        self.url = url
        self.client_id = client_id
        self._filters: list[tuple[str, int]] = []
        self._handler: MessageHandler | None = None
        self._connected = threading.Event()
        self._on_connect_hooks: list[Callable[[bool], None]] = []
        self._keepalive_s = keepalive_s
        self._client = _Paho(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_session,
            protocol=paho.MQTTv311,
            manual_ack=manual_ack,
        )
        if url.username:
            self._client.username_pw_set(url.username, url.password)
        if url.tls:
            self._client.tls_set(ca_certs=ca_file or url.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        if will is not None:
            self._client.will_set(will.topic, will.payload, will.qos, will.retain)
        self._client.max_inflight_messages_set(max_inflight)
        self._client.max_queued_messages_set(0)
        self._client.reconnect_delay_set(1, reconnect_max_s)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    # ------------------------------------------------------------ lifecycle

    def on_connect(self, hook: Callable[[bool], None]) -> None:
        """Call ``hook(session_present)`` after every successful (re)connect."""
        self._on_connect_hooks.append(hook)

    def connect(self, timeout_s: float = 10.0, *, wait: bool = True) -> None:
        """Connect and start the network thread.

        With ``wait`` (the default) block until the broker accepts us or raise
        ``MqttError``; without it, return at once and keep retrying in the
        background (a gateway must start even while its uplink is down).
        """
        try:
            self._client.connect_async(self.url.host, self.url.port, self._keepalive_s)
        except (OSError, ValueError) as exc:
            raise MqttError(f"cannot connect to {self.url.redacted()}: {exc}") from exc
        self._client.loop_start()
        if wait and not self._connected.wait(timeout_s):
            self.close()
            raise MqttError(f"no CONNACK from {self.url.redacted()} within {timeout_s:g} s")

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def close(self, timeout_s: float = 5.0) -> None:
        """Disconnect cleanly (no Last Will is sent) and stop the network thread."""
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()
        self._connected.clear()

    def abort(self) -> None:
        """Drop the TCP connection without DISCONNECT, so the broker sends our Last Will."""
        sock = self._client.socket()
        self._client.loop_stop()
        if sock is not None:
            sock.close()
        self._connected.clear()

    # ------------------------------------------------------------ messages

    def subscribe(self, filters: Iterable[str], handler: MessageHandler, qos: int = 1) -> None:
        """Subscribe now and after every reconnect; ``handler`` runs on the network thread."""
        self._handler = handler
        new = [(f, qos) for f in filters]
        self._filters.extend(new)
        if self.connected and new:
            self._check(self._client.subscribe(new)[0], "subscribe")

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False,
                wait_s: float | None = None) -> paho.MQTTMessageInfo:
        """Publish; with ``wait_s`` block until the broker acknowledged it (PUBACK)."""
        info = self._client.publish(topic, payload, qos, retain)
        if info.rc not in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_NO_CONN):
            raise MqttError(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        if wait_s is not None:
            try:
                info.wait_for_publish(wait_s)
            except (RuntimeError, ValueError) as exc:
                raise MqttError(f"publish to {topic} failed: {exc}") from exc
            if not info.is_published():
                raise MqttError(f"publish to {topic} not acknowledged within {wait_s:g} s")
        return info

    def ack(self, mid: int, qos: int = 1) -> None:
        """Acknowledge a message received in manual-ack mode (after it is durable)."""
        if qos > 0:
            self._client.ack(mid, qos)

    def ack_many(self, messages: Iterable[Message]) -> None:
        """Acknowledge a committed batch (manual-ack mode) in one write."""
        once = [m.mid for m in messages if m.qos == 1]
        self._client.ack_many(once)
        for m in messages:
            if m.qos > 1:
                self._client.ack(m.mid, m.qos)

    # ------------------------------------------------------------ paho callbacks

    def _check(self, rc: int, what: str) -> None:
        if rc != paho.MQTT_ERR_SUCCESS:
            raise MqttError(f"{what} failed: {paho.error_string(rc)}")

    def _on_connect(self, client: paho.Client, userdata: object, flags: paho.ConnectFlags,
                    reason: object, properties: object) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("broker %s refused %s: %s", self.url.redacted(), self.client_id, reason)
            return
        log.info("connected to %s as %s (session present: %s)", self.url.redacted(),
                 self.client_id, flags.session_present)
        if self._filters:
            client.subscribe(self._filters)
        self._connected.set()
        for hook in self._on_connect_hooks:
            hook(flags.session_present)

    def _on_disconnect(self, client: paho.Client, userdata: object, flags: object,
                       reason: object, properties: object) -> None:
        if self._connected.is_set():
            log.warning("disconnected from %s: %s", self.url.redacted(), reason)
        self._connected.clear()

    def _on_message(self, client: paho.Client, userdata: object,
                    msg: paho.MQTTMessage) -> None:
        if self._handler is None:
            return
        # A broker may pass a topic that is not valid UTF-8; paho's .topic would raise
        # on the network thread. Decode leniently and let protocol validation reject it.
        topic = bytes(msg._topic).decode("utf-8", errors="replace")
        payload = msg.payload if isinstance(msg.payload, bytes) else bytes(msg.payload)
        self._handler(Message(topic, payload, msg.qos, bool(msg.retain), msg.mid))
