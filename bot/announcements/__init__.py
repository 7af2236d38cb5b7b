"""Announcements: an admin tells everyone (or mentors, mentees, the unmatched, some pairs)
something, in a channel and/or as DMs at a local time in each person's own zone.
"""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add ``admin announce``, ``admin announcements`` and the announce form."""
    from bot.announcements.commands import announce, announce_submitted, announcements

    registry.admin.command("announce", aliases=("announcement",))(announce)
    registry.admin.command("announcements")(announcements)
    registry.form("announce", announce_submitted, admin=True)
