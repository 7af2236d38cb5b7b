"""Mentees who choose (a program option): a mentee sees the mentors who fit them best, with
why, and asks one; the mentor accepts (the pair starts, with the round's introduction) or
declines within the program's ``choose_days``; declined and lapsed requests fall back to the
admin's matching, which leaves a mentee out while their request is open.
"""

from __future__ import annotations

from datetime import timedelta

from bot.choosing.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 102  # after matching (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``choose``, ``admin choices``, the job that lapses unanswered requests and the
    requests' part of a person's export and forget.
    """
    from bot.choosing.admin import choices
    from bot.choosing.commands import choose
    from bot.choosing.contributions import register_contributions
    from bot.choosing.expiry import expire

    registry.commands.command("choose", aliases=("mentors",))(choose)
    registry.admin.command("choices")(choices)
    registry.job("mentor_choices", lambda settings: timedelta(minutes=15), expire)
    register_contributions(registry)
    registry.words(WORDS)
