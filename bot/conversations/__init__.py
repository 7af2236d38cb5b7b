"""Guided conversations: scripts from prompts/scripts, run step by step or as one form."""

from __future__ import annotations

from datetime import timedelta

from bot.conversations.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 90  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add the commands that steer a conversation and the reminder/expiry job."""
    from bot.conversations.commands import answer, cancel, conversation
    from bot.conversations.upkeep import remind_and_expire

    registry.commands.command("answer", hidden=True)(answer)
    registry.commands.command("conversation", aliases=("conv",), hidden=True)(conversation)
    registry.commands.command("cancel", hidden=True)(cancel)
    registry.job(
        "conversations",
        lambda settings: timedelta(minutes=settings.conversations.every_minutes),
        lambda job: remind_and_expire(
            job.session,
            now=job.now,
            settings=job.settings,
            prompts=job.prompts,
            conversations=job.conversations,
        ),
    )
    registry.words(WORDS)
