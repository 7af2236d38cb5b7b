"""What the pair-health rule reads: pairs with their members, and their check-in rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.bulk import CHUNK
from storage.models import CheckIn, Pair, PairMember


class CheckInFact(NamedTuple):
    """One person's check-in in a pair (a planned nudge, or a meeting logged on their own)."""

    member_id: int
    cycle_on: date | None
    due_at: datetime | None
    outcome: str
    recorded_at: datetime | None


class PairFacts(NamedTuple):
    """What the health rule needs of a pair besides its check-ins."""

    pair_id: int
    status: str
    member_ids: tuple[int, ...]
    started_at: datetime | None
    ended_at: datetime | None


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def pair_facts(*, session: Session, pair_ids: list[int]) -> list[PairFacts]:
    """These pairs (ids ascending) with their members in the order they were linked."""
    members: dict[int, list[int]] = {}
    pairs: list[Pair] = []
    for chunk in _chunks(pair_ids):
        rows = session.execute(
            sa_select(col(PairMember.pair_id), col(PairMember.member_id))
            .where(col(PairMember.pair_id).in_(chunk))
            .order_by(col(PairMember.id))
        ).all()
        for pair_id, member_id in rows:
            members.setdefault(pair_id, []).append(member_id)
        found = session.execute(sa_select(Pair).where(col(Pair.id).in_(chunk))).scalars()
        pairs.extend(found)
    return [
        PairFacts(p.id, p.status, tuple(members.get(p.id, ())), p.started_at, p.ended_at)
        for p in sorted(pairs, key=lambda p: p.id or 0)
        if p.id is not None
    ]


def check_in_facts(*, session: Session, pair_ids: list[int]) -> dict[int, list[CheckInFact]]:
    """Pair id -> every check-in row of it (oldest cycle first)."""
    out: dict[int, list[CheckInFact]] = {}
    for chunk in _chunks(pair_ids):
        rows = session.execute(
            sa_select(
                col(CheckIn.pair_id),
                col(CheckIn.member_id),
                col(CheckIn.cycle_on),
                col(CheckIn.due_at),
                col(CheckIn.outcome),
                col(CheckIn.recorded_at),
            )
            .where(col(CheckIn.pair_id).in_(chunk))
            .order_by(col(CheckIn.cycle_on), col(CheckIn.id))
        ).all()
        for pair_id, *rest in rows:
            out.setdefault(pair_id, []).append(CheckInFact(*rest))
    return out
