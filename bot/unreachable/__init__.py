"""Unreachable: people a DM cannot reach get their messages in the program's channel instead (a
private thread on Discord, a message only they see on Slack), are told once how to open DMs,
and are marked for admins; people who left the workspace get no more DMs and their pairs end.
"""

from __future__ import annotations

from bot.registry import Registry
from bot.unreachable.prompts import WORDS

HELP_POSITION = 135  # no commands of its own; after the others (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add the renderers of the "how to open DMs" note and of a partner's "they left"."""
    from bot.unreachable.marks import (
        HOWTO_RENDERER,
        PARTNER_LEFT_RENDERER,
        render_howto,
        render_partner_left,
    )

    registry.renderer(HOWTO_RENDERER, render_howto)
    registry.renderer(PARTNER_LEFT_RENDERER, render_partner_left)
    registry.words(WORDS)
