"""A person's own data as one JSON document: profile, memberships, pairs, check-ins, goals,
the feedback and survey answers they gave, and requests they made. Their partners appear by
name only (it is the person's own history); nobody else's answers are included.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from storage import personal
from storage.models import Person


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(row: Any, *fields: str) -> dict[str, Any]:
    return {f: _plain(getattr(row, f)) for f in fields}


PERSON = (
    "platform", "platform_user_id", "display_name", "timezone", "languages", "availability",
    "quiet_start", "quiet_end", "team", "created_at",
)  # fmt: skip
MEMBER = (
    "role", "status", "skills_offered", "skills_wanted", "goals", "capacity", "seniority",
    "paused_until", "joined_at", "left_at",
)  # fmt: skip
PAIR = ("status", "started_at", "ended_at", "end_reason", "reasons")
CHECKIN = ("pair_id", "cycle_on", "due_at", "outcome", "note", "recorded_at")
GOAL = (
    "title", "measure", "due_on", "why", "first_milestone", "status", "private", "details",
    "created_at", "completed_at",
)  # fmt: skip
UPDATE = ("progress", "blockers", "note", "created_at")
FEEDBACK = ("pair_id", "kind", "rating", "helped", "change", "details", "created_at")
SURVEY = ("survey", "answers", "created_at")
REQUEST = ("topic", "details", "urgency", "status", "created_at", "closed_at", "helped")


def _goals(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    goals = personal.goals_of(session=session, member_ids=member_ids)
    updates = personal.updates_of(session=session, goal_ids=[g.id for g in goals if g.id])
    return [
        _row(g, *GOAL) | {"updates": [_row(u, *UPDATE) for u in updates if u.goal_id == g.id]}
        for g in goals
    ]


def personal_data(session: Session, person: Person, *, now: datetime) -> dict[str, Any]:
    """Everything stored about ``person``, as JSON-ready values."""
    assert person.id is not None
    members = personal.memberships(session=session, person_id=person.id)
    ids = [m.id for m, _ in members if m.id is not None]
    pairs = [
        p for p in personal.pairs_of(session=session, member_ids=ids) if p.status != "proposed"
    ]
    others = personal.partners(
        session=session, pair_ids=[p.id for p in pairs if p.id is not None], member_ids=ids
    )
    return {
        "exported_at": now.isoformat(),
        "person": _row(person, *PERSON),
        "memberships": [{"program": prog.name} | _row(m, *MEMBER) for m, prog in members],
        "pairs": [
            {"pair": p.id, "partners": [o.display_name for o in others.get(p.id or 0, [])]}
            | _row(p, *PAIR)
            for p in pairs
        ],
        "checkins": [
            _row(c, *CHECKIN) for c in personal.checkins_of(session=session, member_ids=ids)
        ],
        "goals": _goals(session, ids),
        "feedback": [
            _row(f, *FEEDBACK) for f in personal.feedback_of(session=session, member_ids=ids)
        ],
        "surveys": [_row(s, *SURVEY) for s in personal.surveys_of(session=session, member_ids=ids)],
        "requests": [
            _row(r, *REQUEST) for r in personal.requests_of(session=session, member_ids=ids)
        ],
    }


def export_file(session: Session, person: Person, *, now: datetime) -> bytes:
    """The person's data as pretty-printed UTF-8 JSON."""
    data = personal_data(session, person, now=now)
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
