"""The bounded hand-over between paho's network thread and a worker thread, used by
ingest and by the gateway's receiver (both ack only after their own commit).

Bounded by message count and by payload bytes: when full, ``put`` blocks paho's
thread, so no more is read from the socket and the broker holds the rest (its
in-flight window and queue) — backpressure instead of unbounded memory.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from kolam.mqtt import Message


class Inbox:
    def __init__(self, max_messages: int, max_bytes: int) -> None:
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self._items: deque[tuple[Message, int]] = deque()
        self._bytes = 0
        self._cond = threading.Condition()
        self._want = 1
        self.generation = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes

    def put(self, msg: Message, stop: threading.Event) -> None:
        """Add a message, waiting while the inbox is full (unless stopping)."""
        size = len(msg.payload)
        with self._cond:
            while (self._items and (len(self._items) >= self.max_messages
                                    or self._bytes + size > self.max_bytes)
                   and not stop.is_set()):
                self._cond.wait(0.5)
            self._items.append((msg, self.generation))
            self._bytes += size
            # Wake the worker only for the first message or a full batch, not for each
            # message: a wake-up per message costs more than the message itself.
            n = len(self._items)
            if n == 1 or n >= self._want:
                self._cond.notify_all()

    def take(self, max_messages: int, flush_s: float, wait_s: float) -> list[tuple[Message, int]]:
        """Up to ``max_messages``: waits ``wait_s`` for the first, then at most ``flush_s``
        more for the batch to fill."""
        with self._cond:
            if not self._items and not self._cond.wait_for(lambda: bool(self._items), wait_s):
                return []
            deadline = time.monotonic() + flush_s
            self._want = max_messages
            while len(self._items) < max_messages:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    break
            self._want = 1
            n = min(max_messages, len(self._items))
            out = [self._items.popleft() for _ in range(n)]
            self._bytes -= sum(len(m.payload) for m, _ in out)
            self._cond.notify_all()
            return out

    def new_generation(self) -> int:
        """A reconnect: queued messages will be redelivered, so drop them.
        Returns how many were dropped."""
        with self._cond:
            self.generation += 1
            dropped = len(self._items)
            self._items.clear()
            self._bytes = 0
            self._cond.notify_all()
            return dropped
