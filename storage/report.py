"""What the program report reads: one query per table, plain rows, never free text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from storage.models import (
    CheckIn,
    Feedback,
    Goal,
    GoalUpdate,
    MatchRun,
    Member,
    MentorRequest,
    Pair,
    Person,
    SurveyResponse,
)


class MemberRow(NamedTuple):  # noqa: D101
    member_id: int
    role: str
    status: str
    joined_at: datetime
    left_at: datetime | None
    timezone: str | None
    paused_until: datetime | None


class PairRow(NamedTuple):  # noqa: D101
    pair_id: int
    status: str
    score: float
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    stall_reason: str | None


class CheckInRow(NamedTuple):  # noqa: D101
    pair_id: int
    cycle_on: date | None
    outcome: str
    recorded_at: datetime | None


class GoalRow(NamedTuple):  # noqa: D101
    goal_id: int
    status: str
    smart: bool  # a measure, a due date, a why and a first milestone
    created_at: datetime
    completed_at: datetime | None
    progress: int | None  # the latest update's


class FeedbackRow(NamedTuple):  # noqa: D101
    member_id: int
    kind: str
    rating: int | None
    fit: str  # the fit answer's choice ("helped"); never the words of a session's feedback
    created_at: datetime


class RequestRow(NamedTuple):  # noqa: D101
    created_at: datetime
    claimed_at: datetime | None


def members(*, session: Session, program_id: int) -> list[MemberRow]:
    """Everyone who ever joined the program, with their zone."""
    rows = session.execute(
        sa_select(
            col(Member.id),
            col(Member.role),
            col(Member.status),
            col(Member.joined_at),
            col(Member.left_at),
            col(Person.timezone),
            col(Member.paused_until),
        )
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(col(Member.program_id) == program_id)
    ).all()
    return [MemberRow(*row) for row in rows]  # type: ignore[arg-type]


def pairs(*, session: Session, program_id: int) -> list[PairRow]:
    """Every pair that was ever published (proposed previews are not pairs yet)."""
    rows = session.execute(
        sa_select(
            col(Pair.id),
            col(Pair.status),
            col(Pair.score),
            col(Pair.started_at),
            col(Pair.ended_at),
            col(Pair.end_reason),
            col(Pair.stall_reason),
        ).where(col(Pair.program_id) == program_id, col(Pair.started_at).is_not(None))
    ).all()
    return [PairRow(*row) for row in rows]  # type: ignore[arg-type]


def latest_round(*, session: Session, program_id: int) -> dict[str, Any] | None:
    """The summary of the program's latest published matching round (who was left out and
    why), or None before any.
    """
    summary = session.exec(
        select(col(MatchRun.summary))
        .where(col(MatchRun.program_id) == program_id, col(MatchRun.status) == "published")
        .order_by(col(MatchRun.published_at).desc(), col(MatchRun.id).desc())
    ).first()
    return dict(summary) if summary is not None else None


def checkins(*, session: Session, program_id: int) -> list[CheckInRow]:
    """Every check-in row of the program's pairs."""
    rows = session.exec(
        select(
            col(CheckIn.pair_id),
            col(CheckIn.cycle_on),
            col(CheckIn.outcome),
            col(CheckIn.recorded_at),
        )
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .where(Pair.program_id == program_id)
    ).all()
    return [CheckInRow(*row) for row in rows]


def goals(*, session: Session, program_id: int) -> list[GoalRow]:
    """Every goal of the program's members with its latest progress."""
    latest = (
        select(col(GoalUpdate.goal_id), func.max(col(GoalUpdate.id)).label("last"))
        .where(col(GoalUpdate.progress).is_not(None))
        .group_by(col(GoalUpdate.goal_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(Goal.id),
            col(Goal.status),
            col(Goal.measure),
            col(Goal.due_on),
            col(Goal.why),
            col(Goal.first_milestone),
            col(Goal.created_at),
            col(Goal.completed_at),
            col(GoalUpdate.progress),
        )
        .join(Member, col(Member.id) == col(Goal.member_id))
        .join(latest, latest.c.goal_id == col(Goal.id), isouter=True)
        .join(GoalUpdate, col(GoalUpdate.id) == latest.c.last, isouter=True)
        .where(col(Member.program_id) == program_id)
    ).all()
    out = []
    for goal_id, status, measure, due, why, first, created, completed, progress in rows:
        smart = bool(measure.strip() and due and why.strip() and first.strip())
        out.append(GoalRow(goal_id, status, smart, created, completed, progress))
    return out


def feedback(*, session: Session, program_id: int) -> list[FeedbackRow]:
    """Ratings and fit answers (the fit question's choice), never what people wrote."""
    rows = session.execute(
        sa_select(
            col(Feedback.member_id),
            col(Feedback.kind),
            col(Feedback.rating),
            col(Feedback.helped),
            col(Feedback.created_at),
        )
        .join(Member, col(Member.id) == col(Feedback.member_id))
        .where(col(Member.program_id) == program_id)
    ).all()
    return [
        FeedbackRow(member, kind, rating, helped if kind == "fit" else "", created)
        for member, kind, rating, helped, created in rows
    ]


SurveyRow = tuple[int, str, dict[str, Any], datetime]  # member, survey, answers, when


def surveys(*, session: Session, program_id: int) -> list[SurveyRow]:
    """(member, survey, answers, when) of every survey response."""
    rows = session.exec(
        select(
            col(SurveyResponse.member_id),
            col(SurveyResponse.survey),
            col(SurveyResponse.answers),
            col(SurveyResponse.created_at),
        ).where(SurveyResponse.program_id == program_id)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def requests(*, session: Session, program_id: int) -> list[RequestRow]:
    """When each mentor request was opened and claimed."""
    rows = session.exec(
        select(col(MentorRequest.created_at), col(MentorRequest.claimed_at)).where(
            MentorRequest.program_id == program_id
        )
    ).all()
    return [RequestRow(*row) for row in rows]
