"""Feedback people gave about their sessions and pairs: theirs in full, the program's as facts."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, col, select

from storage.models import Feedback, Member


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


def of_members(*, session: Session, member_ids: list[int]) -> list[Feedback]:
    """The feedback the person gave, by id (their export and forget)."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(Feedback)
            .where(col(Feedback.member_id).in_(member_ids))
            .order_by(col(Feedback.id))
        ).all()
    )
