"""Pairs over their whole life: made, moved, paused and ended in one place, and their health.

Every change of a pair's state goes through :mod:`bot.pairs.lifecycle`, which records it and
fires the registry's hooks in the caller's transaction; capabilities (check-ins, closure,
conversations, requests) react to the hooks instead of being called one by one.
:mod:`bot.pairs.health` is the one rule of a pair's health; :mod:`bot.pairs.engagement`
re-engages silent people; :mod:`bot.pairs.commands` lets admins act on pairs at risk.
"""

from __future__ import annotations

from datetime import timedelta

from bot.pairs.prompts import WORDS
from bot.registry import JobContext, Registry, registry_of_job

HELP_POSITION = 35  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add the pair lifecycle's wording, ``admin pair-nudge|pair-end|pair-rematch``,
    ``partner wait|switch`` and the re-engagement pulse job.
    """
    from bot.pairs.commands import (
        admin_pair_end,
        admin_pair_nudge,
        admin_pair_rematch,
        partner,
    )

    registry.admin.command("pair-nudge")(admin_pair_nudge)
    registry.admin.command("pair-end")(admin_pair_end)
    registry.admin.command("pair-rematch")(admin_pair_rematch)
    registry.commands.command("partner", hidden=True)(partner)
    registry.job(
        "engagement",
        lambda settings: timedelta(minutes=settings.engagement.every_minutes),
        _reengage,
    )
    registry.words(WORDS)


def _reengage(job: JobContext) -> int:
    from bot.pairs.engagement import reengage

    return reengage(
        job.session,
        now=job.now,
        settings=job.settings,
        prompts=job.prompts,
        registry=registry_of_job(job),
    )
