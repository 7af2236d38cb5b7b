"""Closure: when a pair ends, each person still in the program is thanked with what the pair
did together, gives a last rating and reason, may keep in touch or be matched again, and a
mentee may thank the mentor (shared in the admins' digest only with their OK).
"""

from __future__ import annotations

from datetime import timedelta

from bot.closure.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 65  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``closure``, the closing conversation, the pairs-ended listener that records who
    is to be asked, the job that asks them, and closure's part of export and forget.
    """
    from bot.closure.asking import ask_closures, record_closures
    from bot.closure.commands import CLOSURE_CONTRACT, closure, finish_closure
    from bot.closure.contributions import register_contributions
    from bot.conversations.runner import Flow

    registry.commands.command("closure")(closure)
    registry.flow(
        "closure",
        Flow(CLOSURE_CONTRACT, finish_closure, "conv.name.closure", "/mentor closure"),
    )
    registry.on_pair_ended(record_closures)
    registry.job(
        "closure",
        lambda settings: timedelta(minutes=settings.conversations.every_minutes),
        lambda job: ask_closures(
            job.session, now=job.now, settings=job.settings, prompts=job.prompts
        ),
    )
    register_contributions(registry)
    registry.words(WORDS)
