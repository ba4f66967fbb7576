"""The one place Kolam touches paho's private API: :class:`PahoClient`.

Only this module and ``client.py`` import paho (``tests/kolam/test_mqtt_seam.py``
holds that, and pins every private name used here against the installed paho).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode


class BufferedSocket:
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


class PahoClient(paho.Client):
    """paho's client with the two speed-ups ingest needs: the one place Kolam touches
    paho's private API.

    What it relies on, all present in paho 2.1 and 2.2 (``paho-mqtt>=2.1,<2.3`` in
    pyproject.toml; ``tests/kolam/test_mqtt_seam.py`` checks each name against the
    installed paho, so an upgrade fails there and not in a running service):

    - ``Client._create_socket()`` returns the connected socket: wrapped in a
      ``BufferedSocket`` so that one ``recv`` serves hundreds of packets;
    - ``Client._sock`` is that socket, and paho's loop does not block in ``select``
      while ``_sock.pending()`` is positive; ``loop_read`` drains the buffer each
      turn (paho's own takes one packet per ``select``);
    - ``Client._packet_queue(command, packet, mid, qos)`` queues raw bytes for the
      network thread: ``ack_many`` sends a batch of PUBACKs as one write, where paho's
      ``ack()`` queues each with a wake-up write and sends four bytes, a system call
      each, per message;
    - ``MQTTMessage._topic`` holds the topic's raw bytes (``raw_topic``).

    docs/scaling.md says what the first two are worth to ingest."""

    def _create_socket(self) -> Any:
        return BufferedSocket(super()._create_socket())

    def ack_many(self, mids: Sequence[int]) -> None:
        """PUBACK a batch of QoS 1 messages as one queued write."""
        if mids:
            packet = b"".join([_PUBACK.pack(paho.PUBACK, 2, mid) for mid in mids])
            self._packet_queue(paho.PUBACK, packet, mids[-1], 1)

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and isinstance(
                self._sock, BufferedSocket) and self._sock.pending() > 0:
            rc = super().loop_read(max_packets)
        return rc

    @staticmethod
    def raw_topic(msg: paho.MQTTMessage) -> str:
        """The topic, decoded leniently: a broker may pass one that is not valid UTF-8,
        and paho's ``.topic`` would raise on the network thread; protocol validation
        rejects it later."""
        return bytes(msg._topic).decode("utf-8", errors="replace")
