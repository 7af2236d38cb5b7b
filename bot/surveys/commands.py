"""``survey`` (and ``survey mine``) and ``admin survey``."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.replies import Reply
from bot.surveys.records import SURVEYS, my_survey_answers, open_survey, survey_context


def survey(ctx: Ctx, args: list[str]) -> Reply:
    """Answer the program survey that is open now."""
    member = ctx.require_member()
    if args and args[0].lower() in ("mine", "history"):
        return my_survey_answers(ctx, member)
    wanted = args[0].lower() if args else None
    if wanted is not None and (wanted not in SURVEYS or len(args) > 1):
        raise UserError("survey.usage")
    which = open_survey(ctx, wanted)
    return ctx.conversations().start(
        ctx, "survey", context=survey_context(ctx, member, which), command=f"survey {which}"
    )
