"""Requests already handled, shared by every process and kept across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.bulk import insert_for
from storage.models import SeenRequest


def first_time(*, session: Session, key: str, now: datetime) -> bool:
    """Record ``key``; True only for the first caller ever (one atomic insert).

    Decided by the row the insert returns, not by the driver's ``rowcount``: psycopg reports
    -1 for this statement, which would make every replay look new on PostgreSQL.
    """
    table = SeenRequest.__table__  # type: ignore[attr-defined]
    statement = (
        insert_for(session)(table)
        .values(key=key[:200], seen_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)
    )
    return session.execute(statement).first() is not None


def forget_before(*, session: Session, before: datetime) -> int:
    """Drop what was seen before ``before`` (past any platform's retry or replay window)."""
    result = session.execute(delete(SeenRequest).where(col(SeenRequest.seen_at) < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
