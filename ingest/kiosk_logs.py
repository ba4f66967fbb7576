"""Logs entered at a gateway's kiosk: ingest's handler of ``kolam/v1/{site}/gateway/{gw}/log``.

The gateway keeps each log in its outbox until the central broker acknowledges it, so a log
may arrive more than once (a link cut before the PUBACK, a gateway killed and restarted).
Each carries the client id the gateway gave it when the trainee pressed "Simpan"; the
registry stores a log with a client id only once (``cycle_logs.client_id``, unique), so
each is applied exactly once. A log goes to the pond's active cycle, recorded by the kiosk
account at the gateway, confirmed (the person at the pond cannot be asked again later; the
plausibility bounds were checked at the gateway). One that cannot be applied (no such pond,
no active cycle, more dead fish than alive) is a dead letter with its reason.

Like ``ingest.outputs``: ``prepare`` once per batch, ``commit`` in the worker's retried
commit step before the batch is acknowledged.
"""

from __future__ import annotations

import logging

from ingest.decoder import dead_letter
from kolam.errors import NotFound, ProtocolError
from kolam.kiosk import KioskLog, decode_log
from kolam.kiosk.logs import site_of
from kolam.mqtt import Message
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import InvalidRecord, LogKind, NewLog
from kolam.registry.repo import DeadLetterIn, Registry

log = logging.getLogger(__name__)

REJECTED = "log_rejected"
"""Dead-letter reason of a kiosk log the registry refused (no cycle, too many dead…)."""


class KioskLogIngest:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.entries = Entries(registry.engine)
        self.cycles = Cycles(registry.engine)
        self._logs: list[tuple[str, KioskLog, Message, int]] = []
        self._dead: list[DeadLetterIn] = []
        self.applied = 0

    def prepare(self, messages: list[Message], now: int) -> None:
        self._logs, self._dead = [], []
        for msg in messages:
            site = site_of(msg.topic)
            if site is None:
                continue
            try:
                self._logs.append((site, decode_log(msg.payload), msg, now))
            except ProtocolError as exc:
                self._dead.append(dead_letter(msg.topic, msg.payload, exc.reason, exc.detail,
                                              now))

    def commit(self) -> None:
        """Apply what ``prepare`` found; safe to call again after a failure (a log applied
        already is found by its client id)."""
        if self._dead:
            self.registry.add_dead_letters(self._dead)
            self._dead = []
        while self._logs:
            site, entry, msg, now = self._logs[0]
            try:
                self._apply(site, entry)
            except (InvalidRecord, NotFound) as exc:
                log.warning("kiosk log %s of %s/%s refused: %s", entry.client_id, site,
                            entry.pond, exc)
                self.registry.add_dead_letters([dead_letter(msg.topic, msg.payload, REJECTED,
                                                            str(exc), now)])
            self._logs.pop(0)

    def _apply(self, site: str, entry: KioskLog) -> None:
        cycle = self.cycles.active_cycle(site, entry.pond)
        if cycle is None:
            raise InvalidRecord(f"pond {entry.pond!r} has no active cycle")
        new = NewLog(LogKind(entry.kind), entry.t, feed_kg=entry.feed_kg,
                     dead_count=entry.dead_count, member_ids=entry.members,
                     client_id=entry.client_id)
        self.entries.add_log(site, cycle.id, new, entry.by, confirmed=True)
        self.applied += 1
