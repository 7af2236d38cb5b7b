"""People, programs and members: typed queries with keyword-only arguments.

Each capability's other queries live beside this module, named for what they read:
``pairs`` (pairs, runs, rules), ``checkins``, ``outbox``, ``responses`` (feedback, surveys,
goals) and ``conversations``. The core asks these functions; it does not build queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, cast
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    CheckIn,
    Member,
    MemberStatus,
    Pair,
    PairMember,
    PairStatus,
    Person,
    Program,
)
from storage.types import InstantReader, raw


def get_or_create_person(
    *, session: Session, platform: str, platform_user_id: str, display_name: str, now: datetime
) -> Person:
    """The person behind a platform user, created on first sight; keeps the name current."""
    person = find_person(session=session, platform=platform, platform_user_id=platform_user_id)
    return _seen_person(session, person, platform, platform_user_id, display_name, now)


def person_and_program(
    *,
    session: Session,
    platform: str,
    platform_user_id: str,
    workspace_id: str,
    display_name: str,
    now: datetime,
    rename: bool = True,
) -> tuple[Person, Program | None]:
    """What every request starts with, in one query: the person (as
    :func:`get_or_create_person` gives them) and the workspace's program (as
    :func:`find_program`; None when there is none yet, or the person is new). With
    ``rename=False`` the name only names a new person (a typed console name is no better than
    the one an import gave).
    """
    params = {"platform": platform, "platform_user_id": platform_user_id, "ws": workspace_id}
    row = session.exec(_PERSON_AND_PROGRAM, params=params).first()
    person, program = row if row is not None else (None, None)
    name = display_name if rename or person is None else ""
    person = _seen_person(session, person, platform, platform_user_id, name, now)
    return person, program


def _seen_person(
    session: Session,
    person: Person | None,
    platform: str,
    platform_user_id: str,
    display_name: str,
    now: datetime,
) -> Person:
    """``person`` (found, or None), created if new; their name kept current."""
    if person is None:
        person = Person(
            platform=platform,
            platform_user_id=platform_user_id,
            display_name=display_name,
            created_at=now,
            updated_at=now,
        )
        session.add(person)
        session.flush()
    elif display_name and person.display_name != display_name:
        person.display_name = display_name
        person.updated_at = now
        session.add(person)
    return person


# The queries every request runs are built once, with the values as bound parameters: each
# call then skips building the statement and its cache key (bench.load_cpu measures it).
_FIND_PERSON = select(Person).where(
    Person.platform == bindparam("platform"),
    Person.platform_user_id == bindparam("platform_user_id"),
)
_FIND_PROGRAM = (
    select(Program)
    .where(Program.platform == bindparam("platform"), Program.workspace_id == bindparam("ws"))
    .order_by(col(Program.id))
    .limit(1)
)
_PERSON_AND_PROGRAM = (
    select(Person, Program)
    .outerjoin(
        Program,
        and_(
            col(Program.platform) == bindparam("platform"),
            col(Program.workspace_id) == bindparam("ws"),
        ),
    )
    .where(
        Person.platform == bindparam("platform"),
        Person.platform_user_id == bindparam("platform_user_id"),
    )
    .order_by(col(Program.id))
    .limit(1)
)
_FIND_MEMBER = select(Member).where(
    Member.program_id == bindparam("program_id"), Member.person_id == bindparam("person_id")
)
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


def find_person(*, session: Session, platform: str, platform_user_id: str) -> Person | None:
    """The person behind a platform user, if they have been seen."""
    params = {"platform": platform, "platform_user_id": platform_user_id}
    return session.exec(_FIND_PERSON, params=params).first()


def programs(*, session: Session, ending: bool = False) -> list[Program]:
    """Every program in creation order (only those with a last day when ``ending``)."""
    query = select(Program).order_by(col(Program.id))
    if ending:
        query = query.where(col(Program.ends_on).is_not(None))
    return list(session.exec(query).all())


def find_program(*, session: Session, platform: str, workspace_id: str) -> Program | None:
    """The workspace's program (the first one created there)."""
    return session.exec(_FIND_PROGRAM, params={"platform": platform, "ws": workspace_id}).first()


def create_program(
    *,
    session: Session,
    platform: str,
    workspace_id: str,
    name: str,
    kind: str,
    cadence: str,
    checkin_weekday: int,
    checkin_hour: int,
    announcement_channel: str | None,
    now: datetime,
    starts_on: date | None = None,
) -> Program:
    """Create a workspace's program from the given settings."""
    program = Program(
        slug="default",
        name=name,
        platform=platform,
        workspace_id=workspace_id,
        kind=kind,
        cadence=cadence,
        checkin_weekday=checkin_weekday,
        checkin_hour=checkin_hour,
        announcement_channel=announcement_channel or None,
        starts_on=starts_on,
        created_at=now,
    )
    session.add(program)
    session.flush()
    return program


def find_member(*, session: Session, program_id: int, person_id: int) -> Member | None:
    """A person's membership of a program, if any."""
    params = {"program_id": program_id, "person_id": person_id}
    return session.exec(_FIND_MEMBER, params=params).first()


def active_pairs_of(*, session: Session, member_id: int) -> list[Pair]:
    """The member's active pairs, oldest first."""
    return list(session.exec(_ACTIVE_PAIRS_OF, params={"member_id": member_id}).all())


