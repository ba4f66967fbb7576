"""corrections (void, replaces) of logs, harvests and costs; members of each log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00.000000

A wrong record is never erased: it is voided (when, by whom, why) and, when corrected,
replaced by a new record naming the one it replaces (issue #17). Every daily log may
name the members who did the work (``log_members``, like ``harvest_members``); the old
single ``cycle_logs.member_id`` is copied into it, so skill records keep their history.
Plain ADD COLUMN, no batch table copy (see 0005: a copy on SQLite cascades deletes).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('cycle_logs', 'harvests', 'costs')


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('voided_at', sa.BigInteger(), nullable=True))
        op.add_column(table, sa.Column('voided_by', sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column('void_reason', sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column('replaces_id', sa.BigInteger(), nullable=True))
    op.create_table('log_members',
    sa.Column('log_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['cycle_logs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('log_id', 'member_id')
    )
    op.create_index(op.f('ix_log_members_member_id'), 'log_members', ['member_id'],
                    unique=False)
    op.execute("INSERT INTO log_members (log_id, member_id) "
               "SELECT id, member_id FROM cycle_logs WHERE member_id IS NOT NULL")


def downgrade() -> None:
    op.drop_index(op.f('ix_log_members_member_id'), table_name='log_members')
    op.drop_table('log_members')
    for table in reversed(TABLES):  # plain DROP COLUMN (SQLite 3.35+), no table copy
        for column in ('replaces_id', 'void_reason', 'voided_by', 'voided_at'):
            op.drop_column(table, column)
