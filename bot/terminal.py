"""What the terminal commands (match, import, export, forget) share: starting the bot with a
one-line message instead of a traceback when the configuration is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console

from bot.app import MentorBot, build_bot
from bot.config import Settings
from bot.errors import ConfigError
from bot.events import Surface


def start_bot(
    settings: Settings, out: Console, surfaces: Mapping[str, Surface] | None = None
) -> MentorBot | None:
    """The bot (database migrated), or None after saying why it cannot start."""
    try:
        return build_bot(settings, surfaces=surfaces)
    except ConfigError as exc:
        out.print(f"Cannot start: {exc}", markup=False)
        return None
