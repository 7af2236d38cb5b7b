"""A person's own data as one JSON document: profile, memberships, pairs, check-ins, goals,
the feedback and survey answers they gave, and requests they made. Their partners appear by
name only (it is the person's own history); nobody else's answers are included.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.registry import Registry, json_fields
from storage import pairs as pairs_db
from storage import repo
from storage.models import Person

PERSON = (
    "platform", "platform_user_id", "display_name", "timezone", "languages", "availability",
    "quiet_start", "quiet_end", "team", "created_at",
)  # fmt: skip
MEMBER = (
    "role", "status", "skills_offered", "skills_wanted", "goals", "capacity", "seniority",
    "paused_until", "joined_at", "left_at",
)  # fmt: skip
PAIR = ("status", "started_at", "ended_at", "end_reason", "reasons")


def personal_data(
    session: Session, person: Person, *, now: datetime, registry: Registry
) -> dict[str, Any]:
    """Everything stored about ``person``, as JSON-ready values: the core's rows, then each
    capability's section as ``registry`` lists them.
    """
    assert person.id is not None
    members = repo.memberships(session=session, person_id=person.id)
    ids = [m.id for m, _ in members if m.id is not None]
    pairs = [
        p
        for p in pairs_db.pairs_of_members(session=session, member_ids=ids)
        if p.status != "proposed"
    ]
    others = pairs_db.partners_by_pair(
        session=session, pair_ids=[p.id for p in pairs if p.id is not None], member_ids=ids
    )
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "person": json_fields(person, PERSON),
        "memberships": [{"program": prog.name} | json_fields(m, MEMBER) for m, prog in members],
        "pairs": [
            {"pair": p.id, "partners": [o.display_name for o in others.get(p.id or 0, [])]}
            | json_fields(p, PAIR)
            for p in pairs
        ],
    }
    for contributor in registry.personal:
        data[contributor.section] = contributor.export(session, ids)
    return data


def export_file(session: Session, person: Person, *, now: datetime, registry: Registry) -> bytes:
    """The person's data as pretty-printed UTF-8 JSON."""
    data = personal_data(session, person, now=now, registry=registry)
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
