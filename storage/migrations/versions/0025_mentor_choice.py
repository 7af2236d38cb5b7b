"""mentor_choice: a mentee's request for a mentor they chose (programs where mentees choose)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mentor_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentee_member_id', sa.Integer(), nullable=False),
    sa.Column('mentor_member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer_by', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mentee_member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['mentor_member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentor_choice', schema=None) as batch_op:
        batch_op.create_index(
            'ix_mentor_choice_program_status', ['program_id', 'status'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_mentor_choice_mentee_member_id'), ['mentee_member_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_mentor_choice_mentor_member_id'), ['mentor_member_id'], unique=False
        )
        batch_op.create_index(
            'ux_mentor_choice_one_open',
            ['mentee_member_id'],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade() -> None:
    with op.batch_alter_table('mentor_choice', schema=None) as batch_op:
        batch_op.drop_index(
            'ux_mentor_choice_one_open',
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f('ix_mentor_choice_mentor_member_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_choice_mentee_member_id'))
        batch_op.drop_index('ix_mentor_choice_program_status')
    op.drop_table('mentor_choice')
