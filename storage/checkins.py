"""Check-in rows: what the planner, the digest, the stall detector and answers need to read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, and_, bindparam, cast, func, or_, update
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.bulk import CHUNK
from storage.models import (
    CheckIn,
    CheckInOutcome,
    Member,
    Pair,
    PairMember,
    PairStatus,
    Person,
    Program,
)
from storage.types import InstantReader, raw


def in_window(
    since: datetime, until: datetime, due: Any = None, recorded: Any = None
) -> ColumnElement[bool]:
    """Check-ins that belong to [since, until), whatever the path they came by.

    A nudge belongs to the time it was due (``due``: the column or expression that says
    when); a meeting logged without a nudge (typed, or answered ahead of a nudge not due yet)
    to the time it was recorded.
    """
    due = col(CheckIn.due_at) if due is None else due
    recorded = col(CheckIn.recorded_at) if recorded is None else recorded
    return or_(
        and_(due >= since, due < until),
        and_(or_(due.is_(None), due >= until), recorded >= since, recorded <= until),
    )


class CycleOutcome(NamedTuple):
    """One person's check-in answer: their pair, its cycle, the outcome."""

    pair_id: int
    cycle_on: date | None
    outcome: str


def outcomes_between(
    *, session: Session, program_id: int, since: datetime, until: datetime
) -> list[CycleOutcome]:
    """(pair, cycle, outcome) of every check-in of the program that belongs to [since, until).

    Counted per cycle: every check-in of a pair's cycle belongs where the cycle's first nudge
    was due, so a cycle asked east of UTC on one day and west of it the next is counted whole
    (the answers of everyone asked), never as complete while one of them is missing.
    """
    starts = (
        sa_select(
            col(CheckIn.pair_id).label("pair_id"),
            col(CheckIn.cycle_on).label("cycle_on"),
            func.min(col(CheckIn.due_at)).label("start"),
        )
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .where(col(Pair.program_id) == program_id, col(CheckIn.cycle_on).is_not(None))
        .group_by(col(CheckIn.pair_id), col(CheckIn.cycle_on))
        .subquery()
    )
    rows = session.exec(
        select(CheckIn.pair_id, col(CheckIn.cycle_on), CheckIn.outcome)
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .outerjoin(
            starts,
            and_(
                starts.c.pair_id == col(CheckIn.pair_id),
                starts.c.cycle_on == col(CheckIn.cycle_on),
            ),
        )
        .where(Pair.program_id == program_id, in_window(since, until, due=starts.c.start))
    ).all()
    return [CycleOutcome(p, day, str(o)) for p, day, o in rows]


def of_cycle(*, session: Session, pair_id: int, member_id: int, day: date) -> CheckIn | None:
    """The person's check-in for one cycle of a pair, if there is one."""
    return session.exec(
        select(CheckIn).where(
            CheckIn.pair_id == pair_id, CheckIn.member_id == member_id, CheckIn.cycle_on == day
        )
    ).first()


def due_by(*, session: Session, pair_id: int, member_id: int, until: datetime) -> list[CheckIn]:
    """The person's planned check-ins of a pair due by ``until``."""
    return list(
        session.exec(
            select(CheckIn).where(
                CheckIn.pair_id == pair_id,
                CheckIn.member_id == member_id,
                col(CheckIn.due_at).is_not(None),
                col(CheckIn.due_at) <= until,
            )
        ).all()
    )


def pairs_with_cycle(
    *, session: Session, member_id: int, day: date, pair_ids: list[int]
) -> set[int]:
    """Which of ``pair_ids`` have a check-in of the person for that cycle."""
    return set(
        session.exec(
            select(CheckIn.pair_id).where(
                CheckIn.member_id == member_id,
                CheckIn.cycle_on == day,
                col(CheckIn.pair_id).in_(pair_ids),
            )
        ).all()
    )


def count_met(*, session: Session, pair_id: int, member_id: int) -> int:
    """How many times the person said they met in this pair."""
    return int(
        session.exec(
            select(func.count())
            .select_from(CheckIn)
            .where(
                CheckIn.pair_id == pair_id,
                CheckIn.member_id == member_id,
                CheckIn.outcome == CheckInOutcome.MET,
            )
        ).one()
    )


def _future_pending(of_pairs: bool, of_member: bool) -> Any:
    query = select(CheckIn).where(
        CheckIn.outcome == CheckInOutcome.PENDING, col(CheckIn.due_at) > bindparam("now")
    )
    if of_pairs:
        query = query.where(col(CheckIn.pair_id).in_(bindparam("pair_ids", expanding=True)))
    if of_member:
        query = query.where(CheckIn.member_id == bindparam("member_id"))
    return query


# Built once (``status`` asks on every call): (of some pairs?, of one member?) -> query.
_FUTURE_PENDING = {
    (pairs, member): _future_pending(pairs, member)
    for pairs in (False, True)
    for member in (False, True)
}


