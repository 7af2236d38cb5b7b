"""seen requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:14:43.038606
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('seenrequest',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('seen_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('seenrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seenrequest_seen_at'), ['seen_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('seenrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seenrequest_seen_at'))

    op.drop_table('seenrequest')
