"""per-account ids, token versions and login sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000

Tokens name a random account id and a token version instead of the username, and every
login has a server-side session row; existing accounts get a fresh id, so tokens issued
before the upgrade stop working (users log in again) and removed accounts keep no API
keys or password.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index, not a batch table copy: on SQLite the copy drops
    # the old ``users`` table, and with foreign keys on that deletes every user's sites
    # and API keys (ON DELETE CASCADE).
    op.add_column('users', sa.Column('uid', sa.String(length=32), nullable=False,
                                     server_default=''))
    op.add_column('users', sa.Column('token_version', sa.Integer(), nullable=False,
                                     server_default='0'))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('uid', sa.String()),
                     sa.column('active', sa.Boolean()))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(uid=secrets.token_hex(16)))
    # Users removed before this version kept their keys and password; removal now
    # deletes both, so a new user of the same name gets neither.
    inactive = sa.select(users.c.id).where(users.c.active.is_(False))
    api_keys = sa.table('api_keys', sa.column('user_id', sa.Integer()))
    conn.execute(api_keys.delete().where(api_keys.c.user_id.in_(inactive)))
    hashes = sa.table('users', sa.column('active', sa.Boolean()),
                      sa.column('password_hash', sa.String()))
    conn.execute(hashes.update().where(hashes.c.active.is_(False))
                 .values(password_hash=None))
    op.create_index(op.f('ix_users_uid'), 'users', ['uid'], unique=True)
    if conn.dialect.name != 'sqlite':  # SQLite cannot drop a default without a table copy
        op.alter_column('users', 'uid', server_default=None)
        op.alter_column('users', 'token_version', server_default=None)
    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_user_sessions_expires_at'), 'user_sessions', ['expires_at'],
                    unique=False)
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_index(op.f('ix_user_sessions_expires_at'), table_name='user_sessions')
    op.drop_table('user_sessions')
    op.drop_index(op.f('ix_users_uid'), table_name='users')
    op.drop_column('users', 'token_version')
    op.drop_column('users', 'uid')
