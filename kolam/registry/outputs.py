"""Relay outputs at the centre: each output's confirmed switches and the commands sent to
it, kept in the registry's audit log (``audit_log``; no table of their own).

A **switch** is a change of a relay output's confirmed state, as the relay's retained
``state`` topic says (the node itself, or the gateway's forwarded switch log): action
``switch``, ``username`` the ``by`` of the state (``gateway:auto``, ``user:budi``,
``local:power``…), the rest in ``detail``. A state seen again (a retained message
redelivered, the relay republishing on reconnect) is the same switch: (output, ``since``,
``on``) is recorded once.

A **command** is a ``set_output`` (or ``set_auto``, ``"c":"auto"``) the API published:
action ``command``, ``username`` the person, with its ``id``, ``expires_t`` and ``until_t``.

An **answer** (action ``ack``) is a gateway saying it took a command for an output its loop
drives: the command's ``id``, and the loop's ``mode`` (``auto``/``manual``, ``until_t``)
after it; recorded once per command id.

``detail`` is compact JSON whose first key is the pond (``{"p":"kolam-1","d":"relay-1",
"o":"aerator-1",...}``), so a pond's rows are one indexed site range filtered by prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from kolam.errors import RegistryError
from kolam.protocol import DeviceRef, OutputState
from kolam.registry.db import session_factory
from kolam.registry.user_models import AuditEntry

ENTITY = "output"
SWITCH = "switch"
COMMAND = "command"
ACK = "ack"
ANSWERED_BY = "gateway"
"""The ``username`` of an answer: the site's gateway (the state's ``by`` is the relay's
last switch, not who answered)."""
AUTO = "auto"
"""The ``command`` kind of a ``set_auto`` (a ``set_output`` has none)."""
MAX_ROWS = 5000
"""Rows of one pond read at most (newest first) to find each output's state."""


@dataclass(frozen=True, slots=True)
class OutputEvent:
    """One switch or command of one output."""

    kind: str
    """``switch`` (confirmed by the relay), ``command`` (sent by the API) or ``ack`` (a
    gateway took a command)."""
    at: int
    site: str
    pond: str
    device: str
    output: str
    on: bool
    by: str
    reason: str | None = None
    since: int | None = None
    amps: float | None = None
    id: str | None = None
    expires_t: int | None = None
    until_t: int | None = None
    mode: str | None = None
    """ack: the loop's mode after the command; command: ``auto`` for a ``set_auto``."""


def _prefix(pond: str, device: str | None = None, output: str | None = None) -> str:
    text = json.dumps({"p": pond}, separators=(",", ":"))[:-1]
    if device is not None:
        text += "," + json.dumps({"d": device}, separators=(",", ":"))[1:-1]
        if output is not None:
            text += "," + json.dumps({"o": output}, separators=(",", ":"))[1:-1]
    return text


def _detail(ref: DeviceRef, output: str, fields: dict[str, Any]) -> str:
    body = {"p": ref.pond, "d": ref.device, "o": output,
            **{k: v for k, v in fields.items() if v is not None}}
    return json.dumps(body, separators=(",", ":"))


def _event(row: AuditEntry) -> OutputEvent | None:
    try:
        d = json.loads(row.detail)
        return OutputEvent(row.action, row.at, row.site or "", str(d["p"]), str(d["d"]),
                           str(d["o"]), bool(d["on"]), row.username, d.get("r"), d.get("s"),
                           d.get("a"), d.get("id"), d.get("x"), d.get("u"),
                           d.get("m") or d.get("c"))
    except (ValueError, KeyError, TypeError):
        return None  # a truncated or foreign row: not ours to show


