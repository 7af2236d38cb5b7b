"""Pairs, matching runs and matching rules: who is paired with whom, and what rounds need."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    CheckIn,
    CheckInOutcome,
    Feedback,
    MatchRule,
    MatchRun,
    Member,
    MemberStatus,
    Pair,
    PairMember,
    PairStatus,
    Person,
)
from storage.repo import PersonTiming

STAYING = (MemberStatus.ACTIVE, MemberStatus.PAUSED)  # members who have not left

# Asked by every ``status``, ``goals`` and feedback: built once, with bound parameters.
_ACTIVE_PAIRS_OF = (
    select(Pair)
    .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
    .where(PairMember.member_id == bindparam("member_id"), Pair.status == PairStatus.ACTIVE)
    .order_by(col(Pair.id))
)
_PARTNERS_IN = (
    select(Person)
    .join(Member, col(Member.person_id) == col(Person.id))
    .join(PairMember, col(PairMember.member_id) == col(Member.id))
    .where(
        PairMember.pair_id == bindparam("pair_id"),
        PairMember.member_id != bindparam("except_member_id"),
    )
    .order_by(col(Person.display_name))
)


_PARTNER_MEMBERS_IN = (
    select(Person, Member)
    .join(Member, col(Member.person_id) == col(Person.id))
    .join(PairMember, col(PairMember.member_id) == col(Member.id))
    .where(
        PairMember.pair_id == bindparam("pair_id"),
        PairMember.member_id != bindparam("except_member_id"),
    )
    .order_by(col(Person.display_name))
)


def partner_members_in(
    *, session: Session, pair_id: int, except_member_id: int
) -> list[tuple[Person, Member]]:
    """The other people of a pair, each with their membership (one query, as ``partners_in``)."""
    params = {"pair_id": pair_id, "except_member_id": except_member_id}
    return [(p, m) for p, m in session.exec(_PARTNER_MEMBERS_IN, params=params).all()]


def active_pairs_of(*, session: Session, member_id: int) -> list[Pair]:
    """The member's active pairs, oldest first."""
    return list(session.exec(_ACTIVE_PAIRS_OF, params={"member_id": member_id}).all())


def partners_in(*, session: Session, pair_id: int, except_member_id: int) -> list[Person]:
    """The other people of a pair (or trio)."""
    params = {"pair_id": pair_id, "except_member_id": except_member_id}
    return list(session.exec(_PARTNERS_IN, params=params).all())


def active_pair_ids(*, session: Session, program_id: int) -> list[int]:
    """The ids of the program's active pairs, ascending."""
    rows = session.connection().execute(
        sa_select(col(Pair.id))
        .where(col(Pair.program_id) == program_id, col(Pair.status) == PairStatus.ACTIVE)
        .order_by(col(Pair.id))
    )
    return [pair for (pair,) in rows.fetchall() if pair is not None]


def people_of_pair(*, session: Session, pair_id: int) -> list[PersonTiming]:
    """The people of one pair (or trio), with their timing facts."""
    rows = session.exec(
        select(Person)
        .join(Member, col(Member.person_id) == col(Person.id))
        .join(PairMember, col(PairMember.member_id) == col(Member.id))
        .where(PairMember.pair_id == pair_id)
        .order_by(col(PairMember.id))
    ).all()
    return [PersonTiming.of(p) for p in rows]


def active_pair_members(*, session: Session, program_id: int) -> dict[int, list[int]]:
    """Active pair id -> member ids."""
    rows = session.exec(
        select(PairMember.pair_id, PairMember.member_id)
        .join(Pair, col(Pair.id) == col(PairMember.pair_id))
        .where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
    ).all()
    pairs: dict[int, list[int]] = {}
    for pair_id, member_id in rows:
        pairs.setdefault(pair_id, []).append(member_id)
    return pairs


def active_pairs(*, session: Session, program_id: int) -> list[Pair]:
    """The program's active pairs, oldest first."""
    return list(
        session.exec(
            select(Pair)
            .where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
            .order_by(col(Pair.id))
        ).all()
    )


