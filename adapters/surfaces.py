"""What each platform's surface can do, in the core's neutral terms (``bot.events.Surface``).

Adapters stamp their surface on every event's actor; the composition root also hands the
whole map to the core for decisions made without an event (introductions and stalled-pair
nudges queued by the pulse are a group DM where the platform has one).
"""

from __future__ import annotations

from bot.events import Surface

CONSOLE = Surface(form_fields=None, modals=False, group_dm=True, users_are_names=True)
SLACK = Surface(form_fields=10, modals=True, group_dm=True, channel_commands=True)
DISCORD = Surface(form_fields=5, modals=True, group_dm=False, channel_commands=True)


def surfaces() -> dict[str, Surface]:
    """Platform name -> its surface, for the composition root."""
    return {"console": CONSOLE, "slack": SLACK, "discord": DISCORD}
