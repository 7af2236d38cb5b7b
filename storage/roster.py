"""The whole roster at once: people by platform id, a program's members, and the tables an
export writes (pairs with their people, check-ins, goals).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session, col, select

from storage.models import CheckIn, Goal, Member, Pair, PairMember, PairStatus, Person

CHUNK = 500  # ids per IN (...) list


def people_by_id(*, session: Session, platform: str, user_ids: list[str]) -> dict[str, Person]:
    """Platform user id -> person, for the ids that are known."""
    out: dict[str, Person] = {}
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        for person in session.exec(
            select(Person).where(
                Person.platform == platform, col(Person.platform_user_id).in_(chunk)
            )
        ).all():
            out[person.platform_user_id] = person
    return out


def members_by_person(*, session: Session, program_id: int) -> dict[int, Member]:
    """Person id -> their membership of the program."""
    return {
        m.person_id: m
        for m in session.exec(select(Member).where(Member.program_id == program_id)).all()
    }


class PairRow(NamedTuple):
    """One person of a pair that was made real (active or ended)."""

    pair: Pair
    member_id: int
    role: str
    user_id: str
    name: str


def pair_rows(*, session: Session, program_id: int) -> list[PairRow]:
    """Every person of every active or ended pair of the program, pair by pair."""
    rows = session.exec(
        select(Pair, PairMember, Person)
        .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
        .join(Member, col(Member.id) == col(PairMember.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Pair.program_id == program_id, Pair.status != PairStatus.PROPOSED)
        .order_by(col(Pair.id), col(PairMember.id))
    ).all()
    return [
        PairRow(pair, link.member_id, link.role, person.platform_user_id, person.display_name)
        for pair, link, person in rows
    ]


def checkin_rows(*, session: Session, program_id: int) -> list[tuple[CheckIn, str]]:
    """The program's check-ins with the platform id of who answered."""
    rows = session.exec(
        select(CheckIn, Person.platform_user_id)
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .join(Member, col(Member.id) == col(CheckIn.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Pair.program_id == program_id)
        .order_by(col(CheckIn.pair_id), col(CheckIn.cycle_on), col(CheckIn.id))
    ).all()
    return [(c, u) for c, u in rows]


def goal_rows(*, session: Session, program_id: int) -> list[tuple[Goal, str]]:
    """The program's goals with their owner's platform id, in the order they were set."""
    rows = session.exec(
        select(Goal, Person.platform_user_id)
        .join(Member, col(Member.id) == col(Goal.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Member.program_id == program_id)
        .order_by(col(Goal.member_id), col(Goal.id))
    ).all()
    return [(g, u) for g, u in rows]
