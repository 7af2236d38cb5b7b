"""console clock: how far the console's /time moved the bot's clock, kept across restarts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 15:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'console_clock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offset_seconds', sa.Float(), nullable=False),
        sa.Column('moved_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('console_clock')
