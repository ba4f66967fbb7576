"""Dead letters (per reason) and the audit log are bounded by age and count: SQLite and
PostgreSQL."""

from __future__ import annotations

from sqlalchemy import insert

from kolam.registry.repo import DeadLetterIn, Registry
from kolam.registry.retention import count_rows, prune_audit, prune_dead_letters
from kolam.registry.user_models import AuditEntry

NOW = 1_800_000_000_000
DAY = 86_400_000


def letters(reason: str, n: int, first_at: int) -> list[DeadLetterIn]:
    return [DeadLetterIn("kolam/v1/serang/kolam-1/node-1/telemetry", reason, "bad", "{}",
                         first_at + i * 1000) for i in range(n)]


def test_dead_letters_are_dropped_by_age_and_by_count_per_reason(registry_url: str) -> None:
    reg = Registry(registry_url)
    try:
        reg.add_dead_letters(letters("bad_json", 30, NOW - 100 * DAY)  # all too old
                             + letters("bad_json", 20, NOW - DAY)
                             + letters("schema", 2500, NOW - DAY)     # too many
                             + letters("unknown_device", 5, NOW - DAY))  # kept
        dropped = prune_dead_letters(reg.engine, older_than_ms=NOW - 90 * DAY,
                                     keep_per_reason=100)
        assert dropped == {"bad_json": 30, "schema": 2400}
        assert reg.dead_letter_counts() == {"bad_json": 20, "schema": 100, "unknown_device": 5}
        kept = reg.dead_letters(reason="schema", limit=1000)
        # The newest ones are kept.
        assert min(d.received_at for d in kept) == NOW - DAY + 2400 * 1000
        assert prune_dead_letters(reg.engine, older_than_ms=NOW - 90 * DAY,
                                  keep_per_reason=100) == {}
    finally:
        reg.close()


def test_the_audit_log_is_dropped_by_age_and_by_count(registry_url: str) -> None:
    reg = Registry(registry_url)
    try:
        with reg.engine.begin() as conn:
            conn.execute(insert(AuditEntry), [
                {"at": NOW - (2000 - i) * DAY if i < 10 else NOW - i, "username": "ops",
                 "action": "read", "entity": "pond", "entity_id": None, "site": "serang",
                 "detail": ""} for i in range(3000)])
        assert prune_audit(reg.engine, older_than_ms=NOW - 1095 * DAY, keep_rows=5000) == 10
        assert prune_audit(reg.engine, older_than_ms=NOW - 1095 * DAY, keep_rows=1000) == 1990
        assert count_rows(reg.engine)["audit_log"] == 1000
    finally:
        reg.close()
