"""How people closed their pairs (``PairClosure``): one row per pair and person, written when
the pair ends and filled in as they answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import EndReason, MatchRun, Member, Pair, PairClosure


def open_closure(*, session: Session, pair_id: int, member_id: int, now: datetime) -> PairClosure:
    """The closure row of ``member_id`` for ``pair_id``, made now if there is none yet."""
    found = closure_of(session=session, pair_id=pair_id, member_id=member_id)
    if found is not None:
        return found
    row = PairClosure(pair_id=pair_id, member_id=member_id, created_at=now)
    session.add(row)
    session.flush()
    return row


def closure_of(*, session: Session, pair_id: int, member_id: int) -> PairClosure | None:
    """One person's closure of one pair, if they were asked."""
    return session.exec(
        select(PairClosure).where(
            PairClosure.pair_id == pair_id, PairClosure.member_id == member_id
        )
    ).first()


def of_pair(*, session: Session, pair_id: int) -> list[PairClosure]:
    """Everyone's closure of one pair."""
    return list(
        session.exec(
            select(PairClosure).where(PairClosure.pair_id == pair_id).order_by(col(PairClosure.id))
        ).all()
    )


def of_members(*, session: Session, member_ids: list[int]) -> list[PairClosure]:
    """The closures these memberships gave (a person's export and forget)."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(PairClosure)
            .where(col(PairClosure.member_id).in_(member_ids))
            .order_by(col(PairClosure.id))
        ).all()
    )


def unasked(*, session: Session, limit: int = 500) -> list[tuple[PairClosure, Pair]]:
    """Closures not asked yet, with their pair, oldest first (a program's end is asked by
    its wrap-up, so pairs that ended with the program are left out).
    """
    rows = session.exec(
        select(PairClosure, Pair)
        .join(Pair, col(Pair.id) == col(PairClosure.pair_id))
        .where(
            col(PairClosure.asked_at).is_(None),
            col(Pair.end_reason).is_distinct_from(EndReason.PROGRAM_ENDED.value),
        )
        .order_by(col(PairClosure.id))
        .limit(limit)
    ).all()
    return [(c, p) for c, p in rows]


class SharedThanks(NamedTuple):
    """A thank-you its writer agreed to share with the coordinators."""

    pair_id: int
    member_id: int
    thanks: str


def shared_thanks(
    *, session: Session, program_id: int, since: datetime, until: datetime
) -> list[SharedThanks]:
    """Thank-yous written in [since, until) in the program that may be shared, oldest first."""
    rows = session.exec(
        select(PairClosure.pair_id, PairClosure.member_id, PairClosure.thanks)
        .join(Pair, col(Pair.id) == col(PairClosure.pair_id))
        .where(
            Pair.program_id == program_id,
            col(PairClosure.share_thanks).is_(True),
            PairClosure.thanks != "",
            col(PairClosure.answered_at) >= since,
            col(PairClosure.answered_at) < until,
        )
        .order_by(col(PairClosure.answered_at), col(PairClosure.id))
    ).all()
    return [SharedThanks(*row) for row in rows]


class ClosureFact(NamedTuple):
    """One closure without its words: the pair's end, the rating and the choices."""

    member_id: int
    end_reason: str | None
    rating: int | None
    keep_in_touch: bool
    rematch: bool
    answered: bool


def closure_facts(*, session: Session, program_id: int) -> list[ClosureFact]:
    """Every closure of the program's pairs (never the free text)."""
    rows = session.execute(
        sa_select(
            col(PairClosure.member_id),
            col(Pair.end_reason),
            col(PairClosure.rating),
            col(PairClosure.keep_in_touch),
            col(PairClosure.rematch),
            col(PairClosure.answered_at),
        )
        .join(Pair, col(Pair.id) == col(PairClosure.pair_id))
        .join(Member, col(Member.id) == col(PairClosure.member_id))
        .where(col(Pair.program_id) == program_id)
    ).all()
    return [
        ClosureFact(m, reason, rating, keep, again, at is not None)
        for m, reason, rating, keep, again, at in rows
    ]


def published_round_times(*, session: Session, program_id: int, last: int = 2) -> list[datetime]:
    """When the program's ``last`` published matching rounds were published, newest first."""
    rows = session.exec(
        select(MatchRun.published_at)
        .where(MatchRun.program_id == program_id, col(MatchRun.published_at).is_not(None))
        .order_by(col(MatchRun.published_at).desc())
        .limit(last)
    ).all()
    return [t for t in rows if t is not None]
