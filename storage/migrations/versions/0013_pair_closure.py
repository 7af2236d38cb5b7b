"""pair closure: how each person closed each pair (last rating, reason, keep in touch or match
again, a mentee's thanks and whether it may be shared)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pairclosure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('keep_in_touch', sa.Boolean(), nullable=False),
    sa.Column('rematch', sa.Boolean(), nullable=False),
    sa.Column('thanks', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('share_thanks', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['pair_id'], ['pair.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pair_id', 'member_id')
    )
    with op.batch_alter_table('pairclosure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairclosure_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pairclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairclosure_member_id'))

    op.drop_table('pairclosure')
