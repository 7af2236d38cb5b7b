"""Mentees who choose: their requests for a mentor (``MentorChoice``), one open per mentee,
answered by one conditional UPDATE so an answer and the expiry job cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from storage.models import ChoiceStatus, MentorChoice


def create(
    *,
    session: Session,
    program_id: int,
    mentee_member_id: int,
    mentor_member_id: int,
    now: datetime,
    answer_by: datetime,
) -> MentorChoice | None:
    """A new open request; None when the mentee already has an open one (the unique index
    decides, so two clicks at once make one request).
    """
    row = MentorChoice(
        program_id=program_id,
        mentee_member_id=mentee_member_id,
        mentor_member_id=mentor_member_id,
        created_at=now,
        answer_by=answer_by,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def answer(*, session: Session, choice_id: int, status: str, now: datetime) -> bool:
    """Close an open request with ``status``; True for the one caller whose UPDATE won."""
    result = session.execute(
        update(MentorChoice)
        .where(col(MentorChoice.id) == choice_id, col(MentorChoice.status) == ChoiceStatus.OPEN)
        .values(status=status, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1  # type: ignore[attr-defined]
    row = session.get(MentorChoice, choice_id)
    if row is not None:
        session.refresh(row)
    return won


def open_of_mentee(*, session: Session, mentee_member_id: int) -> MentorChoice | None:
    """The mentee's open request, if any."""
    return session.exec(
        select(MentorChoice).where(
            MentorChoice.mentee_member_id == mentee_member_id,
            MentorChoice.status == ChoiceStatus.OPEN,
        )
    ).first()


def open_in_program(*, session: Session, program_id: int) -> list[MentorChoice]:
    """The program's open requests, oldest first."""
    return list(
        session.exec(
            select(MentorChoice)
            .where(MentorChoice.program_id == program_id, MentorChoice.status == ChoiceStatus.OPEN)
            .order_by(col(MentorChoice.created_at), col(MentorChoice.id))
        ).all()
    )


def choosing_mentees(*, session: Session, program_id: int) -> set[int]:
    """Member ids of the program's mentees waiting for a mentor's answer (held out of the
    admin's matching until it comes).
    """
    return {c.mentee_member_id for c in open_in_program(session=session, program_id=program_id)}


def asked_before(*, session: Session, mentee_member_id: int) -> set[int]:
    """Mentors the mentee asked already and who declined or let it run out (not suggested
    again).
    """
    rows = session.exec(
        select(MentorChoice.mentor_member_id).where(
            MentorChoice.mentee_member_id == mentee_member_id,
            col(MentorChoice.status).in_((ChoiceStatus.DECLINED, ChoiceStatus.EXPIRED)),
        )
    ).all()
    return set(rows)


def due(*, session: Session, program_id: int, now: datetime) -> list[MentorChoice]:
    """The program's open requests whose answer time has passed."""
    return list(
        session.exec(
            select(MentorChoice)
            .where(
                MentorChoice.program_id == program_id,
                MentorChoice.status == ChoiceStatus.OPEN,
                col(MentorChoice.answer_by) <= now,
            )
            .order_by(col(MentorChoice.id))
        ).all()
    )


def of_members(*, session: Session, member_ids: list[int]) -> list[MentorChoice]:
    """Every request a member made or was asked, oldest first (export and forget)."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(MentorChoice)
            .where(
                or_(
                    col(MentorChoice.mentee_member_id).in_(member_ids),
                    col(MentorChoice.mentor_member_id).in_(member_ids),
                )
            )
            .order_by(col(MentorChoice.id))
        ).all()
    )
