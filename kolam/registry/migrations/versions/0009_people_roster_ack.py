"""people on call: users' contacts and channel preferences, duty rosters per site,
one-time acknowledgement links; the user a notification is for

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:00:00.000000

New tables and one plain ADD COLUMN (no batch table copy, see 0007).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('user_contacts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('telegram', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('critical', sa.String(length=64), nullable=False),
    sa.Column('warning', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('duty_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.String(length=7), nullable=False),
    sa.Column('starts', sa.String(length=5), nullable=False),
    sa.Column('ends', sa.String(length=5), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_duty_shifts_site', 'duty_shifts', ['site', 'level'], unique=False)
    op.create_index(op.f('ix_duty_shifts_user_id'), 'duty_shifts', ['user_id'], unique=False)
    op.create_table('ack_links',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('notification_id', _ID, nullable=False),
    sa.Column('alert_id', _ID, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('used_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['alert_notifications.id'],
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest')
    )
    op.create_index(op.f('ix_ack_links_notification_id'), 'ack_links', ['notification_id'],
                    unique=False)
    op.add_column('alert_notifications', sa.Column('username', sa.String(length=64),
                                                   nullable=True))


def downgrade() -> None:
    op.drop_column('alert_notifications', 'username')
    op.drop_index(op.f('ix_ack_links_notification_id'), table_name='ack_links')
    op.drop_table('ack_links')
    op.drop_index(op.f('ix_duty_shifts_user_id'), table_name='duty_shifts')
    op.drop_index('ix_duty_shifts_site', table_name='duty_shifts')
    op.drop_table('duty_shifts')
    op.drop_table('user_contacts')
