"""Cohort matching: score every candidate pair, solve the whole cohort at once, explain it,
preview and publish; blocks, pins and rematch requests.
"""

from __future__ import annotations

from bot.matching.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 100  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add the admin matching commands, ``rematch`` and the capacity asks."""
    from bot.matching.capacity_ask import admin_capacity, answer_ask
    from bot.matching.commands import (
        admin_match,
        admin_pairs,
        admin_publish,
        rematch_or_keep,
        rule_command,
    )

    admin = registry.admin
    admin.command("match", aliases=("preview",))(admin_match)
    admin.command("publish")(admin_publish)
    admin.command("pairs")(admin_pairs)
    admin.command("block")(rule_command("block", remove=False))
    admin.command("unblock")(rule_command("block", remove=True))
    admin.command("pin")(rule_command("pin", remove=False))
    admin.command("unpin")(rule_command("pin", remove=True))
    registry.commands.command("rematch", aliases=("newpartner",))(rematch_or_keep)
    admin.command("capacity")(admin_capacity)
    registry.commands.command("capacity", hidden=True)(answer_ask)
    registry.words(WORDS)