def future_pending(
    *, session: Session, now: datetime, pair_ids: list[int] | None, member_id: int | None
) -> list[CheckIn]:
    """Planned check-ins not due yet (of some pairs, of one member, or all)."""
    query = _FUTURE_PENDING[pair_ids is not None, member_id is not None]
    params = {"now": now, "pair_ids": pair_ids, "member_id": member_id}
    return list(session.exec(query, params=params).all())


def future_pending_keys(
    *,
    session: Session,
    now: datetime,
    pair_ids: list[int] | None,
    member_id: int | None,
    unqueued: bool = False,
) -> list[tuple[int, int, int, date | str | None]]:
    """(id, pair, member, cycle day) of the planned check-ins not due yet (of some pairs, of
    one member, or all), read in chunks of pairs so any number of pairs works; with
    ``unqueued`` also those due already but never queued (of a pair that ended: nobody will
    ever be asked them).
    """
    later = col(CheckIn.due_at) > now
    when = or_(later, col(CheckIn.queued_at).is_(None)) if unqueued else later
    query = sa_select(
        col(CheckIn.id), col(CheckIn.pair_id), col(CheckIn.member_id), raw(col(CheckIn.cycle_on))
    ).where(col(CheckIn.outcome) == CheckInOutcome.PENDING, when)
    if member_id is not None:
        query = query.where(col(CheckIn.member_id) == member_id)
    connection = session.connection()
    if pair_ids is None:
        return [tuple(row) for row in connection.execute(query).fetchall()]  # type: ignore[misc]
    found: list[tuple[int, int, int, date | str | None]] = []
    for start in range(0, len(pair_ids), CHUNK):
        chunk = pair_ids[start : start + CHUNK]
        rows = connection.execute(query.where(col(CheckIn.pair_id).in_(chunk))).fetchall()
        found += [tuple(row) for row in rows]  # type: ignore[misc]
    return found


def delete(*, session: Session, ids: list[int]) -> None:
    """Remove these check-ins."""
    for start in range(0, len(ids), CHUNK):
        session.execute(sa_delete(CheckIn).where(col(CheckIn.id).in_(ids[start : start + CHUNK])))


class CycleAnswer(NamedTuple):
    """One person's answer (or pending nudge) for one cycle of an active pair."""

    pair_id: int
    member_id: int
    cycle_on: date
    due_at: datetime | None
    outcome: str


def active_cycle_answers(*, session: Session) -> list[CycleAnswer]:
    """Every check-in of every active pair that belongs to a cycle, newest cycle first."""
    rows = session.execute(
        sa_select(
            col(CheckIn.pair_id),
            col(CheckIn.member_id),
            col(CheckIn.cycle_on),
            col(CheckIn.due_at),
            col(CheckIn.outcome),
        )
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .where(col(Pair.status) == PairStatus.ACTIVE, col(CheckIn.cycle_on).is_not(None))
        .order_by(col(CheckIn.cycle_on).desc())
    ).all()
    return [CycleAnswer(*row) for row in rows]  # type: ignore[arg-type]


_ANSWERED_CYCLES = sa_select(col(CheckIn.cycle_on)).where(  # asked by every ``status``
    col(CheckIn.pair_id) == bindparam("pair_id"),
    col(CheckIn.member_id) == bindparam("member_id"),
    col(CheckIn.outcome) != CheckInOutcome.PENDING,
    col(CheckIn.cycle_on).is_not(None),
)


def answered_cycles(*, session: Session, pair_id: int, member_id: int) -> set[str]:
    """The cycles (ISO days) of a pair the person already answered."""
    params = {"pair_id": pair_id, "member_id": member_id}
    rows = session.execute(_ANSWERED_CYCLES, params).all()
    return {day.isoformat() for (day,) in rows if day is not None}


class ToQueue(NamedTuple):
    """A planned check-in whose nudge should go into the outbox now, with its addressee."""

    checkin_id: int
    pair_id: int
    member_id: int
    cycle_on: date
    due_at: datetime
    program_id: int
    platform: str
    workspace_id: str
    user_id: str
    display_name: str
    member_status: str
    paused_until: datetime | None
    locale: str | None = None  # the language they chose, and their platform's
    platform_locale: str | None = None


