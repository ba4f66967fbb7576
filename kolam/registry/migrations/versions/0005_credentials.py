"""per-account ids, token versions and login sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000

Tokens name a random account id and a token version instead of the username, and every
login has a server-side session row; existing accounts get a fresh id, so tokens issued
before the upgrade stop working (users log in again) and removed accounts keep no API
keys.
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
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('token_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('uid', sa.String()),
                     sa.column('active', sa.Boolean()))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(uid=secrets.token_hex(16)))
    # Keys of users removed before this version were kept; removal now deletes them.
    inactive = sa.select(users.c.id).where(users.c.active.is_(False))
    api_keys = sa.table('api_keys', sa.column('user_id', sa.Integer()))
    conn.execute(api_keys.delete().where(api_keys.c.user_id.in_(inactive)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('token_version', existing_type=sa.Integer(),
                              server_default=None)
        batch_op.create_unique_constraint(batch_op.f('uq_users_uid'), ['uid'])
    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_expires_at'))
    op.drop_table('user_sessions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_uid'), type_='unique')
        batch_op.drop_column('token_version')
        batch_op.drop_column('uid')
