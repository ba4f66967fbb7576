"""The gateway's durable outbox: one SQLite file in ``data_dir``.

Every accepted sample is a row (device, t, values as JSON) committed before the
local broker gets its PUBACK, and deleted only once the central broker has
PUBACKed the uplink message that carried it. ``id`` is AUTOINCREMENT so that an
id is never reused: the forwarder deletes by id when an ack comes back, and a
reused id would delete a newer, unsent row.

``Outbox`` keeps the samples, the local dead-letter log and a few counters (thinning,
expiry and the disk cap below). Its bases keep the rest on the same connection:
``gateway.outbox_db`` opens the file (WAL, ``synchronous=FULL``), creates the schema and
registers devices; ``gateway.outbox_tables`` keeps the newest status of each device
(forwarded retained), the newest state of each relay node (the control loops' starting
point after a restart) and the switch log (every change of a relay's state, forwarded in
order and deleted once acknowledged), the centre's commands held for nodes that are
offline, the active local alarms, the logs entered at the kiosk and the control loops'
"aerator not working" problems (both forwarded like the switch log).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.outbox_db import translate
from gateway.outbox_tables import MAX_SWITCHES, OutboxTables
from kolam.errors import OutboxError as OutboxError
from kolam.errors import StoreUnavailable
from kolam.protocol import DeviceRef, Sample
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One buffered sample; ``vals`` is the JSON object of its metrics."""

    id: int
    device_id: int
    t: int
    vals: str


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: str
    reason: str
    detail: str
    payload: str
    t: int


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


class Outbox(OutboxTables):
    """The samples buffered for the centre, on one connection; use one instance per thread."""

    def __init__(self, path: Path, *, max_bytes: int = 512 * 1024 * 1024,
                 thin_resolutions_s: Sequence[int] = (600, 3600, 21600),
                 max_dead_letters: int = 10_000) -> None:
        self.max_bytes = max_bytes
        self.thin_resolutions_s = sorted(thin_resolutions_s)
        self.max_dead_letters = max_dead_letters
        super().__init__(path)

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
            err = translate(exc, "outbox commit")
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
            raise translate(exc, "thin outbox") from exc
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
            raise translate(exc, "expire outbox") from exc
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

    def stats(self) -> OutboxStats:
        buffered = int(self._query("SELECT count(*) FROM samples")[0][0])
        # min(t) per device walks the (device_id, t) index instead of the whole table.
        oldest = self._query("SELECT min((SELECT min(t) FROM samples WHERE device_id = d.id)) "
                             "FROM devices d")[0][0]
        return OutboxStats(buffered, None if oldest is None else int(oldest),
                           self._meta("thinned"), self._meta("dead_letters"), self.used_bytes(),
                           self._meta("expired"), self._meta("dead_letters_dropped"))
