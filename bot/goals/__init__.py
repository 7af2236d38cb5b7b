"""Goals: SMART goals set in a guided conversation, progress updates, completion."""

from __future__ import annotations

from bot.goals.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 50  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``goal``, ``goals``, ``progress`` and the goal and progress conversations."""
    from bot.conversations.runner import Flow
    from bot.goals.commands import goal, goals, progress
    from bot.goals.contributions import register_contributions
    from bot.goals.records import GOAL_CONTRACT, PROGRESS_CONTRACT, finish_goal, finish_progress

    registry.commands.command("goal")(goal)
    registry.commands.command("goals")(goals)
    registry.commands.command("progress", aliases=("update",))(progress)
    registry.flow("goal", Flow(GOAL_CONTRACT, finish_goal, "conv.name.goal", "/mentor goal"))
    registry.flow(
        "progress",
        Flow(PROGRESS_CONTRACT, finish_progress, "conv.name.progress", "/mentor progress"),
    )
    register_contributions(registry)
    registry.words(WORDS)