class Outputs:
    """Switches and commands of relay outputs (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)
        self._seen: dict[tuple[str, str, str, str], tuple[int, bool]] = {}
        """(site, pond, device, output) → (``since``, ``on``) of the newest switch recorded."""

    # ------------------------------------------------------------ writing

    def record_switches(self, ref: DeviceRef, outputs: dict[str, OutputState], at: int) -> int:
        """Record the outputs whose (``on``, ``since``) is not recorded yet; return how
        many. Raises ``RegistryError`` (ingest retries)."""
        fresh = [(name, o) for name, o in sorted(outputs.items())
                 if self._seen.get((*ref, name)) != (o.since, o.on)]
        acks = [(name, o) for name, o in sorted(outputs.items()) if o.ack is not None]
        if not fresh and not acks:
            return 0
        added = 0
        try:
            with self._sessions() as s, s.begin():
                for name, o in acks:
                    like = _prefix(ref.pond, ref.device, name) + "%" + json.dumps(
                        {"id": o.ack}, separators=(",", ":"))[1:-1] + "%"
                    exists = s.scalar(select(AuditEntry.id).where(
                        AuditEntry.site == ref.site, AuditEntry.entity == ENTITY,
                        AuditEntry.action == ACK, AuditEntry.detail.like(like)).limit(1))
                    if exists is None:
                        s.add(AuditEntry(at=at, username=ANSWERED_BY, action=ACK,
                                         entity=ENTITY, entity_id=None, site=ref.site,
                                         detail=_detail(ref, name, {
                                             "on": o.on, "id": o.ack, "m": o.mode,
                                             "u": o.until_t})))
                for name, o in fresh:
                    detail = _detail(ref, name, {"s": o.since, "on": o.on, "a": o.amps,
                                                 "r": o.reason})
                    like = (_prefix(ref.pond, ref.device, name)
                            + f',"s":{o.since},"on":{"true" if o.on else "false"}%')
                    exists = s.scalar(select(AuditEntry.id).where(
                        AuditEntry.site == ref.site, AuditEntry.entity == ENTITY,
                        AuditEntry.action == SWITCH, AuditEntry.detail.like(like)).limit(1))
                    if exists is None:
                        s.add(AuditEntry(at=at, username=(o.by or "unknown")[:64],
                                         action=SWITCH, entity=ENTITY, entity_id=None,
                                         site=ref.site, detail=detail))
                        added += 1
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot record the switches of {ref.device}: {exc}") from exc
        for name, o in fresh:
            self._seen[(*ref, name)] = (o.since, o.on)
        return added

    def record_command(self, ref: DeviceRef, output: str, on: bool, by: str, at: int, *,
                       command_id: str, expires_t: int, until_t: int | None,
                       reason: str | None, kind: str | None = None) -> OutputEvent:
        """``kind``: ``AUTO`` for a ``set_auto`` (``on`` is then the state the centre
        knew)."""
        detail = _detail(ref, output, {"on": on, "r": reason, "id": command_id,
                                       "x": expires_t, "u": until_t, "c": kind})
        try:
            with self._sessions() as s, s.begin():
                row = AuditEntry(at=at, username=by[:64], action=COMMAND, entity=ENTITY,
                                 entity_id=None, site=ref.site, detail=detail)
                s.add(row)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot record the command to {ref.device}: {exc}") from exc
        event = _event(row)
        assert event is not None
        return event

    # ------------------------------------------------------------ reading

    def events(self, site: str, pond: str, *, kinds: Iterable[str] = (SWITCH, COMMAND),
               since_ms: int | None = None, limit: int = 100) -> list[OutputEvent]:
        """A pond's switches and commands, newest first."""
        q = (select(AuditEntry)
             .where(AuditEntry.site == site, AuditEntry.entity == ENTITY,
                    AuditEntry.action.in_(list(kinds)),
                    AuditEntry.detail.like(_prefix(pond) + ",%"))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
        if since_ms is not None:
            q = q.where(AuditEntry.at >= since_ms)
        try:
            with self._sessions() as s:
                rows = list(s.scalars(q))
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot read the outputs of {site}/{pond}: {exc}") from exc
        return [e for e in map(_event, rows) if e is not None]

    def latest(self, site: str, pond: str) -> dict[tuple[str, str], Latest]:
        """(device, output) → newest switch, command and answer of each output of a pond."""
        out: dict[tuple[str, str], Latest] = {}
        for e in reversed(self.events(site, pond, kinds=(SWITCH, COMMAND, ACK),
                                      limit=MAX_ROWS)):
            key = (e.device, e.output)
            found = out.get(key, Latest())
            if e.kind == SWITCH:
                sw = found.switch
                if sw is None or (e.since or 0) >= (sw.since or 0):
                    found = replace(found, switch=e)
            elif e.kind == ACK:
                found = replace(found, ack=e,
                                acked=found.acked | {e.id} if e.id else found.acked)
            else:
                found = replace(found, command=e)
            out[key] = found
        return out


@dataclass(frozen=True, slots=True)
class Latest:
    """Where one output stands at the centre."""

    switch: OutputEvent | None = None
    command: OutputEvent | None = None
    ack: OutputEvent | None = None
    """The gateway's newest answer (its loop's mode)."""
    acked: frozenset[str | None] = frozenset()
    """Ids of the commands a gateway answered."""


INTERVAL = "set_interval"
DEVICE = "device"


@dataclass(frozen=True, slots=True)
class IntervalCommand:
    """A ``set_interval`` the API published to one node (audit action ``set_interval``,
    entity ``device``)."""

    at: int
    device: str
    interval_s: float
    by: str
    id: str
    expires_t: int


class IntervalCommands:
    """The ``set_interval`` commands sent to a pond's nodes, in the audit log."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def record(self, ref: DeviceRef, interval_s: float, by: str, at: int, *,
               command_id: str, expires_t: int) -> IntervalCommand:
        detail = json.dumps({"p": ref.pond, "d": ref.device, "i": interval_s,
                             "id": command_id, "x": expires_t}, separators=(",", ":"))
        try:
            with self._sessions() as s, s.begin():
                s.add(AuditEntry(at=at, username=by[:64], action=INTERVAL, entity=DEVICE,
                                 entity_id=None, site=ref.site, detail=detail))
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot record the command to {ref.device}: {exc}") from exc
        return IntervalCommand(at, ref.device, interval_s, by[:64], command_id, expires_t)

    def newest(self, ref: DeviceRef) -> IntervalCommand | None:
        q = (select(AuditEntry)
             .where(AuditEntry.site == ref.site, AuditEntry.entity == DEVICE,
                    AuditEntry.action == INTERVAL,
                    AuditEntry.detail.like(_prefix(ref.pond, ref.device) + ",%"))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))
        try:
            with self._sessions() as s:
                row = s.scalar(q)
        except SQLAlchemyError as exc:
            raise RegistryError(f"cannot read the commands of {ref.device}: {exc}") from exc
        if row is None:
            return None
        try:
            d = json.loads(row.detail)
            return IntervalCommand(row.at, str(d["d"]), float(d["i"]), row.username,
                                   str(d["id"]), int(d["x"]))
        except (ValueError, KeyError, TypeError):
            return None
