"""Profiles: showing and changing fields, time zones, the profile form and step-by-step edit."""

from __future__ import annotations

from bot.profile.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 30  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``profile`` and ``timezone``, the profile form and the step-by-step profile flow."""
    from bot.conversations.runner import Flow
    from bot.profile.commands import profile, submit_profile, timezone
    from bot.profile.steps import PROFILE_CONTRACT, finish_profile, save_profile_answer

    registry.commands.command("profile", aliases=("me",))(profile)
    registry.commands.command("timezone", aliases=("tz", "zone"))(timezone)
    registry.form("profile", submit_profile)
    registry.flow(
        "profile",
        Flow(
            PROFILE_CONTRACT,
            finish_profile,
            "conv.name.profile",
            "/mentor profile edit",
            on_answer=save_profile_answer,
        ),
    )
    registry.words(WORDS)
