"""checkin planning, stalled pairs, outbox expiry

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:00:26.579643
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('recorded_at',
               existing_type=sa.DATETIME(),
               nullable=True)
        batch_op.create_index('ix_checkin_due', ['due_at'], unique=False)
        batch_op.create_unique_constraint('uq_checkin_pair_member_cycle', ['pair_id', 'member_id', 'cycle_on'])

    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('pair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stalled_since', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stall_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pair', schema=None) as batch_op:
        batch_op.drop_column('stall_reason')
        batch_op.drop_column('stalled_since')

    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_constraint('uq_checkin_pair_member_cycle', type_='unique')
        batch_op.drop_index('ix_checkin_due')
        batch_op.alter_column('recorded_at',
               existing_type=sa.DATETIME(),
               nullable=False)
        batch_op.drop_column('due_at')


