"""Survey answers: who answered which survey, and what they said."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import SurveyResponse


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


def of_members(*, session: Session, member_ids: list[int]) -> list[SurveyResponse]:
    """The person's survey answers, by id (their export and forget)."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(SurveyResponse)
            .where(col(SurveyResponse.member_id).in_(member_ids))
            .order_by(col(SurveyResponse.id))
        ).all()
    )
