"""Requests for help between meetings: ask, a matching mentor claims (first one wins), the
asker closes it saying whether it helped; unclaimed ones go to the admins.
"""

from __future__ import annotations

from datetime import timedelta

from bot.registry import Registry
from bot.requests.prompts import WORDS

HELP_POSITION = 80  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``request``, ``requests``, the request form, the escalation job, and requests
    handed back when their helper goes away.
    """
    from bot.requests.commands import request, request_submitted, requests
    from bot.requests.contributions import register_contributions
    from bot.requests.records import escalate
    from bot.requests.release import RELEASED_RENDERER, release_claims, render_released

    registry.commands.command("request", aliases=("help-me", "ask"))(request)
    registry.commands.command("requests")(requests)
    registry.form("request", request_submitted)
    registry.job(
        "requests",
        lambda settings: timedelta(minutes=settings.requests.every_minutes),
        lambda job: escalate(job.session, now=job.now, settings=job.settings, prompts=job.prompts),
    )
    registry.renderer(RELEASED_RENDERER, render_released)
    registry.on_member_paused(  # a helper who goes away hands back what they picked up
        lambda session, now, member_id: release_claims(session, now=now, member_id=member_id)
    )
    register_contributions(registry)
    registry.words(WORDS)
