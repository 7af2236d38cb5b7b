"""Requests already handled, shared by every process and kept across restarts.

Every platform request asks :func:`first_time` (a DM twice: its signature and its event id),
so that one is kept cheap: one statement per database, built once, run on a plain
connection (no ORM session) in its own short transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from storage.models import SeenRequest

_TABLE = SeenRequest.__table__  # type: ignore[attr-defined]
# INSERT ... ON CONFLICT DO NOTHING RETURNING key, per dialect; the values come as parameters,
# so SQLAlchemy compiles each once and every call reuses it.
_RECORD = {
    dialect: insert(_TABLE).on_conflict_do_nothing(index_elements=["key"]).returning(_TABLE.c.key)
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}


def first_time(*, connection: Connection, key: str, now: datetime) -> bool:
    """Record ``key``; True only for the first caller ever (one atomic insert).

    Decided by the row the insert returns, not by the driver's ``rowcount``: psycopg reports
    -1 for this statement, which would make every replay look new on PostgreSQL.
    """
    statement = _RECORD[connection.dialect.name]
    row = connection.execute(statement, {"key": key[:200], "seen_at": now}).first()
    return row is not None


def forget_before(*, session: Session, before: datetime) -> int:
    """Drop what was seen before ``before`` (past any platform's retry or replay window)."""
    result = session.execute(delete(SeenRequest).where(col(SeenRequest.seen_at) < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
