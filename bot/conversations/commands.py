"""Steering the conversation in progress: its buttons, ``conversation`` and ``cancel``."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.replies import Reply


def answer(ctx: Ctx, args: list[str]) -> Reply:
    """A conversation button: ``answer <conversation> <step> <value>``."""
    if len(args) != 3 or not args[0].isdigit() or not args[1].isdigit():
        raise UserError("conv.closed")
    return ctx.conversations().click(ctx, int(args[0]), int(args[1]), args[2])


def conversation(ctx: Ctx, args: list[str]) -> Reply:
    """``conversation continue|cancel|replace <command>``: steer the running conversation."""
    runner = ctx.conversations()
    assert ctx.person.id is not None
    current = runner.active(ctx.session, ctx.person.id)
    action = args[0].lower() if args else "continue"
    if action == "replace" and len(args) > 1:
        if current is not None:
            runner.cancel(ctx, current)
            ctx.session.flush()
        assert ctx.run_command is not None
        return ctx.run_command(ctx, args[1:])
    if current is None:
        raise UserError("conv.none")
    if action in ("continue", "resume"):
        return runner.resume(ctx, current)
    if action in ("cancel", "stop"):
        return runner.cancel(ctx, current)
    if action == "back":
        return runner.back(ctx, current)
    raise UserError("conv.usage")


def cancel(ctx: Ctx, args: list[str]) -> Reply:
    """Stop the conversation you are in."""
    return conversation(ctx, ["cancel"])