def to_queue(*, session: Session, since: datetime, until: datetime, limit: int) -> list[ToQueue]:
    """Up to ``limit`` pending check-ins of active pairs due in [since, until] whose nudge is
    not in the outbox yet, earliest first. On PostgreSQL the rows are locked and rows another
    process is queuing are skipped, so processes share the work instead of waiting.
    """
    query = (
        sa_select(
            col(CheckIn.id),
            col(CheckIn.pair_id),
            col(CheckIn.member_id),
            col(CheckIn.cycle_on),
            col(CheckIn.due_at),
            col(Program.id),
            col(Program.platform),
            col(Program.workspace_id),
            col(Person.platform_user_id),
            col(Person.display_name),
            col(Member.status),
            col(Member.paused_until),
            col(Person.locale),
            col(Person.platform_locale),
        )
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .join(Program, col(Program.id) == col(Pair.program_id))
        .join(Member, col(Member.id) == col(CheckIn.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(
            col(CheckIn.queued_at).is_(None),
            col(CheckIn.due_at) >= since,
            col(CheckIn.due_at) <= until,
            col(CheckIn.outcome) == CheckInOutcome.PENDING,
            col(Pair.status) == PairStatus.ACTIVE,
        )
        .order_by(col(CheckIn.due_at), col(CheckIn.id))
        .limit(limit)
    )
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=CheckIn.__table__, skip_locked=True)  # type: ignore[attr-defined]
    make = ToQueue._make
    return [make(row) for row in connection.execute(query).fetchall()]


def mark_queued(*, session: Session, ids: list[int], now: datetime) -> None:
    """These check-ins' nudges are in the outbox (or were deliberately not queued)."""
    for start in range(0, len(ids), CHUNK):
        session.execute(
            update(CheckIn)
            .where(col(CheckIn.id).in_(ids[start : start + CHUNK]))
            .values(queued_at=now)
        )


def next_to_queue(*, session: Session, after: datetime) -> datetime | None:
    """When the next pending check-in whose nudge is not queued yet falls due after ``after``."""
    return session.execute(
        sa_select(func.min(col(CheckIn.due_at))).where(
            col(CheckIn.queued_at).is_(None),
            col(CheckIn.due_at) > after,
            col(CheckIn.outcome) == CheckInOutcome.PENDING,
        )
    ).scalar_one_or_none()


def pair_names(*, session: Session, pair_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(member, name) of everyone in these pairs, by pair, in the pair's order."""
    names: dict[int, list[tuple[int, str]]] = {}
    unique = sorted(set(pair_ids))
    for start in range(0, len(unique), CHUNK):
        rows = (
            session.connection()
            .execute(
                sa_select(
                    col(PairMember.pair_id),
                    col(PairMember.member_id),
                    col(Person.display_name),
                    col(Person.platform_user_id),
                )
                .join(Member, col(Member.id) == col(PairMember.member_id))
                .join(Person, col(Person.id) == col(Member.person_id))
                .where(col(PairMember.pair_id).in_(unique[start : start + CHUNK]))
                .order_by(col(PairMember.id))
            )
            .fetchall()
        )
        for pair, member, name, user in rows:
            names.setdefault(pair, []).append((member, name or user))
    return names


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
    role: str = ""  # their role in the pair (a mentor's break pauses the pair)
    country: str | None = None  # whose public holidays they keep (None: their zone's)


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
            col(PairMember.role),
            col(Person.country),
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
        make((pair, instant(started), member, status, instant(paused), zone, qs, qe, av, role, cc))
        for pair, started, member, status, paused, zone, qs, qe, av, role, cc in rows.fetchall()
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


def of_members(*, session: Session, member_ids: list[int]) -> list[CheckIn]:
    """The person's check-ins (their answers, not their partners')."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(CheckIn).where(col(CheckIn.member_id).in_(member_ids)).order_by(col(CheckIn.id))
        ).all()
    )


def nudged_between(*, session: Session, member_id: int, since: datetime, until: datetime) -> bool:
    """Whether the person has a check-in nudge due in [since, until), in any of their pairs
    (planned and waiting, or already sent).
    """
    found = session.exec(
        select(CheckIn.id)
        .where(
            CheckIn.member_id == member_id,
            col(CheckIn.due_at) >= since,
            col(CheckIn.due_at) < until,
            or_(
                col(CheckIn.outcome) == CheckInOutcome.PENDING,
                col(CheckIn.queued_at).is_not(None),
            ),
        )
        .limit(1)
    ).first()
    return found is not None


def first_cycles(*, session: Session, pair_ids: list[int]) -> dict[int, date]:
    """Each pair's first cycle: the earliest with a nudge planned for anyone in it."""
    out: dict[int, date] = {}
    unique = sorted(set(pair_ids))
    for start in range(0, len(unique), CHUNK):
        rows = session.execute(
            sa_select(col(CheckIn.pair_id), func.min(col(CheckIn.cycle_on)))
            .where(
                col(CheckIn.pair_id).in_(unique[start : start + CHUNK]),
                col(CheckIn.due_at).is_not(None),
            )
            .group_by(col(CheckIn.pair_id))
        ).all()
        out.update({pair: day for pair, day in rows if day is not None})
    return out


def open_nudges(*, session: Session, member_id: int, now: datetime) -> list[CheckIn]:
    """The person's check-ins whose nudge went out by ``now`` and is not answered yet, of
    active pairs, latest first.
    """
    return list(
        session.exec(
            select(CheckIn)
            .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
            .where(
                CheckIn.member_id == member_id,
                col(CheckIn.outcome) == CheckInOutcome.PENDING,
                col(CheckIn.queued_at).is_not(None),
                col(CheckIn.due_at) <= now,
                col(Pair.status) == PairStatus.ACTIVE,
            )
            .order_by(col(CheckIn.due_at).desc(), col(CheckIn.id).desc())
        ).all()
    )
