"""What the report's summary reads: who was ever matched, which check-ins were asked and
answered, which survey invitations went out. Plain rows, never anyone's words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlmodel import Session, col, select

from storage.models import CheckIn, OutboxMessage, OutboxStatus, Pair, PairMember


class AskRow(NamedTuple):
    """One check-in question: its cycle, when it was due, and the answer (``pending``: none)."""

    pair_id: int
    cycle_on: date | None
    due_at: datetime | None
    outcome: str


class InvitationRow(NamedTuple):
    """One survey invitation that went out: to whom, which survey, when."""

    member_id: int
    survey: str
    sent_at: datetime


def matched_members(*, session: Session, program_id: int) -> dict[int, datetime]:
    """Each member who was in a pair that started, with the earliest start."""
    rows = session.exec(
        select(col(PairMember.member_id), col(Pair.started_at))
        .join(Pair, col(Pair.id) == col(PairMember.pair_id))
        .where(Pair.program_id == program_id, col(Pair.started_at).is_not(None))
    ).all()
    first: dict[int, datetime] = {}
    for member_id, started in rows:
        if started is not None and (member_id not in first or started < first[member_id]):
            first[member_id] = started
    return first


def checkin_asks(*, session: Session, program_id: int) -> list[AskRow]:
    """Every check-in of the program's pairs that had a nudge planned (``due_at`` set)."""
    rows = session.exec(
        select(
            col(CheckIn.pair_id), col(CheckIn.cycle_on), col(CheckIn.due_at), col(CheckIn.outcome)
        )
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .where(Pair.program_id == program_id, col(CheckIn.due_at).is_not(None))
    ).all()
    return [AskRow(*row) for row in rows]


def survey_invitations(*, session: Session, program_id: int) -> list[InvitationRow]:
    """Every survey invitation sent to the program's members (outbox key
    ``survey:<program>:<member>:<survey>``).
    """
    prefix = f"survey:{program_id}:"
    rows = session.exec(
        select(col(OutboxMessage.dedupe_key), col(OutboxMessage.sent_at)).where(
            col(OutboxMessage.dedupe_key).startswith(prefix),
            OutboxMessage.status == OutboxStatus.SENT,
        )
    ).all()
    out = []
    for key, sent_at in rows:
        member, _, survey = key.removeprefix(prefix).partition(":")
        if member.isdigit() and survey and sent_at is not None:
            out.append(InvitationRow(int(member), survey, sent_at))
    return out
