"""Requests already handled, shared by every process and kept across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.bulk import insert_for
from storage.models import SeenRequest


def first_time(*, session: Session, key: str, now: datetime) -> bool:
    """Record ``key``; True only for the first caller ever (one atomic insert)."""
    maker = insert_for(session)
    statement = (
        maker(SeenRequest.__table__)  # type: ignore[attr-defined]
        .values(key=key[:200], seen_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def forget_before(*, session: Session, before: datetime) -> int:
    """Drop what was seen before ``before`` (past any platform's retry or replay window)."""
    result = session.execute(delete(SeenRequest).where(col(SeenRequest.seen_at) < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
