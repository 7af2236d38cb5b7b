"""Pairs over their whole life: made, moved, paused and ended in one place.

Every change of a pair's state goes through :mod:`bot.pairs.lifecycle`, which records it and
fires the registry's hooks in the caller's transaction; capabilities (check-ins, closure,
conversations, requests) react to the hooks instead of being called one by one.
"""

from __future__ import annotations

from bot.pairs.prompts import WORDS
from bot.registry import Registry

HELP_POSITION = 35  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add the pair lifecycle's wording."""
    registry.words(WORDS)
