"""Meetings: suggested times as calendar invites (.ics), and ``meet`` to book one for a pair."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.meetings.prompts import WORDS
from bot.registry import PersonalData, Registry, json_fields

HELP_POSITION = 42  # after checkin (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``meet`` (book a pair's meeting and send both people the invite), its words, and
    the pairs' booked meetings in a person's export (nothing to blank: no free text).
    """
    from bot.meetings.commands import meet

    registry.commands.command("meet", aliases=("book", "schedule"))(meet)
    registry.words(WORDS)
    registry.personal_data(PersonalData("meetings", _export, lambda _s, _m: [], _nothing))


MEETING = ("pair_id", "starts_at", "minutes", "booked_at")


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    """The booked meetings of the person's pairs."""
    from storage import meetings as meetings_db

    rows = meetings_db.of_members(session=session, member_ids=member_ids)
    return [json_fields(m, MEETING) for m in rows]


def _nothing(_session: Session, _member_ids: list[int]) -> None:
    """A meeting holds no words of anyone's: forgetting leaves it (it counts for the pair)."""
