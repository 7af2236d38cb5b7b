"""member removed: when an admin removed someone (``admin remove``); until ``admin readmit``
lifts it they can't rejoin by themselves

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('removed_at', storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
