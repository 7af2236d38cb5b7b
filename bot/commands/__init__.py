"""Subcommand handlers, one module per area; ``build_router`` registers them all."""

from __future__ import annotations

from bot.commands import (
    admin,
    checkins,
    conversations,
    help,
    matching,
    membership,
    profile,
    status,
)
from bot.router import Router


def build_router() -> Router:
    router = Router()
    for module in (help, membership, profile, status, checkins, conversations, matching, admin):
        module.register(router)
    return router
