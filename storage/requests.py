"""Requests for help between meetings: creating, the one-winner claim, listing, escalation
and the digest's counts.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from storage.models import Member, MemberStatus, MentorRequest, Person, RequestStatus


def claim(*, session: Session, request_id: int, member_id: int, now: datetime) -> bool:
    """Take an open request for ``member_id``: one conditional UPDATE, so of any number of
    claimers at the same moment exactly one wins (True) and the rest are told it's taken.
    """
    result = session.execute(
        update(MentorRequest)
        .where(col(MentorRequest.id) == request_id, col(MentorRequest.status) == RequestStatus.OPEN)
        .values(status=RequestStatus.CLAIMED, claimed_by_member_id=member_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1  # type: ignore[attr-defined]
    if won:
        row = session.get(MentorRequest, request_id)
        if row is not None:
            session.refresh(row)
    return won


def get(*, session: Session, program_id: int, request_id: int) -> MentorRequest | None:
    """One request of the program."""
    row = session.get(MentorRequest, request_id)
    return row if row is not None and row.program_id == program_id else None


def open_requests(*, session: Session, program_id: int, limit: int = 20) -> list[MentorRequest]:
    """Unclaimed requests, urgent first, then oldest first."""
    rows = session.exec(
        select(MentorRequest)
        .where(MentorRequest.program_id == program_id, MentorRequest.status == RequestStatus.OPEN)
        .order_by(col(MentorRequest.created_at))
    ).all()
    return sorted(rows, key=lambda r: (r.urgency != "high", r.created_at))[:limit]


def requests_of(*, session: Session, member_id: int, limit: int = 10) -> list[MentorRequest]:
    """A member's own requests, newest first."""
    return list(
        session.exec(
            select(MentorRequest)
            .where(MentorRequest.requester_member_id == member_id)
            .order_by(col(MentorRequest.id).desc())
            .limit(limit)
        ).all()
    )


def helpers(
    *, session: Session, program_id: int, roles: tuple[str, ...], except_member_id: int
) -> list[tuple[Member, Person]]:
    """Active members of these roles (who may pick requests up), but not the requester."""
    rows = session.exec(
        select(Member, Person)
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(
            Member.program_id == program_id,
            Member.status == MemberStatus.ACTIVE,
            col(Member.role).in_(roles),
            Member.id != except_member_id,
        )
        .order_by(col(Member.id))
    ).all()
    return [(m, p) for m, p in rows]


def to_escalate(
    *, session: Session, normal_before: datetime, urgent_before: datetime
) -> list[MentorRequest]:
    """Open requests nobody claimed in time and not escalated yet."""
    return list(
        session.exec(
            select(MentorRequest).where(
                MentorRequest.status == RequestStatus.OPEN,
                col(MentorRequest.escalated_at).is_(None),
                or_(
                    col(MentorRequest.created_at) <= normal_before,
                    (col(MentorRequest.urgency) == "high")
                    & (col(MentorRequest.created_at) <= urgent_before),
                ),
            )
        ).all()
    )


class RequestNumbers(NamedTuple):
    """A period's requests for the digest."""

    opened: int
    claimed: int
    median_to_claim: timedelta | None
    unclaimed_now: int
    closed: int
    helped_mean: float | None


def numbers(
    *, session: Session, program_id: int, since: datetime, until: datetime
) -> RequestNumbers:
    """Requests opened in [since, until): how many were claimed and how fast; open now."""
    rows = session.exec(
        select(MentorRequest).where(
            MentorRequest.program_id == program_id,
            col(MentorRequest.created_at) >= since,
            col(MentorRequest.created_at) < until,
        )
    ).all()
    waits = [(r.claimed_at - r.created_at).total_seconds() for r in rows if r.claimed_at]
    helped = [r.helped for r in rows if r.helped is not None]
    unclaimed = len(open_requests(session=session, program_id=program_id, limit=10**6))
    return RequestNumbers(
        opened=len(rows),
        claimed=len(waits),
        median_to_claim=timedelta(seconds=statistics.median(waits)) if waits else None,
        unclaimed_now=unclaimed,
        closed=sum(1 for r in rows if r.status == RequestStatus.CLOSED),
        helped_mean=sum(helped) / len(helped) if helped else None,
    )


def of_members(*, session: Session, member_ids: list[int]) -> list[MentorRequest]:
    """Requests for help the person made."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(MentorRequest)
            .where(col(MentorRequest.requester_member_id).in_(member_ids))
            .order_by(col(MentorRequest.id))
        ).all()
    )


def claimed_by(*, session: Session, member_id: int) -> list[MentorRequest]:
    """Requests ``member_id`` picked up that are not closed yet, oldest first."""
    return list(
        session.exec(
            select(MentorRequest)
            .where(
                MentorRequest.claimed_by_member_id == member_id,
                MentorRequest.status == RequestStatus.CLAIMED,
            )
            .order_by(col(MentorRequest.id))
        ).all()
    )
