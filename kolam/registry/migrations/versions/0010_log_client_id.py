"""logs made at the gateway's kiosk: cycle_logs.client_id, the idempotency key the centre
dedupes a resent log on (issue #18 item 4)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:20:00.000000

A nullable column with a unique index: logs made at the centre keep NULL (many NULLs are
allowed by a unique index on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cycle_logs', sa.Column('client_id', sa.String(length=64), nullable=True))
    op.create_index('ix_cycle_logs_client_id', 'cycle_logs', ['client_id'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_cycle_logs_client_id', table_name='cycle_logs')
    op.drop_column('cycle_logs', 'client_id')
