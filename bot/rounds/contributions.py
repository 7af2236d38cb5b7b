"""Rounds' part of a person's export: the rounds they sat out. Nothing they wrote is kept,
so forget has nothing to blank.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.registry import PersonalData, Registry
from storage import rounds as rounds_db


def register_contributions(registry: Registry) -> None:
    """Contribute the rounds someone sat out to their export."""
    registry.personal_data(PersonalData("rounds_sat_out", _export, _nothing, _keep))


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    """Each round they sat out: its id, program, when it was due and when they said so."""
    return [
        {
            "round_id": rnd.id,
            "program_id": rnd.program_id,
            "due_at": rnd.due_at.isoformat(),
            "asked_at": skip.created_at.isoformat(),
        }
        for skip, rnd in rounds_db.skips_of(session=session, member_ids=member_ids)
    ]


def _nothing(session: Session, member_ids: list[int]) -> list[str]:
    """No words of theirs are kept here."""
    return []


def _keep(session: Session, member_ids: list[int]) -> None:
    """Nothing to blank: which rounds they sat out carries no words of theirs."""
    return None
