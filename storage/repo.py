"""People, programs and members: typed queries with keyword-only arguments.

Each capability's own queries live beside this module in a module named for it (``pairs``,
``checkins``, ``goals``, ``feedback``, ``surveys``, ``requests``, ``announcements``,
``conversations``, ``outbox``). The core asks these functions; it does not build queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func
from sqlmodel import Session, col, select

from storage.models import Member, MemberStatus, Person, Program


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
) -> tuple[Person, list[Program]]:
    """What every request starts with, in one query for someone seen before: the person (as
    :func:`get_or_create_person` gives them) and the workspace's live programs, oldest first
    (as :func:`workspace_programs`). With ``rename=False`` the name only names a new person
    (a typed console name is no better than the one an import gave).
    """
    params = {"platform": platform, "platform_user_id": platform_user_id, "ws": workspace_id}
    rows = session.exec(_PERSON_AND_PROGRAMS, params=params).all()
    person = rows[0][0] if rows else None
    if person is None:
        live = workspace_programs(session=session, platform=platform, workspace_id=workspace_id)
    else:
        live = [program for _person, program in rows if program is not None]
    name = display_name if rename or person is None else ""
    person = _seen_person(session, person, platform, platform_user_id, name, now)
    return person, live


def _seen_person(
    session: Session,
    person: Person | None,
    platform: str,
    platform_user_id: str,
    display_name: str,
    now: datetime,
) -> Person:
    """``person`` (found, or None), created if new; the platform's name kept current, unless
    a coordinator's import named them (see :func:`platform_may_rename`).
    """
    if person is None:
        person = Person(
            platform=platform,
            platform_user_id=platform_user_id,
            display_name=display_name,
            name_source=NAME_FROM_PLATFORM,
            created_at=now,
            updated_at=now,
        )
        session.add(person)
        session.flush()
    elif display_name and person.display_name != display_name and platform_may_rename(person):
        person.display_name = display_name
        person.name_source = NAME_FROM_PLATFORM
        person.updated_at = now
        session.add(person)
    return person


NAME_FROM_IMPORT = "import"
NAME_FROM_PLATFORM = "platform"


def platform_may_rename(person: Person) -> bool:
    """The rule for names: the platform's name fills an empty name and follows the platform
    (a handle renamed there is renamed here), but never replaces a name an import gave; a
    roster row without a name leaves the name to the platform.
    """
    return not person.display_name or person.name_source != NAME_FROM_IMPORT


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
_PERSON_AND_PROGRAMS = (
    select(Person, Program)
    .outerjoin(
        Program,
        and_(
            col(Program.platform) == bindparam("platform"),
            col(Program.workspace_id) == bindparam("ws"),
            col(Program.archived_at).is_(None),
        ),
    )
    .where(
        Person.platform == bindparam("platform"),
        Person.platform_user_id == bindparam("platform_user_id"),
    )
    .order_by(col(Program.id))
)
_FIND_MEMBER = select(Member).where(
    Member.program_id == bindparam("program_id"), Member.person_id == bindparam("person_id")
)


def find_person(*, session: Session, platform: str, platform_user_id: str) -> Person | None:
    """The person behind a platform user, if they have been seen."""
    params = {"platform": platform, "platform_user_id": platform_user_id}
    return session.exec(_FIND_PERSON, params=params).first()


def programs(*, session: Session, ending: bool = False, archived: bool = False) -> list[Program]:
    """Every live program in creation order (only those with a last day when ``ending``;
    archived ones too when ``archived``).
    """
    query = select(Program).order_by(col(Program.id))
    if ending:
        query = query.where(col(Program.ends_on).is_not(None))
    if not archived:
        query = query.where(col(Program.archived_at).is_(None))
    return list(session.exec(query).all())


def workspace_programs(
    *, session: Session, platform: str, workspace_id: str, archived: bool = False
) -> list[Program]:
    """The programs of one workspace in creation order (archived ones too when ``archived``)."""
    query = (
        select(Program)
        .where(Program.platform == platform, Program.workspace_id == workspace_id)
        .order_by(col(Program.id))
    )
    if not archived:
        query = query.where(col(Program.archived_at).is_(None))
    return list(session.exec(query).all())


def program_by_slug(
    *, session: Session, platform: str, workspace_id: str, slug: str
) -> Program | None:
    """The workspace's program with the short name ``slug`` (archived too), if any."""
    return session.exec(
        select(Program).where(
            Program.platform == platform,
            Program.workspace_id == workspace_id,
            func.lower(Program.slug) == slug.lower(),
        )
    ).first()


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
    slug: str = "default",
) -> Program:
    """Create a program of a workspace from the given settings (the first is ``default``)."""
    program = Program(
        slug=slug,
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


class PersonTiming(NamedTuple):
    """Who a person is on their platform, and what timing a message to them needs."""

    user_id: str
    display_name: str
    timezone: str | None
    quiet_start: str | None
    quiet_end: str | None
    availability: list[dict[str, object]]
    locale: str | None = None  # the language they chose, and their platform's
    platform_locale: str | None = None
    country: str | None = None  # their holiday region, when they set one

    @classmethod
    def of(cls, person: Person) -> PersonTiming:
        """The timing (and language) facts of a stored person."""
        return cls(
            person.platform_user_id,
            person.display_name,
            person.timezone,
            person.quiet_start,
            person.quiet_end,
            list(person.availability),
            person.locale,
            person.platform_locale,
            person.country,
        )


def memberships(*, session: Session, person_id: int) -> list[tuple[Member, Program]]:
    """The person's memberships with their programs."""
    rows = session.exec(
        select(Member, Program)
        .join(Program, col(Program.id) == col(Member.program_id))
        .where(Member.person_id == person_id)
        .order_by(col(Member.id))
    ).all()
    return [(m, p) for m, p in rows]
