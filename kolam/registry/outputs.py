"""Relay outputs at the centre: each output's confirmed switches and the commands sent to
it, kept in the registry's audit log (``audit_log``; no table of their own).

A **switch** is a change of a relay output's confirmed state, as the relay's retained
``state`` topic says (the node itself, or the gateway's forwarded switch log): action
``switch``, ``username`` the ``by`` of the state (``gateway:auto``, ``user:budi``,
``local:power``…), the rest in ``detail``. A state seen again (a retained message
redelivered, the relay republishing on reconnect) is the same switch: (output, ``since``,
``on``) is recorded once.

A **command** is a ``set_output`` the API published: action ``command``, ``username`` the
person, with its ``id``, ``expires_t`` and ``until_t``.

``detail`` is compact JSON whose first key is the pond (``{"p":"kolam-1","d":"relay-1",
"o":"aerator-1",...}``), so a pond's rows are one indexed site range filtered by prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
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
MAX_ROWS = 5000
"""Rows of one pond read at most (newest first) to find each output's state."""


@dataclass(frozen=True, slots=True)
class OutputEvent:
    """One switch or command of one output."""

    kind: str
    """``switch`` (confirmed by the relay) or ``command`` (sent by the API)."""
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
                           d.get("a"), d.get("id"), d.get("x"), d.get("u"))
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
        if not fresh:
            return 0
        added = 0
        try:
            with self._sessions() as s, s.begin():
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
                       reason: str | None) -> OutputEvent:
        detail = _detail(ref, output, {"on": on, "r": reason, "id": command_id,
                                       "x": expires_t, "u": until_t})
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

    def latest(self, site: str, pond: str) -> dict[tuple[str, str], tuple[
            OutputEvent | None, OutputEvent | None]]:
        """(device, output) → (newest switch, newest command) of each output of a pond."""
        out: dict[tuple[str, str], tuple[OutputEvent | None, OutputEvent | None]] = {}
        for e in reversed(self.events(site, pond, limit=MAX_ROWS)):
            switch, command = out.get((e.device, e.output), (None, None))
            if e.kind == SWITCH:
                switch = e if switch is None or (e.since or 0) >= (switch.since or 0) else switch
            else:
                command = e
            out[(e.device, e.output)] = (switch, command)
        return out
