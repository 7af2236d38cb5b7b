"""Mentors asked from a match preview to take one more mentee (``bot.matching.capacity_ask``):
who was asked, once per preview and mentor, and the one-time answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from storage.models import CapacityAsk, Member


def asked_since(*, session: Session, program_id: int, since: datetime) -> set[int]:
    """The members of the program asked at or after ``since`` (from any preview)."""
    rows = session.exec(
        select(CapacityAsk.member_id).where(
            CapacityAsk.program_id == program_id, col(CapacityAsk.asked_at) >= since
        )
    ).all()
    return set(rows)


def add(
    *, session: Session, program_id: int, run_id: int, member_id: int, now: datetime
) -> CapacityAsk | None:
    """Record that ``member_id`` is asked from preview ``run_id``; None if they already were
    (another press got there first: the unique pair of preview and member decides).
    """
    row = CapacityAsk(program_id=program_id, match_run_id=run_id, member_id=member_id, asked_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def get(*, session: Session, ask_id: int) -> CapacityAsk | None:
    """One ask."""
    return session.get(CapacityAsk, ask_id)


def answer(*, session: Session, ask_id: int, raised: bool, now: datetime) -> bool:
    """Record the answer; True if this call recorded it. "Take one more" is recorded once
    (a second press, or one racing it, gets False); "Not now" only where nothing was raised.
    """
    not_raised = or_(col(CapacityAsk.raised).is_(None), col(CapacityAsk.raised).is_(False))
    result = session.execute(
        update(CapacityAsk)
        .where(col(CapacityAsk.id) == ask_id, not_raised)
        .values(raised=raised, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def raise_capacity(*, session: Session, member_id: int, limit: int) -> bool:
    """One more place for the member, in one conditional UPDATE: never past ``limit``."""
    result = session.execute(
        update(Member)
        .where(col(Member.id) == member_id, col(Member.capacity) < limit)
        .values(capacity=col(Member.capacity) + 1)
        .execution_options(synchronize_session=False)
    )
    member = session.get(Member, member_id)
    if member is not None:
        session.refresh(member)
    return int(getattr(result, "rowcount", 0) or 0) == 1
