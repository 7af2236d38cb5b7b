"""What choosing gives a person's export and forget: the requests they made or were asked
(no free text in them; forget deletes them, so nothing says who chose whom).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.registry import PersonalData, Registry, json_fields
from storage import choices as choices_db
from storage import personal

CHOICE = ("status", "created_at", "answer_by", "answered_at")


def register_contributions(registry: Registry) -> None:
    """Contribute a person's mentor requests to their export and forget."""
    registry.personal_data(PersonalData("mentor_choices", _export, _words, _forget))


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    rows = choices_db.of_members(session=session, member_ids=member_ids)
    return [
        {"as": "mentee" if r.mentee_member_id in member_ids else "mentor", **json_fields(r, CHOICE)}
        for r in rows
    ]


def _words(_session: Session, _member_ids: list[int]) -> list[str]:
    return []  # requests hold no words of theirs


def _forget(session: Session, member_ids: list[int]) -> None:
    personal.delete_rows(
        session=session, rows=choices_db.of_members(session=session, member_ids=member_ids)
    )