def count_active_pairs(*, session: Session, program_id: int) -> int:
    """How many pairs of the program are active."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Pair)
            .where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
        ).one()
    )


def stalled_pairs(*, session: Session, program_id: int | None = None) -> list[Pair]:
    """Active pairs flagged as stalled (of one program, or all), longest-stalled first."""
    query = select(Pair).where(
        Pair.status == PairStatus.ACTIVE, col(Pair.stalled_since).is_not(None)
    )
    if program_id is not None:
        query = query.where(Pair.program_id == program_id)
    return list(session.exec(query.order_by(col(Pair.stalled_since))).all())


class PastPair(NamedTuple):
    """One member of a pair that was published once, and the run that made it."""

    pair_id: int
    run_id: int | None
    member_id: int


def published_run_ids(*, session: Session, program_id: int) -> list[int]:
    """The program's published runs, newest first."""
    return [
        run_id
        for run_id in session.exec(
            select(MatchRun.id)
            .where(MatchRun.program_id == program_id, MatchRun.status == "published")
            .order_by(col(MatchRun.published_at).desc(), col(MatchRun.id).desc())
        ).all()
        if run_id is not None
    ]


def past_pairs(*, session: Session, program_id: int) -> list[PastPair]:
    """Every member of every pair that was ever more than a proposal."""
    rows = session.exec(
        select(Pair.id, Pair.match_run_id, PairMember.member_id)
        .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
        .where(Pair.program_id == program_id, Pair.status != PairStatus.PROPOSED)
    ).all()
    return [PastPair(p, r, m) for p, r, m in rows if p is not None]


def poor_fit_pairs(*, session: Session, pair_ids: list[int]) -> set[int]:
    """The pairs among ``pair_ids`` where someone said the fit is poor."""
    if not pair_ids:
        return set()
    return {
        pair_id
        for pair_id in session.exec(
            select(Feedback.pair_id).where(
                col(Feedback.pair_id).in_(pair_ids),
                Feedback.kind == "fit",
                Feedback.helped == "poor",
            )
        ).all()
        if pair_id is not None
    }


def match_rules(*, session: Session, program_id: int, kind: str | None = None) -> list[MatchRule]:
    """The program's pins and blocks (or only one ``kind``)."""
    query = select(MatchRule).where(MatchRule.program_id == program_id)
    if kind is not None:
        query = query.where(MatchRule.kind == kind)
    return list(session.exec(query.order_by(col(MatchRule.id))).all())


def previews(*, session: Session, program_id: int) -> list[MatchRun]:
    """The program's unpublished previews, newest first."""
    return list(
        session.exec(
            select(MatchRun)
            .where(MatchRun.program_id == program_id, MatchRun.status == "preview")
            .order_by(col(MatchRun.id).desc())
        ).all()
    )


def count_runs(*, session: Session, program_id: int) -> int:
    """How many matching runs the program has had (of any status)."""
    return int(
        session.exec(
            select(func.count()).select_from(MatchRun).where(MatchRun.program_id == program_id)
        ).one()
    )


def delete_proposed_pairs(*, session: Session, run_id: int) -> None:
    """Delete a run's proposed pairs and their member links."""
    pair_ids = list(
        session.exec(
            select(Pair.id).where(Pair.match_run_id == run_id, Pair.status == PairStatus.PROPOSED)
        ).all()
    )
    if pair_ids:
        # Links first: without ORM relationships the flush would not order these deletes.
        session.execute(delete(PairMember).where(col(PairMember.pair_id).in_(pair_ids)))
        session.execute(delete(Pair).where(col(Pair.id).in_(pair_ids)))


def pairs_of_run(*, session: Session, run_id: int) -> list[Pair]:
    """A run's pairs in the order they were stored."""
    return list(
        session.exec(select(Pair).where(Pair.match_run_id == run_id).order_by(col(Pair.id))).all()
    )


def members_of_pairs(*, session: Session, pair_ids: list[int]) -> dict[int, list[int]]:
    """Pair id -> its member ids in the order they were linked."""
    out: dict[int, list[int]] = {p: [] for p in pair_ids}
    if not pair_ids:
        return out
    for pair_id, member_id in session.exec(
        select(PairMember.pair_id, PairMember.member_id)
        .where(col(PairMember.pair_id).in_(pair_ids))
        .order_by(col(PairMember.id))
    ).all():
        out[pair_id].append(member_id)
    return out


