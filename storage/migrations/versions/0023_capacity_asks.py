"""capacity asks: mentors at capacity asked from a match preview to take one more mentee

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'capacity_ask',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('match_run_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('raised', sa.Boolean(), nullable=True),
        sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['match_run_id'], ['matchrun.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['program_id'], ['program.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('match_run_id', 'member_id'),
    )
    with op.batch_alter_table('capacity_ask', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_ask_member_id'), ['member_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_capacity_ask_program_id'), ['program_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('capacity_ask', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_ask_program_id'))
        batch_op.drop_index(batch_op.f('ix_capacity_ask_member_id'))
    op.drop_table('capacity_ask')
