"""pairs end for a fixed reason (bot.pairs.lifecycle.EndReason) with a detail and who ended it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 11:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Reasons written before this version, as (reason, detail).
_OLD = {
    "program ended": ("program_ended", None),
    "partner left": ("left", None),
    "left before publishing": ("left", "before_publishing"),
    "role change": ("rematch", "role_change"),
}


def upgrade() -> None:
    with op.batch_alter_table('pair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_detail', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('ended_by_member_id', sa.Integer(), nullable=True))
    pair = sa.table('pair', sa.column('end_reason', sa.String), sa.column('end_detail', sa.String))
    for old, (reason, detail) in _OLD.items():
        op.execute(pair.update().where(pair.c.end_reason == old).values(end_reason=reason, end_detail=detail))
    bind = op.get_bind()
    rounds = bind.execute(sa.select(pair.c.end_reason).where(pair.c.end_reason.like('new round: %')).distinct()).scalars().all()
    for old in rounds:
        detail = old.removeprefix('new round: ')[:60]
        op.execute(pair.update().where(pair.c.end_reason == old).values(end_reason='rematch', end_detail=detail))


def downgrade() -> None:
    pair = sa.table('pair', sa.column('end_reason', sa.String), sa.column('end_detail', sa.String))
    for old, (reason, detail) in _OLD.items():
        cond = pair.c.end_reason == reason
        cond = cond & (pair.c.end_detail == detail if detail else pair.c.end_detail.is_(None))
        op.execute(pair.update().where(cond).values(end_reason=old))
    op.execute(
        pair.update().where(pair.c.end_reason == 'rematch')
        .values(end_reason=sa.literal('new round: ') + sa.func.coalesce(pair.c.end_detail, 'rematch'))
    )
    with op.batch_alter_table('pair', schema=None) as batch_op:
        batch_op.drop_column('ended_by_member_id')
        batch_op.drop_column('end_detail')
