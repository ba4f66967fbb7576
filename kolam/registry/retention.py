"""Bounding the registry's logs: dead letters (per reason) and the audit log, by age and
by count, deleted oldest first in small transactions (docs/storage.md#retention-and-roll-ups).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, Select, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from kolam.errors import RegistryError
from kolam.registry.models import DeadLetter
from kolam.registry.user_models import AuditEntry

BATCH_ROWS = 2000
"""Rows deleted per transaction: the registry is shared with ingest and the API."""


def _delete_ids(engine: Engine, table: type[DeadLetter] | type[AuditEntry],
                pick: Callable[[], Select[int]], pause: Callable[[], None]) -> int:
    """Delete the rows ``pick`` selects (ids, at most ``BATCH_ROWS``) until none are left."""
    total = 0
    while True:
        with engine.begin() as conn:
            ids = list(conn.scalars(pick().limit(BATCH_ROWS)))
            if not ids:
                return total
            conn.execute(delete(table).where(table.id.in_(ids)))
        total += len(ids)
        pause()


def prune_dead_letters(engine: Engine, *, older_than_ms: int, keep_per_reason: int,
                       pause: Callable[[], None] = lambda: None) -> dict[str, int]:
    """Drop dead letters received before ``older_than_ms`` and, per reason, all but the
    newest ``keep_per_reason``; return how many were dropped per reason."""
    dropped: dict[str, int] = {}
    try:
        with engine.connect() as conn:
            reasons = list(conn.scalars(select(DeadLetter.reason).distinct()))
        for reason in reasons:
            with engine.connect() as conn:
                # The id of the newest letter beyond the kept ones: it and older ones go.
                edge = conn.scalar(select(DeadLetter.id).where(DeadLetter.reason == reason)
                                   .order_by(DeadLetter.id.desc()).offset(keep_per_reason)
                                   .limit(1))

            def pick(reason: str = reason, edge: int | None = edge) -> Select[int]:
                old = DeadLetter.received_at < older_than_ms
                if edge is not None:
                    old = old | (DeadLetter.id <= edge)
                return (select(DeadLetter.id).where(DeadLetter.reason == reason, old)
                        .order_by(DeadLetter.id))

            n = _delete_ids(engine, DeadLetter, pick, pause)
            if n:
                dropped[reason] = n
    except SQLAlchemyError as exc:
        raise RegistryError(f"cannot prune dead letters: {exc}") from exc
    return dropped


def prune_audit(engine: Engine, *, older_than_ms: int, keep_rows: int,
                pause: Callable[[], None] = lambda: None) -> int:
    """Drop audit entries made before ``older_than_ms`` and all but the newest
    ``keep_rows``; return how many were dropped."""
    try:
        with engine.connect() as conn:
            edge = conn.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())
                               .offset(keep_rows).limit(1))

        def pick() -> Select[int]:
            old = AuditEntry.at < older_than_ms
            if edge is not None:
                old = old | (AuditEntry.id <= edge)
            return select(AuditEntry.id).where(old).order_by(AuditEntry.id)

        return _delete_ids(engine, AuditEntry, pick, pause)
    except SQLAlchemyError as exc:
        raise RegistryError(f"cannot prune the audit log: {exc}") from exc


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows in the bounded tables (for ``kolam retention run``'s report)."""
    with engine.connect() as conn:
        return {"dead_letters": int(conn.scalar(select(func.count(DeadLetter.id))) or 0),
                "audit_log": int(conn.scalar(select(func.count(AuditEntry.id))) or 0)}
