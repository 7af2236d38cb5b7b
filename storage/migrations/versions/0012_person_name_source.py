"""where a person's name came from (import or platform): an imported name is never replaced

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:30:00

Rows from before this version keep NULL, which is read as "from the platform" (as they were
treated until now): re-import the roster to mark the names a coordinator gave.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('name_source')
