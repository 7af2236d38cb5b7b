"""Membership: joining (a form where the platform has one), leaving, breaks, and status."""

from __future__ import annotations

from bot.membership.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 20  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add join, leave, pause, resume, status (and the App Home view), the join form, and
    the withdrawal of a mentor's "back" notice when their pair ends.
    """
    from bot.membership.away import withdraw_for_ended_pairs
    from bot.membership.commands import join, leave, pause, resume, submit_join
    from bot.membership.status import home, status

    router = registry.commands
    router.command("join", aliases=("signup", "enrol", "enroll"))(join)
    router.command("leave", aliases=("quit", "optout"))(leave)
    router.command("pause", aliases=("snooze", "break"))(pause)
    router.command("resume", aliases=("unpause", "back"))(resume)
    router.command("status", aliases=("st", "info", "whoami"))(status)
    router.command("home", hidden=True)(home)
    registry.form("join", submit_join)
    registry.on_pair_ended(withdraw_for_ended_pairs)
    registry.words(WORDS)