def partners_in(*, session: Session, pair_id: int, except_member_id: int) -> list[Person]:
    """The other people of a pair (or trio)."""
    params = {"pair_id": pair_id, "except_member_id": except_member_id}
    return list(session.exec(_PARTNERS_IN, params=params).all())


def person_of_member(*, session: Session, member_id: int) -> Person | None:
    """The person behind a membership."""
    member = session.get(Member, member_id)
    return session.get(Person, member.person_id) if member is not None else None


def members_of(*, session: Session, program_id: int) -> list[tuple[Member, Person]]:
    """Everyone who ever joined the program, with their person, by status and name."""
    rows = session.exec(
        select(Member, Person)
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Member.program_id == program_id)
        .order_by(col(Member.status), col(Person.display_name))
    ).all()
    return [(m, p) for m, p in rows]


def count_members(*, session: Session, program_id: int, status: str = MemberStatus.ACTIVE) -> int:
    """How many members have ``status``."""
    return len(
        session.exec(
            select(Member.id).where(Member.program_id == program_id, Member.status == status)
        ).all()
    )


def find_member_by_reference(
    *, session: Session, program_id: int, reference: str
) -> list[tuple[Member, Person]]:
    """Members matching a mention (``<@U123>``, ``@name``), a platform id or a display name."""
    ref = reference.strip()
    if ref.startswith("<@") and ref.endswith(">"):
        ref = ref[2:-1].split("|", 1)[0].lstrip("!&")
    ref = ref.lstrip("@")
    if not ref:
        return []
    rows = session.exec(
        select(Member, Person)
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Member.program_id == program_id)
    ).all()
    by_id = [(m, p) for m, p in rows if p.platform_user_id == ref]
    if by_id:
        return by_id
    return [(m, p) for m, p in rows if p.display_name.lower() == ref.lower()]


class PairPerson(NamedTuple):
    """One person of an active pair, with what timing their nudges needs."""

    pair_id: int
    pair_started_at: datetime | None
    member_id: int
    status: str
    paused_until: datetime | None
    timezone: str | None
    quiet_start: str | None
    quiet_end: str | None
    availability_json: str | None  # raw JSON: callers decode each distinct value once


def active_pair_ids(*, session: Session, program_id: int) -> list[int]:
    """The ids of the program's active pairs, ascending."""
    rows = session.connection().execute(
        sa_select(col(Pair.id))
        .where(col(Pair.program_id) == program_id, col(Pair.status) == PairStatus.ACTIVE)
        .order_by(col(Pair.id))
    )
    return [pair for (pair,) in rows.fetchall() if pair is not None]


def active_pair_people(
    *, session: Session, program_id: int, first: int, last: int
) -> list[PairPerson]:
    """Everyone in the program's active pairs with ids from ``first`` to ``last`` (Core rows
    without per-value type processing: instants are converted once per distinct value, as
    many people share them).
    """
    rows = session.connection().execute(
        sa_select(
            col(Pair.id),
            raw(col(Pair.started_at)),
            col(Member.id),
            col(Member.status),
            raw(col(Member.paused_until)),
            col(Person.timezone),
            col(Person.quiet_start),
            col(Person.quiet_end),
            cast(col(Person.availability), String),
        )
        .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
        .join(Member, col(Member.id) == col(PairMember.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(
            col(Pair.program_id) == program_id,
            col(Pair.status) == PairStatus.ACTIVE,
            col(Pair.id).between(first, last),
        )
    )
    instant = InstantReader()
    make = PairPerson._make  # tuple.__new__: no Python-level constructor per row
    return [
        make((pair, instant(started), member, status, instant(paused), zone, qs, qe, available))
        for pair, started, member, status, paused, zone, qs, qe, available in rows.fetchall()
    ]


def planned_checkins(
    *, session: Session, program_id: int, days: list[date], first: int, last: int
) -> set[tuple[int, int, str]]:
    """(pair, member, ISO day of the cycle) of the check-ins already planned on ``days`` for
    the program's active pairs with ids from ``first`` to ``last``.
    """
    rows = session.connection().execute(
        sa_select(col(CheckIn.pair_id), col(CheckIn.member_id), raw(col(CheckIn.cycle_on)))
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .where(
            col(Pair.program_id) == program_id,
            col(Pair.status) == PairStatus.ACTIVE,
            col(CheckIn.pair_id).between(first, last),
            col(CheckIn.cycle_on).in_(days),
        )
    )
    return {(p, m, str(c)) for p, m, c in rows if c is not None}


class PersonTiming(NamedTuple):
    """Who a person is on their platform, and what timing a message to them needs."""

    user_id: str
    display_name: str
    timezone: str | None
    quiet_start: str | None
    quiet_end: str | None
    availability: list[dict[str, object]]


def people_of_pair(*, session: Session, pair_id: int) -> list[PersonTiming]:
    """The people of one pair (or trio), with their timing facts."""
    rows = session.exec(
        select(Person)
        .join(Member, col(Member.person_id) == col(Person.id))
        .join(PairMember, col(PairMember.member_id) == col(Member.id))
        .where(PairMember.pair_id == pair_id)
        .order_by(col(PairMember.id))
    ).all()
    return [
        PersonTiming(
            p.platform_user_id,
            p.display_name,
            p.timezone,
            p.quiet_start,
            p.quiet_end,
            list(p.availability),
        )
        for p in rows
    ]
