"""Booked meetings: one per pair (booking again moves it), and which check-in asks about it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.bulk import CHUNK
from storage.models import CheckIn, Meeting, Member, PairMember, Person

ASK_WITHIN = timedelta(days=31)  # a check-in asks about a meeting at most this long after it


class Booked(NamedTuple):
    """A pair's meeting as booked now, and the start it had before (None: a first booking)."""

    meeting: Meeting
    previous_start: datetime | None


class DueCheckIn(NamedTuple):
    """A check-in about to be nudged: which pair and person, and when."""

    pair_id: int
    member_id: int
    due_at: datetime


def book(
    *,
    session: Session,
    pair_id: int,
    starts_at: datetime,
    minutes: int,
    member_id: int | None,
    now: datetime,
) -> Booked:
    """Book (or move) the pair's meeting; each booking raises its ``sequence`` by one."""
    meeting = meeting_of(session=session, pair_id=pair_id)
    previous = None
    if meeting is None:
        meeting = Meeting(pair_id=pair_id, starts_at=starts_at, booked_at=now)
    else:
        previous = meeting.starts_at
    meeting.starts_at, meeting.minutes = starts_at, minutes
    meeting.booked_by_member_id, meeting.booked_at = member_id, now
    meeting.sequence += 1
    session.add(meeting)
    session.flush()
    return Booked(meeting, previous)


def meeting_of(*, session: Session, pair_id: int) -> Meeting | None:
    """The pair's booked meeting, if any."""
    return session.exec(select(Meeting).where(Meeting.pair_id == pair_id)).first()


def meetings_to_ask(*, session: Session, due: list[DueCheckIn]) -> dict[DueCheckIn, datetime]:
    """For each check-in in ``due``: the start of its pair's booked meeting when this is the
    first check-in of that person due after the meeting began (and within ``ASK_WITHIN``).
    """
    if not due:
        return {}
    pair_ids = sorted({d.pair_id for d in due})
    latest = max(d.due_at for d in due)
    starts: dict[int, datetime] = {}
    for start in range(0, len(pair_ids), CHUNK):
        chunk = pair_ids[start : start + CHUNK]
        rows = session.execute(
            sa_select(col(Meeting.pair_id), col(Meeting.starts_at)).where(
                col(Meeting.pair_id).in_(chunk), col(Meeting.starts_at) <= latest
            )
        ).all()
        starts.update({pair_id: at for pair_id, at in rows})
    if not starts:
        return {}
    earlier = _checkins_since(session, starts, latest)
    out: dict[DueCheckIn, datetime] = {}
    for d in due:
        at = starts.get(d.pair_id)
        if at is None or not at <= d.due_at <= at + ASK_WITHIN:
            continue
        before = earlier.get((d.pair_id, d.member_id), [])
        if not any(at <= other < d.due_at for other in before):
            out[d] = at
    return out


def _checkins_since(
    session: Session, starts: dict[int, datetime], latest: datetime
) -> dict[tuple[int, int], list[datetime]]:
    """Check-in due times of these pairs since their meeting began, per (pair, member)."""
    out: dict[tuple[int, int], list[datetime]] = {}
    ids = sorted(starts)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = session.execute(
            sa_select(col(CheckIn.pair_id), col(CheckIn.member_id), col(CheckIn.due_at)).where(
                col(CheckIn.pair_id).in_(chunk),
                col(CheckIn.due_at) >= min(starts[p] for p in chunk),
                col(CheckIn.due_at) < latest,
            )
        ).all()
        for pair_id, member_id, due_at in rows:
            if due_at >= starts[pair_id]:
                out.setdefault((pair_id, member_id), []).append(due_at)
    return out


def zones_of(*, session: Session, member_ids: list[int]) -> dict[int, str | None]:
    """Each member's person's time zone key (None when they never set one)."""
    out: dict[int, str | None] = {}
    for start in range(0, len(member_ids), CHUNK):
        chunk = member_ids[start : start + CHUNK]
        rows = session.execute(
            sa_select(col(Member.id), col(Person.timezone))
            .join(Person, col(Person.id) == col(Member.person_id))
            .where(col(Member.id).in_(chunk))
        ).all()
        out.update({member_id: zone for member_id, zone in rows})
    return out


def of_members(*, session: Session, member_ids: list[int]) -> list[Meeting]:
    """The booked meetings of every pair these members are (or were) in, oldest pair first."""
    if not member_ids:
        return []
    pair_ids = select(PairMember.pair_id).where(col(PairMember.member_id).in_(member_ids))
    query = select(Meeting).where(col(Meeting.pair_id).in_(pair_ids)).order_by(col(Meeting.pair_id))
    return list(session.exec(query).all())
