"""The client: one connection to one broker, with Kolam's own message and publish types.

Reconnecting: ``connect()`` starts paho's network thread, which reconnects by
itself with a back-off of 1–``reconnect_max_s`` seconds whenever the link drops.
On every (re)connect the client re-subscribes its filters, because a broker that
lost its persistence may have forgotten them. With ``clean_session=False`` and a
fixed client id the broker queues QoS 1 messages while we are away.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from kolam.config import MqttUrl
from kolam.errors import MqttError
from kolam.mqtt.acks import Ack, AckTable, Publish
from kolam.mqtt.seam import PahoClient

log = logging.getLogger(__name__)

SUBACK_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Message:
    """A received message. ``mid`` is needed to acknowledge it in manual-ack mode."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    mid: int


@dataclass(frozen=True, slots=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


MessageHandler = Callable[[Message], None]


def _refused(filters: Sequence[tuple[str, int]], codes: object) -> list[str]:
    """The filters a SUBACK refused (MQTT 3.1.1: return code 0x80)."""
    if not isinstance(codes, list) or len(codes) != len(filters):
        return [f for f, _ in filters]
    return [f for (f, _), code in zip(filters, codes, strict=True)
            if getattr(code, "is_failure", True)]


@dataclass(frozen=True, slots=True)
class _Subscription:
    """The SUBSCRIBE sent on a (re)connect, whose SUBACK ``connect()`` awaits."""

    mid: int
    filters: list[tuple[str, int]]
    ack: Ack


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
        self._acks = AckTable()
        self._resubscribed: _Subscription | None = None
        self._client = PahoClient(
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
        self._client.on_publish = self._on_publish
        self._client.on_subscribe = self._on_subscribe

    # ------------------------------------------------------------ lifecycle

    def on_connect(self, hook: Callable[[bool], None]) -> None:
        """Call ``hook(session_present)`` after every successful (re)connect."""
        self._on_connect_hooks.append(hook)

    def connect(self, timeout_s: float = 10.0, *, wait: bool = True) -> None:
        """Connect and start the network thread.

        With ``wait`` (the default) block until the broker accepts us and has
        answered the subscription of the filters given so far (SUBACK), or raise
        ``MqttError``; filters the broker refuses are logged, the others stay in
        force. Without ``wait``, return at once and keep retrying in the
        background (a gateway must start even while its uplink is down).
        """
        deadline = time.monotonic() + timeout_s
        try:
            self._client.connect_async(self.url.host, self.url.port, self._keepalive_s)
        except (OSError, ValueError) as exc:
            raise MqttError(f"cannot connect to {self.url.redacted()}: {exc}") from exc
        self._client.loop_start()
        if not wait:
            return
        if not self._connected.wait(timeout_s):
            self.close()
            raise MqttError(f"no CONNACK from {self.url.redacted()} within {timeout_s:g} s")
        pending = self._resubscribed
        if pending is not None and not pending.ack.wait(max(0.0, deadline - time.monotonic())):
            self.close()
            raise MqttError(f"no SUBACK from {self.url.redacted()} within {timeout_s:g} s")

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

    def subscribe(self, filters: Iterable[str], handler: MessageHandler, qos: int = 1,
                  timeout_s: float = SUBACK_TIMEOUT_S) -> None:
        """Subscribe now and after every reconnect; ``handler`` runs on the network thread.

        Before ``connect()`` the filters are only recorded (``connect`` subscribes
        them). When connected, wait for the broker's SUBACK: ``MqttError`` if it
        refuses a filter (that filter is dropped) or does not answer within
        ``timeout_s`` (the filters stay, to be subscribed again on reconnect).
        """
        self._handler = handler
        new = [(f, qos) for f in filters]
        self._filters.extend(new)
        if not (self.connected and new):
            return
        since = self._acks.ticket()
        rc, mid = self._client.subscribe(new)
        if rc != paho.MQTT_ERR_SUCCESS or mid is None:
            raise MqttError(f"subscribe failed: {paho.error_string(rc)}")
        ack = self._acks.watch(mid, since)
        if not ack.wait(timeout_s):
            self._acks.forget(mid)
            raise MqttError(f"no SUBACK from {self.url.redacted()} within {timeout_s:g} s")
        refused = _refused(new, ack.result)
        if refused:
            for f in refused:
                self._filters.remove((f, qos))
            raise MqttError(f"{self.url.redacted()} refused the subscription to "
                            f"{', '.join(refused)}")

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False,
                wait_s: float | None = None) -> Publish:
        """Publish; with ``wait_s`` block until the broker acknowledged it (PUBACK).

        Without ``wait_s`` a message published while the link is down is queued and
        sent on reconnect (see :class:`Publish`); with it, that is an ``MqttError``.
        """
        since = self._acks.ticket()
        info = self._client.publish(topic, payload, qos, retain)
        if info.rc not in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_NO_CONN):
            raise MqttError(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        offline = info.rc == paho.MQTT_ERR_NO_CONN
        if qos == 0:
            ack = Ack()
            if not offline:
                ack.set(None)
        else:
            ack = self._acks.watch(info.mid, since)
        handle = Publish(topic, info.mid, ack, offline)
        if wait_s is not None:
            if offline:
                raise MqttError(f"publish to {topic} failed: not connected to "
                                f"{self.url.redacted()}")
            if not handle.wait(wait_s):
                raise MqttError(f"publish to {topic} not acknowledged within {wait_s:g} s")
        return handle

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

    def _on_connect(self, client: paho.Client, userdata: object, flags: paho.ConnectFlags,
                    reason: object, properties: object) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("broker %s refused %s: %s", self.url.redacted(), self.client_id, reason)
            return
        log.info("connected to %s as %s (session present: %s)", self.url.redacted(),
                 self.client_id, flags.session_present)
        if self._filters:
            self._resubscribe(client, list(self._filters))
        self._connected.set()
        for hook in self._on_connect_hooks:
            hook(flags.session_present)

    def _resubscribe(self, client: paho.Client, filters: list[tuple[str, int]]) -> None:
        # On the network thread, which cannot wait for its own SUBACK: connect() waits
        # for this one, and refusals are logged when it arrives (_on_subscribe).
        previous, self._resubscribed = self._resubscribed, None
        if previous is not None and not previous.ack.done:
            self._acks.forget(previous.mid)  # never answered: that link is gone
        since = self._acks.ticket()
        rc, mid = client.subscribe(filters)
        if rc != paho.MQTT_ERR_SUCCESS or mid is None:
            log.warning("subscribing on %s failed: %s", self.url.redacted(),
                        paho.error_string(rc))
            return
        self._resubscribed = _Subscription(mid, filters, self._acks.watch(mid, since))

    def _on_disconnect(self, client: paho.Client, userdata: object, flags: object,
                       reason: object, properties: object) -> None:
        if self._connected.is_set():
            log.warning("disconnected from %s: %s", self.url.redacted(), reason)
        self._connected.clear()

    def _on_publish(self, client: paho.Client, userdata: object, mid: int,
                    reason: object, properties: object) -> None:
        self._acks.arrived(mid, reason)

    def _on_subscribe(self, client: paho.Client, userdata: object, mid: int,
                      reason_codes: list[Any], properties: object) -> None:
        self._acks.arrived(mid, reason_codes)
        pending = self._resubscribed
        if pending is not None and pending.mid == mid:
            refused = _refused(pending.filters, reason_codes)
            if refused:
                log.warning("broker %s refused the subscription of %s to %s",
                            self.url.redacted(), self.client_id, ", ".join(refused))

    def _on_message(self, client: paho.Client, userdata: object,
                    msg: paho.MQTTMessage) -> None:
        if self._handler is None:
            return
        payload = msg.payload if isinstance(msg.payload, bytes) else bytes(msg.payload)
        self._handler(Message(PahoClient.raw_topic(msg), payload, msg.qos, bool(msg.retain),
                              msg.mid))
