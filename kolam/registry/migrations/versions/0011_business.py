"""the team's business (issue #20): cash book entries, stock moves and product batches,
with their members

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:00:00.000000

New tables only. Harvest sales, cycle costs and feeding logs are not copied: the book
and the stock card read them from their own tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('cash_entries',
    sa.Column('id', ID, nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('amount_rp', sa.Float(), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('counterparty', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('product', sa.String(length=100), nullable=True),
    sa.Column('reverses', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reverses')
    )
    op.create_index('ix_cash_entries_team_time', 'cash_entries', ['team_id', 'at'],
                    unique=False)
    op.create_table('cash_entry_members',
    sa.Column('entry_id', ID, nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['cash_entries.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'member_id')
    )
    op.create_index(op.f('ix_cash_entry_members_member_id'), 'cash_entry_members',
                    ['member_id'], unique=False)
    op.create_table('stock_moves',
    sa.Column('id', ID, nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_kind', sa.String(length=16), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('protein_pct', sa.Float(), nullable=True),
    sa.Column('sack_kg', sa.Float(), nullable=True),
    sa.Column('cash_entry_id', ID, nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cash_entry_id'], ['cash_entries.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stock_moves_team_time', 'stock_moves', ['team_id', 'at'],
                    unique=False)
    op.create_table('stock_move_members',
    sa.Column('move_id', ID, nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['move_id'], ['stock_moves.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('move_id', 'member_id')
    )
    op.create_index(op.f('ix_stock_move_members_member_id'), 'stock_move_members',
                    ['member_id'], unique=False)
    op.create_table('product_batches',
    sa.Column('id', ID, nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('product', sa.String(length=100), nullable=False),
    sa.Column('harvest_id', sa.Integer(), nullable=True),
    sa.Column('fish_kg', sa.Float(), nullable=False),
    sa.Column('fish_rp', sa.Float(), nullable=False),
    sa.Column('inputs_rp', sa.Float(), nullable=False),
    sa.Column('packs', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['harvest_id'], ['harvests.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_product_batches_team_id'), 'product_batches', ['team_id'],
                    unique=False)
    op.create_table('product_batch_members',
    sa.Column('batch_id', ID, nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['product_batches.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', 'member_id')
    )
    op.create_index(op.f('ix_product_batch_members_member_id'), 'product_batch_members',
                    ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_product_batch_members_member_id'),
                  table_name='product_batch_members')
    op.drop_table('product_batch_members')
    op.drop_index(op.f('ix_product_batches_team_id'), table_name='product_batches')
    op.drop_table('product_batches')
    op.drop_index(op.f('ix_stock_move_members_member_id'), table_name='stock_move_members')
    op.drop_table('stock_move_members')
    op.drop_index('ix_stock_moves_team_time', table_name='stock_moves')
    op.drop_table('stock_moves')
    op.drop_index(op.f('ix_cash_entry_members_member_id'), table_name='cash_entry_members')
    op.drop_table('cash_entry_members')
    op.drop_index('ix_cash_entries_team_time', table_name='cash_entries')
    op.drop_table('cash_entries')