def members_with_people(
    *,
    session: Session,
    program_id: int | None = None,
    member_ids: set[int] | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[tuple[Member, Person]]:
    """Members with their person, in joining order: of a program (optionally only some
    ``statuses``), or the given ``member_ids``.
    """
    query = select(Member, Person).join(Person, col(Person.id) == col(Member.person_id))
    if program_id is not None:
        query = query.where(Member.program_id == program_id)
    if member_ids is not None:
        if not member_ids:
            return []
        query = query.where(col(Member.id).in_(member_ids))
    if statuses is not None:
        query = query.where(col(Member.status).in_(statuses))
    return [(m, p) for m, p in session.exec(query.order_by(col(Member.id))).all()]


def members_by_id(*, session: Session, member_ids: list[int]) -> list[Member]:
    """The members with these ids."""
    if not member_ids:
        return []
    return list(session.exec(select(Member).where(col(Member.id).in_(member_ids))).all())


class PairName(NamedTuple):
    """One person of a pair, as the pair's messages name them."""

    pair_id: int
    member_id: int
    user_id: str
    display_name: str
    locale: str | None = None  # the language they chose, and their platform's
    platform_locale: str | None = None


def names_in_pairs(*, session: Session, pair_ids: list[int]) -> list[PairName]:
    """Everyone in these pairs, in the order they were linked."""
    if not pair_ids:
        return []
    rows = session.execute(
        sa_select(
            col(PairMember.pair_id),
            col(PairMember.member_id),
            col(Person.platform_user_id),
            col(Person.display_name),
            col(Person.locale),
            col(Person.platform_locale),
        )
        .join(Member, col(Member.id) == col(PairMember.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(col(PairMember.pair_id).in_(pair_ids))
        .order_by(col(PairMember.id))
    ).all()
    return [PairName(*row) for row in rows]


def pair_ids_of(*, session: Session, member_id: int) -> list[int]:
    """Every pair the member was ever in."""
    return list(
        session.exec(select(PairMember.pair_id).where(PairMember.member_id == member_id)).all()
    )


def met_cycles(*, session: Session, pair_ids: list[int]) -> list[tuple[int, date | None]]:
    """Distinct (pair, cycle) where anyone of the pair said they met."""
    if not pair_ids:
        return []
    rows = session.execute(
        sa_select(col(CheckIn.pair_id), col(CheckIn.cycle_on))
        .where(col(CheckIn.pair_id).in_(pair_ids), col(CheckIn.outcome) == CheckInOutcome.MET)
        .distinct()
    ).all()
    return [(p, c) for p, c in rows]


def pairs_of_members(*, session: Session, member_ids: list[int]) -> list[Pair]:
    """Every pair these members were in (proposals included), oldest first."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(Pair)
            .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
            .where(col(PairMember.member_id).in_(member_ids))
            .order_by(col(Pair.id))
        ).all()
    )


def partners_by_pair(
    *, session: Session, pair_ids: list[int], member_ids: list[int]
) -> dict[int, list[Person]]:
    """Pair id -> the other people in it."""
    out: dict[int, list[Person]] = {p: [] for p in pair_ids}
    if not pair_ids:
        return out
    for pair_id, person in session.exec(
        select(PairMember.pair_id, Person)
        .join(Member, col(Member.id) == col(PairMember.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(col(PairMember.pair_id).in_(pair_ids), col(PairMember.member_id).not_in(member_ids))
        .order_by(col(PairMember.id))
    ).all():
        out[pair_id].append(person)
    return out


def rules_naming(*, session: Session, member_ids: list[int]) -> list[MatchRule]:
    """Pins and blocks that name the person."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(MatchRule).where(
                or_(
                    col(MatchRule.member_a_id).in_(member_ids),
                    col(MatchRule.member_b_id).in_(member_ids),
                )
            )
        ).all()
    )


def started_pairs(*, session: Session, program_id: int) -> list[Pair]:
    """Every pair of the program that ever started (active or ended), oldest first."""
    return list(
        session.exec(
            select(Pair)
            .where(
                Pair.program_id == program_id,
                Pair.status != PairStatus.PROPOSED,
                col(Pair.started_at).is_not(None),
            )
            .order_by(col(Pair.id))
        ).all()
    )


def member_rows(*, session: Session, pair_id: int) -> list[PairMember]:
    """A pair's (or circle's) member rows in the order they were linked (a mentor first)."""
    return list(
        session.exec(
            select(PairMember).where(PairMember.pair_id == pair_id).order_by(col(PairMember.id))
        ).all()
    )


def remove_members(*, session: Session, pair_id: int, member_ids: list[int]) -> None:
    """Take ``member_ids`` out of a circle that carries on without them (their row goes, so
    check-ins, health, the digest and the report count only the people still in it).
    """
    session.execute(
        delete(PairMember).where(
            col(PairMember.pair_id) == pair_id, col(PairMember.member_id).in_(member_ids)
        )
    )
