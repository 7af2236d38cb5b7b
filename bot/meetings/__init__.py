"""Meetings: suggested times as calendar invites (.ics), and ``meet`` to book one for a pair."""

from __future__ import annotations

from bot.meetings.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 42  # after checkin (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``meet`` (book a pair's meeting and send both people the invite) and its words."""
    from bot.meetings.commands import meet

    registry.commands.command("meet", aliases=("book", "schedule"))(meet)
    registry.words(WORDS)
