"""The program itself: help, and the admins' member list and program settings."""

from __future__ import annotations

from bot.program.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 10  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``help`` and the admin subcommands ``help``, ``members`` and ``program``."""
    from bot.program.admin import register_admin
    from bot.program.help import register_help

    register_help(registry.commands)
    register_admin(registry.admin)
    registry.words(WORDS)
