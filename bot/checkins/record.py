"""Recording check-ins: answers to nudges (buttons) and meetings logged with ``/mentor checkin``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.checkins.planner import HORIZON, cancel_nudges, nudge_key
from storage import checkins as checkins_db
from storage.models import CheckIn, CheckInOutcome, Pair


def record(
    session: Session,
    *,
    pair: Pair,
    member_id: int,
    outcome: str,
    cycle: date | None,
    note: str,
    now: datetime,
    local_today: date,
) -> CheckIn:
    """Store an answer for a cycle (or the current one) and withdraw its unsent nudge."""
    assert pair.id is not None
    row = _of_cycle(session, pair.id, member_id, cycle) if cycle is not None else None
    if cycle is None:
        row = _closest(session, pair.id, member_id, now)
        cycle = row.cycle_on if row is not None else local_today
        if row is None:
            row = _of_cycle(session, pair.id, member_id, local_today)
    if row is None:
        row = CheckIn(pair_id=pair.id, member_id=member_id, cycle_on=cycle)
    row.outcome = outcome
    row.note = note
    row.recorded_at = now
    session.add(row)
    if row.cycle_on is not None:
        cancel_nudges(session, keys=[nudge_key(pair.id, member_id, row.cycle_on.isoformat())])
    if outcome == CheckInOutcome.MET and pair.stall_reason == "no_meeting":
        pair.stalled_since = None
        pair.stall_reason = None
        session.add(pair)
    return row


def _of_cycle(session: Session, pair_id: int, member_id: int, day: date) -> CheckIn | None:
    """The person's check-in for one cycle of a pair, if there is one."""
    return checkins_db.of_cycle(session=session, pair_id=pair_id, member_id=member_id, day=day)


def _closest(session: Session, pair_id: int, member_id: int, now: datetime) -> CheckIn | None:
    """The check-in an answer without a date is about: the upcoming nudge if one is planned,
    else the last one; None when the last one was answered days ago (a new meeting).
    """
    candidates = checkins_db.due_by(
        session=session, pair_id=pair_id, member_id=member_id, until=now + HORIZON
    )
    pending = [c for c in candidates if c.outcome == CheckInOutcome.PENDING]
    pool = pending or list(candidates)
    row = min(pool, key=lambda c: abs(c.due_at - now), default=None)  # type: ignore[operator]
    answered_long_ago = (
        row is not None
        and row.outcome != CheckInOutcome.PENDING
        and now - row.due_at > timedelta(days=2)  # type: ignore[operator]
    )
    return None if answered_long_ago else row
