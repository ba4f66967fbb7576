"""Gateways' "aerator not working" problems: ingest's handler of
``kolam/v1/{site}/gateway/{gw}/problem`` (kolam.control.problems).

Each message is one problem of a control loop raised or cleared. One that does not decode
(not JSON, a field missing or of the wrong type, an unknown problem) is a dead letter with
its reason, committed with the batch; the others go to the alert engine with the batch
(``AlertPipeline.commit``), which raises or clears the output's ``aerator_failed`` and
tells the pond's dawn forecast (ingest.alerts.aerators). A gateway resends an event whose
PUBACK it did not get, so one may arrive twice: the engine applies an event only when it
is newer than the last it applied for that output and problem.

Like ``ingest.kiosk_logs``: ``prepare`` once per batch, ``commit`` in the worker's retried
commit step before the batch is acknowledged.
"""

from __future__ import annotations

import logging

from ingest.decoder import dead_letter
from kolam.control import AeratorProblem, decode_problem
from kolam.control.problems import site_of
from kolam.errors import ProtocolError
from kolam.mqtt import Message
from kolam.registry.repo import DeadLetterIn, Registry

log = logging.getLogger(__name__)


class ProblemIngest:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.events: list[tuple[str, AeratorProblem, int]] = []
        """(site, problem, received at) of the batch in hand, in arrival order."""
        self._dead: list[DeadLetterIn] = []
        self.received = 0

    def prepare(self, messages: list[Message], now: int) -> None:
        self.events, self._dead = [], []
        for msg in messages:
            site = site_of(msg.topic)
            if site is None:
                continue
            self.received += 1
            try:
                self.events.append((site, decode_problem(msg.payload), now))
            except ProtocolError as exc:
                log.warning("problem on %s refused: %s", msg.topic[:100], exc)
                self._dead.append(dead_letter(msg.topic, msg.payload, exc.reason, exc.detail,
                                              now))

    def commit(self) -> None:
        """Store the dead letters ``prepare`` found; safe to call again after a failure."""
        if self._dead:
            self.registry.add_dead_letters(self._dead)
            self._dead = []
