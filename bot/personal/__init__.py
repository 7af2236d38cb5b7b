"""Personal data: a person takes their data out (``export``) or has it deleted (``forget``)."""

from __future__ import annotations

from bot.personal.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 130  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``export`` and ``forget``."""
    from bot.personal.commands import export, forget

    registry.commands.command("export", aliases=("mydata", "my-data"))(export)
    registry.commands.command("forget", aliases=("delete-me",))(forget)
    registry.words(WORDS)
