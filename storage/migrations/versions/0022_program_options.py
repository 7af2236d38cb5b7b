"""program options for several programs per workspace: archived, own admins, zone, prompts,
recurring rounds, mentees who choose, circle sizes

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('admins', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('prompts_dir', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('rounds_every_weeks', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('rounds_weekday', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('rounds_time', sa.String(length=5), nullable=False, server_default='09:00')
        )
        batch_op.add_column(
            sa.Column(
                'rounds_publish', sa.String(length=20), nullable=False, server_default='preview'
            )
        )
        batch_op.add_column(sa.Column('rounds_from', sa.Date(), nullable=True))
        batch_op.add_column(
            # a constant default ('0' reads as false on both databases): an expression such as
            # sa.false() would make SQLite rebuild the table, which other tables reference
            sa.Column('mentees_choose', sa.Boolean(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('choose_days', sa.Integer(), nullable=False, server_default='3')
        )
        batch_op.add_column(sa.Column('circle_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('circle_max', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        for name in (
            'circle_max', 'circle_min', 'choose_days', 'mentees_choose', 'rounds_from',
            'rounds_publish', 'rounds_time', 'rounds_weekday', 'rounds_every_weeks',
            'prompts_dir', 'timezone', 'admins', 'archived_at',
        ):
            batch_op.drop_column(name)
