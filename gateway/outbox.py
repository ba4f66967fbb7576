"""The gateway's durable outbox: one SQLite file in ``data_dir``.

Every accepted sample is a row (device, t, values as JSON) committed before the
local broker gets its PUBACK, and deleted only once the central broker has
PUBACKed the uplink message that carried it. ``id`` is AUTOINCREMENT so that an
id is never reused: the forwarder deletes by id when an ack comes back, and a
reused id would delete a newer, unsent row.

WAL with ``synchronous=FULL``: a committed row survives a power cut, which is
the whole point of the box. The receiver and the forwarder each open their own
``Outbox`` (one connection per thread) on the same file.

The outbox also keeps the newest status of each device (forwarded retained), the
newest state of each relay node (the control loops' starting point after a
restart) and the switch log (every change of a relay's state, forwarded in order
and deleted once acknowledged), the centre's commands held for nodes that are
offline, the local dead-letter log, the active local alarms, the logs entered at the
kiosk and the control loops' "aerator not working" problems (both forwarded like the
switch log) and a few counters.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kolam.control.problems import AeratorProblem, decode_problem, encode_problem
from kolam.errors import OutboxError as OutboxError
from kolam.errors import StoreUnavailable
from kolam.kiosk.logs import KioskLog, decode_log, encode_log
from kolam.protocol import DeviceRef, Sample
from kolam.security.files import private_file
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, pond TEXT NOT NULL, device TEXT NOT NULL,
    UNIQUE (site, pond, device)) STRICT;
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id INTEGER NOT NULL, t INTEGER NOT NULL,
    vals TEXT NOT NULL, res_s INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS samples_device_t ON samples (device_id, t);
CREATE TABLE IF NOT EXISTS statuses (
    device_id INTEGER PRIMARY KEY, payload BLOB NOT NULL, version INTEGER NOT NULL,
    sent_version INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS relay_states (
    device_id INTEGER PRIMARY KEY, payload BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS switches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id INTEGER NOT NULL, t INTEGER NOT NULL,
    payload BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS held_commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id INTEGER NOT NULL, payload BLOB NOT NULL,
    expires_t INTEGER) STRICT;
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, topic TEXT NOT NULL,
    reason TEXT NOT NULL, detail TEXT NOT NULL, payload TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS alarms (
    device_id INTEGER NOT NULL, metric TEXT NOT NULL, since INTEGER NOT NULL,
    t INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (device_id, metric)) STRICT;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS kiosk_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, pond TEXT NOT NULL,
    t INTEGER NOT NULL, payload BLOB NOT NULL, sent INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
    output TEXT NOT NULL, problem TEXT NOT NULL, t INTEGER NOT NULL, payload BLOB NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0) STRICT;
"""


MAX_SWITCHES = 10_000
"""Relay state changes kept for the uplink (the oldest go first): years of a site's
switching, a few a day per aerator."""


