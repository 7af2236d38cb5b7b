"""What people answered: survey responses, feedback and goals with their progress."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.models import Feedback, Goal, GoalUpdate, Member, SurveyResponse


def survey_respondents(*, session: Session, program_id: int, survey: str) -> set[int]:
    """The members who answered one survey of the program."""
    return set(
        session.exec(
            select(SurveyResponse.member_id).where(
                SurveyResponse.program_id == program_id, SurveyResponse.survey == survey
            )
        ).all()
    )


def survey_response(
    *, session: Session, program_id: int, member_id: int, survey: str
) -> SurveyResponse | None:
    """The member's answers to one survey, if they gave them."""
    return session.exec(
        select(SurveyResponse).where(
            SurveyResponse.program_id == program_id,
            SurveyResponse.member_id == member_id,
            SurveyResponse.survey == survey,
        )
    ).first()


def survey_responses(
    *,
    session: Session,
    program_id: int | None = None,
    member_id: int | None = None,
    survey: str | None = None,
) -> list[SurveyResponse]:
    """Survey answers of a program and/or a member (optionally one survey), oldest first."""
    query = select(SurveyResponse)
    if program_id is not None:
        query = query.where(SurveyResponse.program_id == program_id)
    if member_id is not None:
        query = query.where(SurveyResponse.member_id == member_id)
    if survey is not None:
        query = query.where(SurveyResponse.survey == survey)
    return list(session.exec(query.order_by(col(SurveyResponse.created_at))).all())


def has_fit_answer(*, session: Session, pair_id: int, member_id: int) -> bool:
    """Whether the person already said how well the pair fits."""
    return (
        session.exec(
            select(Feedback.id).where(
                Feedback.pair_id == pair_id, Feedback.member_id == member_id, Feedback.kind == "fit"
            )
        ).first()
        is not None
    )


def feedback_of(*, session: Session, member_id: int, kinds: tuple[str, ...]) -> list[Feedback]:
    """The feedback a member gave, of these kinds, oldest first."""
    return list(
        session.exec(
            select(Feedback)
            .where(Feedback.member_id == member_id, col(Feedback.kind).in_(kinds))
            .order_by(col(Feedback.created_at), col(Feedback.id))
        ).all()
    )


class FeedbackFact(NamedTuple):
    """One piece of feedback without its words: who, what kind, the rating and fit answer."""

    member_id: int
    kind: str
    rating: int | None
    helped: str


def feedback_facts(
    *, session: Session, program_id: int, since: datetime | None = None
) -> list[FeedbackFact]:
    """The program's feedback (never the free text), optionally only since a time."""
    query = (
        select(Feedback.member_id, Feedback.kind, Feedback.rating, Feedback.helped)
        .join(Member, col(Member.id) == col(Feedback.member_id))
        .where(Member.program_id == program_id)
    )
    if since is not None:
        query = query.where(col(Feedback.created_at) >= since)
    return [FeedbackFact(*row) for row in session.exec(query).all()]


_GOALS_OF = (  # asked by every ``goals``: built once
    select(Goal).where(Goal.member_id == bindparam("member_id")).order_by(col(Goal.id))
)


def goals_of(*, session: Session, member_id: int) -> list[Goal]:
    """A member's goals in the order they were set (position + 1 is the goal's number)."""
    return list(session.exec(_GOALS_OF, params={"member_id": member_id}).all())


def latest_progress(*, session: Session, goal_ids: list[int]) -> dict[int, GoalUpdate]:
    """Each goal's most recent progress update."""
    if not goal_ids:
        return {}
    rows = session.exec(
        select(GoalUpdate)
        .where(col(GoalUpdate.goal_id).in_(goal_ids))
        .order_by(col(GoalUpdate.created_at), col(GoalUpdate.id))
    ).all()
    return {row.goal_id: row for row in rows}  # later rows win
