"""announcements and mentor requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 18:24:03.272391
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mentorrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('requester_member_id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('claimed_by_member_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('helped', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claimed_by_member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['requester_member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentorrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorrequest_requester_member_id'), ['requester_member_id'], unique=False)
        batch_op.create_index('ix_request_program_status', ['program_id', 'status'], unique=False)

    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='everyone'))
        batch_op.add_column(sa.Column('include_paused', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('pair_ids', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('allow_ping', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('local_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('author_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default='UTC'))
        batch_op.add_column(sa.Column('queued_at', storage.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_column('queued_at')
        batch_op.drop_column('author_zone')
        batch_op.drop_column('local_day')
        batch_op.drop_column('allow_ping')
        batch_op.drop_column('pair_ids')
        batch_op.drop_column('include_paused')
        batch_op.drop_column('audience')

    with op.batch_alter_table('mentorrequest', schema=None) as batch_op:
        batch_op.drop_index('ix_request_program_status')
        batch_op.drop_index(batch_op.f('ix_mentorrequest_requester_member_id'))

    op.drop_table('mentorrequest')