KIOSK_LOGS_KEPT_MS = 2 * 86_400_000
"""Logs of the kiosk kept after the centre acknowledged them: today's tasks need today's."""
PROBLEMS_KEPT_MS = 30 * 86_400_000
"""Problem events kept after the centre acknowledged them: a problem raised weeks ago and
never cleared is still restored at a restart (its newest event is never pruned)."""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One buffered sample; ``vals`` is the JSON object of its metrics."""

    id: int
    device_id: int
    t: int
    vals: str


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
class DeadLetter:
    topic: str
    reason: str
    detail: str
    payload: str
    t: int


@dataclass(frozen=True, slots=True)
class ActiveAlarm:
    ref: DeviceRef
    metric: str
    since: int
    t: int
    value: float


@dataclass(frozen=True, slots=True)
class OutboxStats:
    buffered: int
    oldest_t: int | None
    thinned: int
    dead_letters: int
    used_bytes: int
    expired: int = 0
    """Samples dropped for age (``gateway.max_outbox_age_days``), ever."""
    dead_letters_dropped: int = 0
    """Dead letters dropped for age or beyond ``max_dead_letters``, ever."""


@dataclass(frozen=True, slots=True)
class ThinResult:
    removed: int
    resolution_s: int | None
    """The resolution the oldest samples were thinned to; ``None``: they were dropped."""
    upto_t: int


_COUNT = ("INSERT INTO meta VALUES (?, ?) "
          "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value")
"""Adds to a counter in ``meta``."""


@dataclass(frozen=True, slots=True)
class Expired:
    samples: int
    dead_letters: int


def _translate(exc: sqlite3.Error, what: str) -> OutboxError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return OutboxError(f"{what}: outbox busy: {text}")
    return OutboxError(f"{what}: {text}")


class Outbox:
    """One connection to the outbox file; use one instance per thread."""

    def __init__(self, path: Path, *, max_bytes: int = 512 * 1024 * 1024,
                 thin_resolutions_s: Sequence[int] = (600, 3600, 21600),
                 max_dead_letters: int = 10_000) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.thin_resolutions_s = sorted(thin_resolutions_s)
        self.max_dead_letters = max_dead_letters
        self._device_ids: dict[DeviceRef, int] = {}
        self._devices: dict[int, DeviceRef] = {}
        private_file(path)  # 0600 before SQLite opens it; -wal/-shm follow its mode
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                       timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            # Checkpoints keep the WAL small; after a big drain truncate it back.
            self._db.execute("PRAGMA journal_size_limit=8388608")
            self._db.executescript(SCHEMA)
            self._page_size = int(self._db.execute("PRAGMA page_size").fetchone()[0])
        except sqlite3.Error as exc:
            raise _translate(exc, f"cannot open outbox {path}") from exc

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------ helpers

    def _write(self, what: str, statements: Iterable[tuple[str, Sequence[object]]]) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _translate(exc, what) from exc

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, "outbox query") from exc

    def _meta(self, key: str) -> int:
        row = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return int(row[0][0]) if row else 0

    def device_id(self, ref: DeviceRef) -> int:
        """The id of a device, registering it on first sight (own transaction)."""
        found = self._device_ids.get(ref)
        if found is not None:
            return found
        self._write("register device", [(
            "INSERT OR IGNORE INTO devices (site, pond, device) VALUES (?, ?, ?)",
            (ref.site, ref.pond, ref.device))])
        row = self._query("SELECT id FROM devices WHERE site = ? AND pond = ? AND device = ?",
                          (ref.site, ref.pond, ref.device))
        self._device_ids[ref] = int(row[0][0])
        self._devices[self._device_ids[ref]] = ref
        return self._device_ids[ref]

    def device(self, device_id: int) -> DeviceRef:
        found = self._devices.get(device_id)
        if found is None:
            row = self._query("SELECT site, pond, device FROM devices WHERE id = ?", (device_id,))
            if not row:
                raise OutboxError(f"outbox names an unknown device id {device_id}")
            found = self._devices[device_id] = DeviceRef(*map(str, row[0]))
        return found

    def next_boot(self) -> int:
        """Count this start of the gateway (the ``boot`` of its uplink telemetry)."""
        self._write("count boot", [(
            "INSERT INTO meta VALUES ('boot', 1) "
            "ON CONFLICT (key) DO UPDATE SET value = value + 1", ())])
        return self._meta("boot")

    # ------------------------------------------------------------ receiver side

    def commit(self, samples: Sequence[tuple[DeviceRef, Sample]],
               statuses: Sequence[tuple[DeviceRef, bytes]],
               dead: Sequence[DeadLetter],
               states: Sequence[tuple[DeviceRef, bytes]] = ()) -> None:
        """Store samples, newest statuses, relay states and dead letters in one
        transaction. A relay state that differs from the relay's previous one is also
        appended to the switch log (every switch, with its ``by`` and ``reason``).

        A sample already buffered for the same device and instant (a redelivery
        from the local broker) is merged into the buffered one, not duplicated.
        """
        for ref, _ in samples:
            self.device_id(ref)
        for ref, _ in (*statuses, *states):
            self.device_id(ref)
        ids = self._device_ids
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO samples (device_id, t, vals) VALUES (?, ?, ?) "
                    "ON CONFLICT (device_id, t) "
                    "DO UPDATE SET vals = json_patch(vals, excluded.vals)",
                    [(ids[ref], s.t, json.dumps(dict(s.values), separators=(",", ":")))
                     for ref, s in samples])
                self._db.executemany(
                    "INSERT INTO statuses (device_id, payload, version) VALUES (?, ?, 1) "
                    "ON CONFLICT (device_id) DO UPDATE SET payload = excluded.payload, "
                    "version = version + 1",
                    [(ids[ref], payload) for ref, payload in statuses])
                for ref, payload in states:
                    self._db.execute(
                        "INSERT INTO switches (device_id, t, payload) SELECT ?1, ?2, ?3 "
                        "WHERE NOT EXISTS (SELECT 1 FROM relay_states "
                        "WHERE device_id = ?1 AND payload = ?3)",
                        (ids[ref], now_ms(), payload))
                    self._db.execute(
                        "INSERT INTO relay_states VALUES (?, ?) "
                        "ON CONFLICT (device_id) DO UPDATE SET payload = excluded.payload",
                        (ids[ref], payload))
                if states:
                    self._db.execute("DELETE FROM switches WHERE id <= "
                                     "(SELECT max(id) FROM switches) - ?", (MAX_SWITCHES,))
                if dead:
                    self._db.executemany(
                        "INSERT INTO dead_letters (t, topic, reason, detail, payload) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [(d.t, d.topic, d.reason, d.detail, d.payload) for d in dead])
                    self._db.execute(
                        "INSERT INTO meta VALUES ('dead_letters', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                        (len(dead),))
                    trimmed = self._db.execute(
                        "DELETE FROM dead_letters WHERE id <= "
                        "(SELECT max(id) FROM dead_letters) - ?", (self.max_dead_letters,)
                    ).rowcount
                    if trimmed:
                        self._db.execute(_COUNT, ("dead_letters_dropped", trimmed))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            err = _translate(exc, "outbox commit")
            if "busy" in str(err) or "disk" in str(exc) or "full" in str(exc):
                raise StoreUnavailable(str(err)) from exc
            raise err from exc

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """The newest dead letters, newest first."""
        rows = self._query("SELECT topic, reason, detail, payload, t FROM dead_letters "
                           "ORDER BY id DESC LIMIT ?", (limit,))
        return [DeadLetter(str(a), str(b), str(c), str(d), int(e))
                for a, b, c, d, e in rows]

    # ------------------------------------------------------------ disk cap

    def used_bytes(self) -> int:
        """Bytes in pages that hold data (free pages are reused before the file grows)."""
        pages = self._query("PRAGMA page_count")[0][0]
        free = self._query("PRAGMA freelist_count")[0][0]
        return (int(pages) - int(free)) * self._page_size

    def thin_once(self) -> ThinResult | None:
        """Thin the oldest quarter of the buffered samples one step coarser.

        Within that slice, each device keeps its first sample per bucket of the
        finest resolution that still removes something; when the slice is
        already at the coarsest resolution it is dropped. Every removed sample
        is counted in ``thinned``. Returns ``None`` when nothing is buffered.
        """
        total = int(self._query("SELECT count(*) FROM samples")[0][0])
        if total == 0:
            return None
        edge = self._query("SELECT id, t FROM samples ORDER BY id LIMIT 1 OFFSET ?",
                           (max(total // 4, 1) - 1,))[0]
        upto = int(edge[0])
        upto_t = int(self._query("SELECT max(t) FROM samples WHERE id <= ?",
                                 (upto,))[0][0])
        for res_s in self.thin_resolutions_s:
            res_ms = res_s * 1000
            removed = self._thin_slice(upto, res_s, res_ms)
            if removed:
                return ThinResult(removed, res_s, upto_t)
        removed = self._delete_counted("DELETE FROM samples WHERE id <= ?", (upto,))
        return ThinResult(removed, None, upto_t)

    def _thin_slice(self, upto: int, res_s: int, res_ms: int) -> int:
        removed = self._delete_counted(
            "DELETE FROM samples WHERE id <= :upto AND res_s < :res AND id NOT IN ("
            " SELECT min(id) FROM samples WHERE id <= :upto GROUP BY device_id, t / :ms)",
            {"upto": upto, "res": res_s, "ms": res_ms})
        self._write("mark thinned", [(
            "UPDATE samples SET res_s = ? WHERE id <= ? AND res_s < ?", (res_s, upto, res_s))])
        return removed

    def _delete_counted(self, sql: str, params: Sequence[object] | dict[str, object]) -> int:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                removed = self._db.execute(sql, params).rowcount
                self._db.execute(
                    "INSERT INTO meta VALUES ('thinned', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value", (removed,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _translate(exc, "thin outbox") from exc
        return int(removed)

    def expire(self, now_ms: int, max_age_ms: int, dead_letter_max_age_ms: int) -> Expired:
        """Drop samples buffered for longer than ``max_age_ms`` (per device, on the
        (device, t) index) and older dead letters; count both in ``meta``."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                samples = 0
                for (device_id,) in self._db.execute("SELECT id FROM devices").fetchall():
                    samples += self._db.execute(
                        "DELETE FROM samples WHERE device_id = ? AND t < ?",
                        (device_id, now_ms - max_age_ms)).rowcount
                dead = self._db.execute("DELETE FROM dead_letters WHERE t < ?",
                                        (now_ms - dead_letter_max_age_ms,)).rowcount
                if samples:
                    self._db.execute(_COUNT, ("expired", samples))
                if dead:
                    self._db.execute(_COUNT, ("dead_letters_dropped", dead))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _translate(exc, "expire outbox") from exc
        return Expired(samples, dead)

    def enforce_cap(self) -> list[ThinResult]:
        """Thin until the samples would fit in 90% of the cap (hysteresis: not on every
        insert). The target is counted in rows at the current bytes per row, because
        deleting rows frees bytes inside pages before it frees whole pages; a few
        rounds re-measure in case the pages did not shrink as far as the rows."""
        done: list[ThinResult] = []
        for _ in range(3):
            used = self.used_bytes()
            if used <= self.max_bytes:
                break
            rows = int(self._query("SELECT count(*) FROM samples")[0][0])
            need = rows - int(rows * self.max_bytes * 0.9 / used)
            while need > 0:
                result = self.thin_once()
                if result is None:
                    return done
                done.append(result)
                need -= result.removed
        return done

    # ------------------------------------------------------------ forwarder side

    def max_id(self) -> int:
        return int(self._query("SELECT coalesce(max(id), 0) FROM samples")[0][0])

    def rows(self, after_id: int, upto_id: int | None, limit: int) -> list[OutboxRow]:
        """Buffered samples with ``after_id < id <= upto_id``, oldest (lowest id) first."""
        upper = (1 << 62) if upto_id is None else upto_id
        rows = self._query("SELECT id, device_id, t, vals FROM samples WHERE id > ? AND id <= ? "
                           "ORDER BY id LIMIT ?", (after_id, upper, limit))
        return [OutboxRow(*r) for r in rows]

    def delete(self, ids: Sequence[int]) -> None:
        """Forget samples the central broker has acknowledged."""
        if ids:
            self._write("delete acknowledged samples", [(
                "DELETE FROM samples WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),))])

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

    def stats(self) -> OutboxStats:
        buffered = int(self._query("SELECT count(*) FROM samples")[0][0])
        # min(t) per device walks the (device_id, t) index instead of the whole table.
        oldest = self._query("SELECT min((SELECT min(t) FROM samples WHERE device_id = d.id)) "
                             "FROM devices d")[0][0]
        return OutboxStats(buffered, None if oldest is None else int(oldest),
                           self._meta("thinned"), self._meta("dead_letters"), self.used_bytes(),
                           self._meta("expired"), self._meta("dead_letters_dropped"))

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
