"""Announcements: the admin's drafts and queued announcements, who receives them, and how
their messages fared in the outbox.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import (
    Announcement,
    AnnouncementStatus,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairMember,
    PairStatus,
    Person,
)
from storage.repo import PersonTiming

AUDIENCES = ("everyone", "mentors", "mentees", "peers", "unmatched", "pairs")


def recipients(
    *,
    session: Session,
    program_id: int,
    audience: str,
    include_paused: bool,
    pair_ids: list[int],
) -> list[PersonTiming]:
    """The program's members an audience names, in joining order (people who left never)."""
    statuses = [MemberStatus.ACTIVE] + ([MemberStatus.PAUSED] if include_paused else [])
    query = (
        select(Member.id, Person)
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Member.program_id == program_id, col(Member.status).in_(statuses))
    )
    roles = {"mentors": "mentor", "mentees": "mentee", "peers": "peer"}
    if audience in roles:
        query = query.where(Member.role == roles[audience])
    in_pairs = (
        select(PairMember.member_id)
        .join(Pair, col(Pair.id) == col(PairMember.pair_id))
        .where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
    )
    if audience == "unmatched":
        query = query.where(col(Member.id).not_in(in_pairs))
    elif audience == "pairs":
        query = query.where(
            col(Member.id).in_(in_pairs.where(col(PairMember.pair_id).in_(pair_ids or [-1])))
        )
    rows = session.exec(query.order_by(col(Member.id))).all()
    return [PersonTiming.of(p) for member_id, p in rows if member_id is not None]


def get(*, session: Session, program_id: int, announcement_id: int) -> Announcement | None:
    """One announcement of the program."""
    found = session.get(Announcement, announcement_id)
    return found if found is not None and found.program_id == program_id else None


def drafts_of(*, session: Session, program_id: int, person_id: int) -> list[Announcement]:
    """An admin's unsent drafts."""
    return list(
        session.exec(
            select(Announcement).where(
                Announcement.program_id == program_id,
                Announcement.author_person_id == person_id,
                Announcement.status == AnnouncementStatus.DRAFT,
            )
        ).all()
    )


def recent(*, session: Session, program_id: int, limit: int = 10) -> list[Announcement]:
    """The program's announcements that were queued or cancelled, newest first."""
    return list(
        session.exec(
            select(Announcement)
            .where(
                Announcement.program_id == program_id,
                col(Announcement.status).in_(
                    (AnnouncementStatus.QUEUED, AnnouncementStatus.CANCELLED)
                ),
            )
            .order_by(col(Announcement.id).desc())
            .limit(limit)
        ).all()
    )


def key_prefix(announcement_id: int) -> str:
    """The dedupe-key prefix of an announcement's outbox rows."""
    return f"announce:{announcement_id}:"


def delivery(*, session: Session, announcement_id: int) -> dict[str, int]:
    """Outbox status -> how many of the announcement's messages are in it."""
    rows = session.exec(
        select(OutboxMessage.status, func.count())
        .where(col(OutboxMessage.dedupe_key).startswith(key_prefix(announcement_id)))
        .group_by(col(OutboxMessage.status))
    ).all()
    return {str(status): int(n) for status, n in rows}


def pending_rows(*, session: Session, announcement_id: int) -> list[OutboxMessage]:
    """The announcement's messages not handed to the platform yet."""
    return list(
        session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.dedupe_key).startswith(key_prefix(announcement_id)),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        ).all()
    )
