"""Recurring rounds and who sits one out: the rows the rounds pulse moves along.

Every step of a round is one conditional UPDATE on its ``status`` (:func:`advance`), so of
any number of processes running the pulse at the same instant exactly one takes the step.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.bulk import insert_ignoring_conflicts
from storage.models import Round, RoundSkip, RoundStatus

OPEN = (RoundStatus.SCHEDULED, RoundStatus.NOTICED)  # not matched yet


def ensure(*, session: Session, program_id: int, due_at: datetime, now: datetime) -> Round:
    """The program's round at ``due_at``, created if it is not there yet (once, whoever
    races); one cancelled earlier (rounds were off) is scheduled again.
    """
    row = {
        "program_id": program_id,
        "due_at": due_at,
        "status": RoundStatus.SCHEDULED,
        "created_at": now,
        "summary": {},
    }
    insert_ignoring_conflicts(session, Round, [row], conflict=["program_id", "due_at"])
    found = session.exec(
        select(Round).where(Round.program_id == program_id, Round.due_at == due_at)
    ).one()
    if found.status == RoundStatus.CANCELLED and found.id is not None:
        old = (RoundStatus.CANCELLED,)
        advance(session=session, round_id=found.id, old=old, status=RoundStatus.SCHEDULED)
    return found


def latest(*, session: Session, program_id: int) -> Round | None:
    """The program's round due last (of those not cancelled)."""
    query = select(Round).where(
        Round.program_id == program_id, Round.status != RoundStatus.CANCELLED
    )
    return session.exec(query.order_by(col(Round.due_at).desc())).first()


def open_round(*, session: Session, program_id: int) -> Round | None:
    """The program's next round nobody matched yet, if one is scheduled."""
    query = select(Round).where(Round.program_id == program_id, col(Round.status).in_(OPEN))
    return session.exec(query.order_by(col(Round.due_at))).first()


def unfinished(*, session: Session, program_id: int) -> list[Round]:
    """The program's rounds still to be noticed, matched or published, oldest first."""
    states = (*OPEN, RoundStatus.PROPOSED)
    query = select(Round).where(Round.program_id == program_id, col(Round.status).in_(states))
    return list(session.exec(query.order_by(col(Round.due_at))).all())


def of_run(*, session: Session, run_id: int) -> bool:
    """Whether a recurring round made the match run ``run_id`` (its preview or publish)."""
    query = select(Round.id).where(Round.match_run_id == run_id)
    return session.exec(query.limit(1)).first() is not None


def recent(*, session: Session, program_id: int, limit: int) -> list[Round]:
    """The program's latest rounds, newest first."""
    query = select(Round).where(Round.program_id == program_id)
    return list(session.exec(query.order_by(col(Round.due_at).desc()).limit(limit)).all())


def advance(*, session: Session, round_id: int, old: tuple[str, ...], **values: Any) -> bool:
    """Set ``values`` on the round if its status is still one of ``old``: one conditional
    UPDATE, so exactly one of several callers wins (True); the row is read again.
    """
    result = session.execute(
        update(Round)
        .where(col(Round.id) == round_id, col(Round.status).in_(old))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1  # type: ignore[attr-defined]
    row = session.get(Round, round_id)
    if row is not None:
        session.refresh(row)
    return won


def mark_reminded(*, session: Session, round_id: int, now: datetime) -> bool:
    """Note the admins' reminder once (True for the one caller that did)."""
    result = session.execute(
        update(Round)
        .where(
            col(Round.id) == round_id,
            col(Round.status) == RoundStatus.PROPOSED,
            col(Round.reminded_at).is_(None),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def reschedule(
    *, session: Session, program_id: int, due_at: datetime | None, now: datetime
) -> None:
    """Rounds set again: the open round gives way to one at ``due_at`` (its people are told
    again, and who sits it out still does), or is cancelled when rounds are off (None).
    """
    found = open_round(session=session, program_id=program_id)
    if found is not None and found.due_at == due_at:
        return
    skipped: set[int] = set()
    if found is not None and found.id is not None:
        skipped = skipping(session=session, round_id=found.id)
        advance(session=session, round_id=found.id, old=OPEN, status=RoundStatus.CANCELLED)
    if due_at is None:
        return
    new = ensure(session=session, program_id=program_id, due_at=due_at, now=now)
    assert new.id is not None
    for member_id in sorted(skipped):
        skip(session=session, round_id=new.id, member_id=member_id, now=now)


def skip(*, session: Session, round_id: int, member_id: int, now: datetime) -> None:
    """``member_id`` sits out the round (again: nothing changes)."""
    row = {"round_id": round_id, "member_id": member_id, "created_at": now}
    insert_ignoring_conflicts(session, RoundSkip, [row], conflict=["round_id", "member_id"])


def unskip(*, session: Session, round_id: int, member_id: int) -> bool:
    """``member_id`` takes part after all; False if they were not sitting it out."""
    result = session.execute(
        delete(RoundSkip).where(
            col(RoundSkip.round_id) == round_id, col(RoundSkip.member_id) == member_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def skipping(*, session: Session, round_id: int) -> set[int]:
    """The members sitting out the round."""
    query = select(RoundSkip.member_id).where(RoundSkip.round_id == round_id)
    return set(session.exec(query).all())


def next_step_after(
    *, session: Session, after: datetime, notice: timedelta, remind: timedelta
) -> datetime | None:
    """When any program's next round step falls after ``after``: a notice (``notice`` before
    a round), a round, or a preview's reminder (``remind`` after it was proposed).
    """
    states = (*OPEN, RoundStatus.PROPOSED)
    rows = session.exec(select(Round).where(col(Round.status).in_(states))).all()
    found: list[datetime] = []
    for row in rows:
        if row.status == RoundStatus.SCHEDULED:
            found.append(row.due_at - notice)
        if row.status in OPEN:
            found.append(row.due_at)
        elif row.reminded_at is None:
            found.append((row.proposed_at or row.due_at) + remind)
    return min((t for t in found if t > after), default=None)


def skips_of(*, session: Session, member_ids: list[int]) -> list[tuple[RoundSkip, Round]]:
    """The rounds these members sat out (or will), with each round, in round order."""
    if not member_ids:
        return []
    query = (
        select(RoundSkip, Round)
        .join(Round, col(Round.id) == col(RoundSkip.round_id))
        .where(col(RoundSkip.member_id).in_(member_ids))
        .order_by(col(Round.due_at))
    )
    return [(s, r) for s, r in session.exec(query).all()]
