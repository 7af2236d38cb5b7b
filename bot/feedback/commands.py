"""``feedback`` (and ``feedback mine``) and ``admin feedback``."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.feedback.records import feedback_context, my_feedback
from bot.pair_choice import PAIR_TOKEN, ask_which, my_pairs, take_pair
from bot.replies import Reply


def feedback(ctx: Ctx, args: list[str]) -> Reply:
    """Confidential feedback on your last session; ``feedback mine`` shows what you gave."""
    member = ctx.require_member()
    if args and args[0].lower() in ("mine", "history"):
        return my_feedback(ctx, member)
    choices = my_pairs(ctx, member)
    if not choices:
        raise UserError("feedback.no_partner")
    chosen, rest = take_pair(ctx, choices, args)
    if rest:
        raise UserError("feedback.usage")
    if chosen is None:
        return ask_which(ctx, choices, "feedback", [])
    return ctx.conversations().start(
        ctx,
        "feedback",
        context=feedback_context(ctx, member, chosen.pair),
        command=f"feedback {PAIR_TOKEN}{chosen.pair_id}",
    )
