"""Announcements: an admin tells everyone (or mentors, mentees, the unmatched, some pairs)
something, in a channel and/or as DMs at a local time in each person's own zone.
"""

from __future__ import annotations

from bot.announcements.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 110  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``admin announce``, ``admin announcements`` and the announce form."""
    from bot.announcements.commands import announce, announce_submitted, announcements
    from bot.announcements.compose import MAX_TEXT

    registry.admin.command("announce", aliases=("announcement",))(announce)
    registry.admin.command("announcements")(announcements)
    # One past the limit, so a text just too long gets the announcement's own message.
    registry.form("announce", announce_submitted, admin=True, max_length=MAX_TEXT + 1)
    registry.words(WORDS)
