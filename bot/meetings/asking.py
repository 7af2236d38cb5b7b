"""Check-ins about a booked meeting: the first nudge due after it asks "did you meet on ...?"."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from storage import meetings as meetings_db
from storage.checkins import ToQueue


def meeting_questions(
    session: Session, rows: Sequence[ToQueue], *, default_zone: str
) -> dict[int, dict[str, str]]:
    """Check-in id -> the renderer's extra arguments (the meeting's start in ISO 8601 and the
    person's zone) for the check-ins that should ask about their pair's booked meeting.
    """
    due = {meetings_db.DueCheckIn(r.pair_id, r.member_id, r.due_at): r.checkin_id for r in rows}
    asked = meetings_db.meetings_to_ask(session=session, due=list(due))
    if not asked:
        return {}
    zones = meetings_db.zones_of(session=session, member_ids=sorted({d.member_id for d in asked}))
    return {
        due[d]: {"meeting": start.isoformat(), "zone": zones.get(d.member_id) or default_zone}
        for d, start in asked.items()
    }
