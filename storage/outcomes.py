"""What the report's group and fairness sections read: each member's groups, pairs, goals,
ratings and rounds left out, as plain rows (never free text).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import Feedback, Goal, MatchRun, Member, Pair, PairMember, Person


class GroupMember(NamedTuple):  # noqa: D101
    member_id: int
    role: str
    joined_at: datetime
    timezone: str | None
    team: str | None
    seniority: int | None
    intake_batch: str | None


class Membership(NamedTuple):  # noqa: D101
    member_id: int
    pair_id: int
    role: str
    score: float
    status: str
    started_at: datetime
    end_reason: str | None


class MemberGoal(NamedTuple):  # noqa: D101
    member_id: int
    done: bool
    created_at: datetime
    completed_at: datetime | None


class Rating(NamedTuple):  # noqa: D101
    member_id: int
    rating: int
    created_at: datetime


class Round(NamedTuple):  # noqa: D101
    published_at: datetime | None
    left_out: tuple[int, ...]  # member ids


def members(*, session: Session, program_id: int) -> list[GroupMember]:
    """Everyone who ever joined the program, with what they can be grouped by."""
    rows = session.execute(
        sa_select(
            col(Member.id),
            col(Member.role),
            col(Member.joined_at),
            col(Person.timezone),
            col(Person.team),
            col(Member.seniority),
            col(Member.intake_batch),
        )
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(col(Member.program_id) == program_id)
    ).all()
    return [GroupMember(*row) for row in rows]  # type: ignore[arg-type]


def memberships(*, session: Session, program_id: int) -> list[Membership]:
    """Each member's place in each published pair of the program."""
    rows = session.execute(
        sa_select(
            col(PairMember.member_id),
            col(Pair.id),
            col(PairMember.role),
            col(Pair.score),
            col(Pair.status),
            col(Pair.started_at),
            col(Pair.end_reason),
        )
        .join(Pair, col(Pair.id) == col(PairMember.pair_id))
        .where(col(Pair.program_id) == program_id, col(Pair.started_at).is_not(None))
    ).all()
    return [Membership(*row) for row in rows]  # type: ignore[arg-type]


def goals(*, session: Session, program_id: int) -> list[MemberGoal]:
    """Whose each goal is and whether it was reached."""
    rows = session.execute(
        sa_select(
            col(Goal.member_id), col(Goal.status), col(Goal.created_at), col(Goal.completed_at)
        )
        .join(Member, col(Member.id) == col(Goal.member_id))
        .where(col(Member.program_id) == program_id)
    ).all()
    return [MemberGoal(m, status == "done", made, done) for m, status, made, done in rows]


def ratings(*, session: Session, program_id: int) -> list[Rating]:
    """Each session rating and who gave it."""
    rows = session.execute(
        sa_select(col(Feedback.member_id), col(Feedback.rating), col(Feedback.created_at))
        .join(Member, col(Member.id) == col(Feedback.member_id))
        .where(
            col(Member.program_id) == program_id,
            col(Feedback.kind) == "session",
            col(Feedback.rating).is_not(None),
        )
    ).all()
    return [Rating(*row) for row in rows]  # type: ignore[arg-type]


def rounds(*, session: Session, program_id: int) -> list[Round]:
    """Each published matching round and who it left out."""
    rows = session.execute(
        sa_select(col(MatchRun.published_at), col(MatchRun.summary)).where(
            col(MatchRun.program_id) == program_id, col(MatchRun.status) == "published"
        )
    ).all()
    return [
        Round(when, tuple(int(m) for m, _r in (summary or {}).get("unmatched", [])))
        for when, summary in rows
    ]
