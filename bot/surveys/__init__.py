"""Program surveys at the middle and end: invitations at each person's hour, totals for 3+."""

from __future__ import annotations

from datetime import timedelta

from bot.registry import Registry
from bot.surveys.prompts import WORDS

HELP_POSITION = 70  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``survey``, ``admin survey``, the survey conversation and the invitations job."""
    from bot.conversations.runner import Flow
    from bot.surveys.commands import survey
    from bot.surveys.contributions import register_contributions
    from bot.surveys.records import SURVEY_CONTRACT, admin_survey, finish_survey, queue_invitations

    registry.commands.command("survey")(survey)
    registry.admin.command("survey", aliases=("surveys",))(admin_survey)
    registry.flow(
        "survey", Flow(SURVEY_CONTRACT, finish_survey, "conv.name.survey", "/mentor survey")
    )
    registry.job(
        "surveys",
        lambda settings: timedelta(minutes=settings.conversations.every_minutes),
        lambda job: queue_invitations(
            job.session, now=job.now, settings=job.settings, prompts=job.prompts
        ),
    )
    register_contributions(registry)
    registry.words(WORDS)
