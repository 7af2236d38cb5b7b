"""Recurring rounds: a program's rounds come on their own (``admin program set rounds every
2 weeks at monday 09:00``); people hear of each a day before and may sit it out (``skip``),
everyone hears how it went for them, and admins publish previews or let rounds publish
themselves, with each round's record (``admin rounds``, ``admin round <id>``).
"""

from __future__ import annotations

from datetime import timedelta

from bot.registry import Registry
from bot.rounds.prompts import WORDS

HELP_POSITION = 103  # after matching (bot.app.capabilities)
EVERY = timedelta(minutes=5)  # how often the pulse moves rounds along


def register(registry: Registry) -> None:
    """Add ``skip``, ``admin rounds`` and ``admin round``, the notice renderer, the pulse
    job that schedules and runs the rounds, the feeder that sends notices on time, and the
    rounds someone sat out in their export.
    """
    from bot.rounds.commands import admin_round, admin_rounds, skip
    from bot.rounds.contributions import register_contributions
    from bot.rounds.cycle import next_step, queue_due_notices, run_rounds
    from bot.rounds.notices import NOTICE_RENDERER, render_notice

    registry.commands.command("skip")(skip)
    registry.admin.command("rounds")(admin_rounds)
    registry.admin.command("round")(admin_round)
    registry.renderer(NOTICE_RENDERER, render_notice)
    registry.job("rounds", lambda _settings: EVERY, run_rounds)
    registry.feeder("round_notices", queue_due_notices, next_step)
    register_contributions(registry)
    registry.words(WORDS)
