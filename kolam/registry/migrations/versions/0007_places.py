"""sites and ponds as records: a site's kind, province, regency, coordinates and time
zone; a pond's kind, minimum level and whether it is in use

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 12:00:00.000000

Plain ADD COLUMN (no batch table copy: on SQLite that would drop ``sites`` and, with
foreign keys on, cascade-delete every pond and device). Existing sites keep working as
WIB sites of kind ``other``, existing ponds as active ponds of unknown kind.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sites', sa.Column('kind', sa.String(length=16), nullable=False,
                                     server_default='other'))
    op.add_column('sites', sa.Column('province', sa.String(length=100), nullable=True))
    op.add_column('sites', sa.Column('regency', sa.String(length=100), nullable=True))
    op.add_column('sites', sa.Column('lat', sa.Float(), nullable=True))
    op.add_column('sites', sa.Column('lon', sa.Float(), nullable=True))
    op.add_column('sites', sa.Column('timezone', sa.String(length=64), nullable=False,
                                     server_default='Asia/Jakarta'))
    op.add_column('ponds', sa.Column('kind', sa.String(length=16), nullable=True))
    op.add_column('ponds', sa.Column('min_level_cm', sa.Float(), nullable=True))
    op.add_column('ponds', sa.Column('active', sa.Boolean(), nullable=False,
                                     server_default=sa.true()))


def downgrade() -> None:
    # DROP COLUMN needs SQLite 3.35+ (Python 3.11+ ships it); no table copy either way.
    for column in ('active', 'min_level_cm', 'kind'):
        op.drop_column('ponds', column)
    for column in ('timezone', 'lon', 'lat', 'regency', 'province', 'kind'):
        op.drop_column('sites', column)
