"""probe care: calibration and maintenance entries of each device, and who did them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00.000000

New tables only (issue #17 item 5): ``device_maintenance`` (a DO membrane check, a pH
two-point calibration, a probe cleaning or a drift check against a manual reading; voided,
never erased) and ``maintenance_members``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_maintenance',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('pond_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('buffer1', sa.Float(), nullable=True),
    sa.Column('reading1', sa.Float(), nullable=True),
    sa.Column('buffer2', sa.Float(), nullable=True),
    sa.Column('reading2', sa.Float(), nullable=True),
    sa.Column('temp_c', sa.Float(), nullable=True),
    sa.Column('metric', sa.String(length=32), nullable=True),
    sa.Column('manual_value', sa.Float(), nullable=True),
    sa.Column('probe_value', sa.Float(), nullable=True),
    sa.Column('probe_at', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('voided_at', sa.BigInteger(), nullable=True),
    sa.Column('voided_by', sa.String(length=64), nullable=True),
    sa.Column('void_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pond_id'], ['ponds.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_device_maintenance_device_kind_at', 'device_maintenance',
                    ['device_id', 'kind', 'at'], unique=False)
    op.create_index(op.f('ix_device_maintenance_pond_id'), 'device_maintenance', ['pond_id'],
                    unique=False)
    op.create_table('maintenance_members',
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
              nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['device_maintenance.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'member_id')
    )
    op.create_index(op.f('ix_maintenance_members_member_id'), 'maintenance_members',
                    ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_maintenance_members_member_id'), table_name='maintenance_members')
    op.drop_table('maintenance_members')
    op.drop_index(op.f('ix_device_maintenance_pond_id'), table_name='device_maintenance')
    op.drop_index('ix_device_maintenance_device_kind_at', table_name='device_maintenance')
    op.drop_table('device_maintenance')
