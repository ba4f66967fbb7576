"""Migration 0005 on a registry with users: each account gets its own random id, and the
API keys and passwords that removed users kept (removal did not delete them before) are
gone."""

from __future__ import annotations

from sqlalchemy import text

from kolam.registry.db import make_engine, migrate


def test_existing_users_get_ids_and_removed_users_lose_their_keys(registry_url: str) -> None:
    engine = make_engine(registry_url)
    migrate(engine, "0004")
    with engine.begin() as conn:
        for i, (name, active) in enumerate((("ani", True), ("budi", True), ("gone", False))):
            conn.execute(text("INSERT INTO users (id, username, password_hash, role, active, "
                              "created_at) VALUES (:id, :name, 'x', 'admin', :active, 0)"),
                         {"id": i + 1, "name": name, "active": active})
            conn.execute(text("INSERT INTO api_keys (user_id, name, digest, created_at, "
                              "revoked) VALUES (:id, 'k', :digest, 0, false)"),
                         {"id": i + 1, "digest": f"{i:064d}"})
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT username, uid, token_version FROM users")).all()
        hashes = dict(conn.execute(text("SELECT username, password_hash FROM users")).all())
        keys = conn.execute(text("SELECT user_id FROM api_keys ORDER BY user_id")).all()
    engine.dispose()
    uids = [uid for _, uid, _ in rows]
    assert len(set(uids)) == 3 and all(len(uid) == 32 for uid in uids)
    assert {version for _, _, version in rows} == {0}
    assert [k for (k,) in keys] == [1, 2]
    assert hashes == {"ani": "x", "budi": "x", "gone": None}


def test_users_keep_their_sites_through_the_upgrade(registry_url: str) -> None:
    # On SQLite a batch table copy of ``users`` would cascade-delete every user's sites.
    engine = make_engine(registry_url)
    migrate(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, role, active, created_at) "
                          "VALUES (1, 'ani', 'officer', true, 0)"))
        conn.execute(text("INSERT INTO user_sites (user_id, site) VALUES (1, 'serang')"))
    migrate(engine)
    with engine.connect() as conn:
        sites = conn.execute(text("SELECT site FROM user_sites")).scalars().all()
    engine.dispose()
    assert sites == ["serang"]
