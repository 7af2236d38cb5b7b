"""The one place a pair starts: a round's proposed pair or an admin's pair becomes active now.

A matching round stores its pairs as ``proposed`` when it is previewed; publishing starts each
of them here. ``admin pair`` and ``admin move`` start a new pair here too, outside any round.
Either way the pair is active from ``now`` and its people are no longer waiting (their place
in the line is cleared). Introductions are the caller's: matching words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import Member, Pair, PairMember, PairStatus, Program

__all__ = ["start_pair"]


def start_pair(
    session: Session,
    program: Program,
    members: Sequence[Member],
    *,
    now: datetime,
    reasons: Sequence[Any] = (),
    score: float = 0.0,
    proposed: Pair | None = None,
) -> Pair:
    """Start a pair of ``members`` now and return it.

    ``proposed``: a round's pair (its people and reasons are already stored) that becomes
    active; without it a new pair is made with ``reasons`` (:mod:`bot.matching.reasons`) and
    ``score``. Everyone in it stops waiting: their ``match_priority`` goes back to 0.
    """
    assert program.id is not None
    pair = proposed
    if pair is None:
        pair = Pair(
            program_id=program.id,
            status=PairStatus.PROPOSED,
            score=round(score, 1),
            reasons=list(reasons),
            created_at=now,
        )
        session.add(pair)
        session.flush()
        assert pair.id is not None
        for member in members:
            assert member.id is not None
            session.add(PairMember(pair_id=pair.id, member_id=member.id, role=member.role))
    pair.status, pair.started_at = PairStatus.ACTIVE, now
    session.add(pair)
    for member in members:
        member.match_priority = 0
        session.add(member)
    return pair
