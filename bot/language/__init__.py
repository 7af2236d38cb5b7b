"""Languages: ``/mentor language`` shows and sets the language the bot speaks to you."""

from __future__ import annotations

from bot.language.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 31  # right after profile and timezone (bot.profile)


def register(registry: Registry) -> None:
    """Add ``language``."""
    from bot.language.commands import language

    registry.commands.command("language", aliases=("lang",))(language)
    registry.words(WORDS)
