"""The outbox's tables beside the samples, on the ``Outbox``'s own connection.

``OutboxTables`` is a base of ``gateway.outbox.Outbox``: the newest statuses and the
switch log forwarded in order (``pending_statuses``), the logs entered at the kiosk and the
control loops' "aerator not working" problems (forwarded the same way), the commands held
for nodes that are offline, the answers to the centre's commands, the newest state of each
relay node and the active local alarms. Each method is its own transaction;
``Outbox.commit`` writes statuses, relay states and the switch log in the samples'
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.outbox_db import OutboxDb
from kolam.control.problems import AeratorProblem, decode_problem, encode_problem
from kolam.kiosk.logs import KioskLog, decode_log, encode_log
from kolam.protocol import DeviceRef
from kolam.timeutil import now_ms

MAX_SWITCHES = 10_000
"""Relay state changes kept for the uplink (the oldest go first): years of a site's
switching, a few a day per aerator."""


KIOSK_LOGS_KEPT_MS = 2 * 86_400_000
"""Logs of the kiosk kept after the centre acknowledged them: today's tasks need today's."""
PROBLEMS_KEPT_MS = 30 * 86_400_000
"""Problem events kept after the centre acknowledged them: a problem raised weeks ago and
never cleared is still restored at a restart (its newest event is never pruned)."""


@dataclass(frozen=True, slots=True)
class PendingStatus:
    """A retained message not yet forwarded: a device's newest ``status`` (``version``
    counts its changes), or one relay state change (``kind`` ``switch``; ``version`` is
    its row in the switch log, forwarded in order)."""

    device_id: int
    payload: bytes
    version: int
    kind: str = "status"


@dataclass(frozen=True, slots=True)
class ActiveAlarm:
    ref: DeviceRef
    metric: str
    since: int
    t: int
    value: float


class OutboxTables(OutboxDb):
    """The outbox's tables beside the samples."""

    # ------------------------------------------------------------ statuses and switches forwarded

    def pending_statuses(self, max_switches: int = 100) -> list[PendingStatus]:
        """Statuses that changed since they were last forwarded, then the oldest switches."""
        rows = self._query("SELECT device_id, payload, version FROM statuses "
                           "WHERE version > sent_version ORDER BY device_id")
        out = [PendingStatus(int(a), bytes(b), int(c)) for a, b, c in rows]
        rows = self._query("SELECT device_id, payload, id FROM switches ORDER BY id LIMIT ?",
                           (max_switches,))
        out += [PendingStatus(int(a), bytes(b), int(c), "switch") for a, b, c in rows]
        rows = self._query("SELECT payload, id FROM kiosk_logs WHERE sent = 0 ORDER BY id")
        out += [PendingStatus(0, bytes(b), int(c), "log") for b, c in rows]
        rows = self._query("SELECT payload, id FROM problems WHERE sent = 0 ORDER BY id")
        return out + [PendingStatus(0, bytes(b), int(c), "problem") for b, c in rows]

    def mark_status_sent(self, device_id: int, version: int, kind: str = "status") -> None:
        if kind == "problem":
            self._write("mark a problem sent", [
                ("UPDATE problems SET sent = 1 WHERE id = ?", (version,))])
            return
        if kind == "log":
            self._write("mark a kiosk log sent", [
                ("UPDATE kiosk_logs SET sent = 1 WHERE id = ?", (version,))])
            return
        if kind == "switch":
            self._write("forget a forwarded switch", [
                ("DELETE FROM switches WHERE id = ?", (version,))])
            return
        self._write("mark status sent", [(
            "UPDATE statuses SET sent_version = ? WHERE device_id = ? AND sent_version < ?",
            (version, device_id, version))])

    # ------------------------------------------------------------ logs of the kiosk

    def add_kiosk_log(self, log: KioskLog) -> None:
        """Keep a log entered at the gateway's kiosk until the centre has it: forwarded as
        kind ``log`` of ``pending_statuses``, then kept, marked sent, for today's tasks
        (``KIOSK_LOGS_KEPT_MS``)."""
        self._write("keep a kiosk log", [
            ("INSERT OR IGNORE INTO kiosk_logs (client_id, pond, t, payload) "
             "VALUES (?, ?, ?, ?)", (log.client_id, log.pond, log.t, encode_log(log))),
            ("DELETE FROM kiosk_logs WHERE sent = 1 AND t < ?", (log.t - KIOSK_LOGS_KEPT_MS,))])

    def kiosk_logs(self, since_t: int) -> list[KioskLog]:
        rows = self._query("SELECT payload FROM kiosk_logs WHERE t >= ? ORDER BY id", (since_t,))
        return [decode_log(bytes(p)) for (p,) in rows]

    def unsent_kiosk_logs(self) -> int:
        return int(self._query("SELECT count(*) FROM kiosk_logs WHERE sent = 0")[0][0])

    # ------------------------------------------------------------ problems of the loops

    def add_problem(self, problem: AeratorProblem) -> None:
        """Keep a problem raised or cleared until the centre has it: forwarded as kind
        ``problem`` of ``pending_statuses`` in the order raised, then kept, marked sent,
        for ``PROBLEMS_KEPT_MS`` (the newest of each output and problem for good)."""
        output = f"{problem.pond}/{problem.device}/{problem.output}"
        self._write("keep a problem", [
            ("INSERT OR IGNORE INTO problems (event_id, output, problem, t, payload) "
             "VALUES (?, ?, ?, ?, ?)", (problem.event_id, output, problem.problem, problem.t,
                                        encode_problem(problem))),
            ("DELETE FROM problems WHERE sent = 1 AND t < ? AND id NOT IN "
             "(SELECT max(id) FROM problems GROUP BY output, problem)",
             (problem.t - PROBLEMS_KEPT_MS,))])

    def problems(self) -> list[AeratorProblem]:
        """Every problem event kept, oldest first."""
        rows = self._query("SELECT payload FROM problems ORDER BY id")
        return [decode_problem(bytes(p)) for (p,) in rows]

    def active_problems(self) -> list[AeratorProblem]:
        """The problems raised and not cleared when the gateway stopped (newest event of
        each output and problem is a raise)."""
        rows = self._query("SELECT payload FROM problems WHERE id IN "
                           "(SELECT max(id) FROM problems GROUP BY output, problem) ORDER BY id")
        return [p for p in (decode_problem(bytes(r[0])) for r in rows) if p.raised]

    def unsent_problems(self) -> int:
        return int(self._query("SELECT count(*) FROM problems WHERE sent = 0")[0][0])

    # ------------------------------------------------------------ commands for offline nodes

    def hold_command(self, ref: DeviceRef, payload: bytes, expires_t: int | None,
                     keep: int) -> None:
        """Keep a command for a node that is offline (the newest ``keep`` per node)."""
        device_id = self.device_id(ref)
        self._write("hold a command", [
            ("INSERT INTO held_commands (device_id, payload, expires_t) VALUES (?, ?, ?)",
             (device_id, payload, expires_t)),
            ("DELETE FROM held_commands WHERE device_id = ?1 AND id <= "
             "(SELECT max(id) FROM held_commands WHERE device_id = ?1) - ?2",
             (device_id, keep))])

    def held_commands(self, ref: DeviceRef) -> list[tuple[int, bytes, int | None]]:
        """(row id, payload, expires_t) of the commands held for ``ref``, oldest first."""
        rows = self._query("SELECT id, payload, expires_t FROM held_commands "
                           "WHERE device_id = ? ORDER BY id", (self.device_id(ref),))
        return [(int(i), bytes(p), None if e is None else int(e)) for i, p, e in rows]

    def forget_commands(self, ids: Sequence[int]) -> None:
        if ids:
            self._write("forget held commands", [(
                "DELETE FROM held_commands WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),))])

    # ------------------------------------------------------------ relay states and answers

    def log_ack(self, ref: DeviceRef, output: str, ack: dict[str, object]) -> bool:
        """Append to the switch log the relay's newest state with ``ack`` (``mode``,
        ``until_t``, ``ack``: the centre's command id) merged into ``output``'s entry: the
        gateway's answer to a command it took itself, forwarded like a switch. The newest
        state itself is not changed. False when no state of that output is known yet."""
        device_id = self.device_id(ref)
        rows = self._query("SELECT payload FROM relay_states WHERE device_id = ?", (device_id,))
        if not rows:
            return False
        try:
            body = json.loads(bytes(rows[0][0]))
            entry = body["outputs"][output]
        except (ValueError, KeyError, TypeError):
            return False
        if not isinstance(entry, dict):
            return False
        entry.update({k: v for k, v in ack.items() if v is not None})
        payload = json.dumps(body, separators=(",", ":")).encode()
        self._write("log a command's answer", [
            ("INSERT INTO switches (device_id, t, payload) VALUES (?, ?, ?)",
             (device_id, now_ms(), payload)),
            ("DELETE FROM switches WHERE id <= (SELECT max(id) FROM switches) - ?",
             (MAX_SWITCHES,))])
        return True

    def switches(self) -> list[tuple[DeviceRef, int, bytes]]:
        """The switch log not yet forwarded: (relay, when the gateway saw it, its state)."""
        rows = self._query("SELECT device_id, t, payload FROM switches ORDER BY id")
        return [(self.device(int(d)), int(t), bytes(p)) for d, t, p in rows]

    def relay_states(self) -> list[tuple[DeviceRef, bytes]]:
        """The newest state of every relay node seen (for a restart's first decisions)."""
        rows = self._query("SELECT device_id, payload FROM relay_states ORDER BY device_id")
        return [(self.device(int(d)), bytes(p)) for d, p in rows]

    # ------------------------------------------------------------ local alarms

    def active_alarms(self) -> list[ActiveAlarm]:
        rows = self._query("SELECT device_id, metric, since, t, value FROM alarms")
        return [ActiveAlarm(self.device(int(d)), str(m), int(s), int(t), float(v))
                for d, m, s, t, v in rows]

    def save_alarm(self, alarm: ActiveAlarm, active: bool) -> None:
        device_id = self.device_id(alarm.ref)
        stmt: tuple[str, tuple[object, ...]]
        if active:
            stmt = ("INSERT OR REPLACE INTO alarms VALUES (?, ?, ?, ?, ?)",
                    (device_id, alarm.metric, alarm.since, alarm.t, alarm.value))
        else:
            stmt = ("DELETE FROM alarms WHERE device_id = ? AND metric = ?",
                    (device_id, alarm.metric))
        self._write("save alarm", [stmt])
