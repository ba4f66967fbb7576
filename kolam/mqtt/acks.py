"""Acknowledgements awaited by packet id, and :class:`Publish`, the handle a publish returns.

Nothing here knows paho: ``client.py`` feeds the table from paho's public
``on_publish``/``on_subscribe`` callbacks.
"""

from __future__ import annotations

import itertools
import threading


class Ack:
    """One awaited PUBACK or SUBACK; ``result`` is what the broker answered."""

    __slots__ = ("_done", "result")

    def __init__(self) -> None:
        self._done = threading.Event()
        self.result: object = None

    def set(self, result: object) -> None:
        self.result = result
        self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout_s: float | None) -> bool:
        return self._done.wait(timeout_s)


class AckTable:
    """Acknowledgements by packet id, fed by paho's ``on_publish``/``on_subscribe``.

    paho numbers PUBLISH and SUBSCRIBE packets from one counter, so one table serves
    both. The broker can answer before ``publish()`` has returned the id to us (paho's
    network thread runs meanwhile), so an answer nobody waits for yet is kept, stamped,
    and handed to the next ``watch`` of that id if it came after that call began: ids
    wrap at 65,535, and an older answer belongs to an earlier packet. paho calls
    ``on_publish`` holding its own message lock, so ours is never held while calling
    paho (the two lock orders would deadlock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[int, Ack] = {}
        self._early: dict[int, tuple[int, object]] = {}
        self._clock = itertools.count()

    def ticket(self) -> int:
        """Take before sending the packet; pass to ``watch``."""
        return next(self._clock)

    def watch(self, mid: int, since: int) -> Ack:
        ack = Ack()
        with self._lock:
            early = self._early.pop(mid, None)
            if early is None or early[0] < since:
                self._waiting[mid] = ack
                return ack
        ack.set(early[1])
        return ack

    def forget(self, mid: int) -> None:
        with self._lock:
            self._waiting.pop(mid, None)

    def arrived(self, mid: int, result: object) -> None:
        with self._lock:
            ack = self._waiting.pop(mid, None)
            if ack is None:
                self._early[mid] = (next(self._clock), result)
                return
        ack.set(result)


class Publish:
    """Kolam's handle on one published message, returned by :meth:`MqttClient.publish`.

    ``acked`` turns true when the broker acknowledges the message (PUBACK, QoS 1). A
    message published while the link is down (``queued_offline``) stays queued in the
    client, is sent again on reconnect and turns ``acked`` on that PUBACK like any
    other. QoS 0 has no acknowledgement: its handle is acked once handed to the link.
    """

    __slots__ = ("_ack", "mid", "queued_offline", "topic")

    def __init__(self, topic: str, mid: int, ack: Ack, queued_offline: bool) -> None:
        self.topic = topic
        self.mid = mid
        self.queued_offline = queued_offline
        self._ack = ack

    @property
    def acked(self) -> bool:
        return self._ack.done

    def wait(self, timeout_s: float) -> bool:
        """Block until acked or ``timeout_s`` passed; whether it was acked."""
        return self._ack.wait(timeout_s)

    def __repr__(self) -> str:
        return f"Publish({self.topic!r}, mid={self.mid}, acked={self.acked})"
