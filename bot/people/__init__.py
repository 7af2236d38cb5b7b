"""Per-person administration: one person's card, and removing someone, changing a role,
pairing two people now, ending a pair and moving a mentee, each confirmed first and saying who
will be told (``admin person|remove|role|pair|end|move``, and ``mentorbot person`` in the
terminal).
"""

from __future__ import annotations

from bot.people.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 104  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add the admin subcommands ``person``, ``remove``, ``role``, ``pair``, ``end``, ``move``."""
    from bot.people.commands import register_commands

    register_commands(registry.admin)
    registry.words(WORDS)
