"""Goals, progress, feedback and surveys: the commands that start or steer a conversation."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.feedback import admin_feedback, feedback_context, my_feedback
from bot.goals import complete_goal, list_goals, progress_context, set_private
from bot.pair_choice import PAIR_TOKEN, ask_which, my_pairs, take_pair
from bot.replies import Reply
from bot.router import Router
from bot.surveys import SURVEYS, admin_survey, my_survey_answers, open_survey, survey_context


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


def answer(ctx: Ctx, args: list[str]) -> Reply:
    """A conversation button: ``answer <conversation> <step> <value>``."""
    if len(args) != 3 or not args[0].isdigit() or not args[1].isdigit():
        raise UserError("conv.closed")
    return ctx.conversations().click(ctx, int(args[0]), int(args[1]), args[2])


def conversation(ctx: Ctx, args: list[str]) -> Reply:
    """``conversation continue|cancel|replace <command>``: steer the running conversation."""
    engine = ctx.conversations()
    assert ctx.person.id is not None
    current = engine.active(ctx.session, ctx.person.id)
    action = args[0].lower() if args else "continue"
    if action == "replace" and len(args) > 1:
        if current is not None:
            engine.cancel(ctx, current)
            ctx.session.flush()
        assert ctx.run_command is not None
        return ctx.run_command(ctx, args[1:])
    if current is None:
        raise UserError("conv.none")
    if action in ("continue", "resume"):
        return engine.resume(ctx, current)
    if action in ("cancel", "stop"):
        return engine.cancel(ctx, current)
    if action == "back":
        return engine.back(ctx, current)
    raise UserError("conv.usage")


def cancel(ctx: Ctx, args: list[str]) -> Reply:
    """Stop the conversation you are in."""
    return conversation(ctx, ["cancel"])


def register(router: Router) -> None:
    router.command("goal")(goal)
    router.command("goals")(goals)
    router.command("progress", aliases=("update",))(progress)
    router.command("feedback")(feedback)
    router.command("survey")(survey)
    router.command("answer", hidden=True)(answer)
    router.command("conversation", aliases=("conv",), hidden=True)(conversation)
    router.command("cancel", hidden=True)(cancel)


def register_admin(admin: Router) -> None:
    admin.command("survey", aliases=("surveys",))(admin_survey)
    admin.command("feedback")(admin_feedback)
