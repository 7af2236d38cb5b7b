"""``goal``, ``goals`` and ``progress``: the commands of the goals capability."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.goals.records import complete_goal, list_goals, progress_context, set_private
from bot.replies import Reply


def goal(ctx: Ctx, args: list[str]) -> Reply:
    """Set a SMART goal; ``goal done N``, ``goal private N``, ``goal share N``."""
    ctx.require_member()
    if not args:
        return ctx.conversations().start(ctx, "goal", context={"key": "goal"}, command="goal")
    action = args[0].lower()
    if action in ("list", "ls"):
        return list_goals(ctx)
    if action in ("done", "complete", "completed", "private", "share", "shared", "public"):
        if len(args) != 2:
            raise UserError("goal.usage")
        if action in ("done", "complete", "completed"):
            return complete_goal(ctx, args[1])
        return set_private(ctx, args[1], private=action == "private")
    raise UserError("goal.usage")


def goals(ctx: Ctx, args: list[str]) -> Reply:
    """Your goals with progress, and your partner's shared goals."""
    return list_goals(ctx)


def progress(ctx: Ctx, args: list[str]) -> Reply:
    """Report progress on each active goal."""
    member = ctx.require_member()
    return ctx.conversations().start(
        ctx, "progress", context=progress_context(ctx, member), command="progress"
    )
