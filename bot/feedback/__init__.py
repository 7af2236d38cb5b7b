"""Session feedback and the pairing-fit question; admins see totals over 3+ people only."""

from __future__ import annotations

from bot.feedback.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 60  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``feedback``, ``admin feedback`` and the feedback conversation."""
    from bot.conversations.runner import Flow
    from bot.feedback.commands import feedback
    from bot.feedback.contributions import register_contributions
    from bot.feedback.records import FEEDBACK_CONTRACT, admin_feedback, finish_feedback

    registry.commands.command("feedback")(feedback)
    registry.admin.command("feedback")(admin_feedback)
    registry.flow(
        "feedback",
        Flow(FEEDBACK_CONTRACT, finish_feedback, "conv.name.feedback", "/mentor feedback"),
    )
    register_contributions(registry)
    registry.words(WORDS)
