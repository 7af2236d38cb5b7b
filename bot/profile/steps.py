"""The profile as a step-by-step conversation, where a form can't hold every field (Discord)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.conversations.scripts import Script, ScriptContract, Step
from bot.errors import UserError
from bot.profile.fields import resolve_field
from bot.replies import Reply
from storage.models import Conversation, Role

if TYPE_CHECKING:
    from bot.context import Ctx

STEP_FIELDS = ("skills", "wants", "goals", "languages", "availability", "quiet", "capacity", "team")
PROFILE_CONTRACT = ScriptContract(
    required={name: ("text",) for name in STEP_FIELDS},
    placeholders=frozenset(f"{name}_now" for name in STEP_FIELDS),
    conditions=frozenset({"mentor"}),
)


def profile_context(ctx: Ctx) -> dict[str, object]:
    """Current values (shown with each question) and whether the capacity question applies."""
    from bot.profile.values import field_value

    member = ctx.require_member()
    not_set = ctx.prompts.text("profile.not_set").strip("_")
    values = {f"{n}_now": field_value(ctx, member, n) or not_set for n in STEP_FIELDS}
    return {
        "key": "profile",
        "flags": ["mentor"] if member.role == Role.MENTOR else [],
        "values": values,
    }


def save_profile_answer(ctx: Ctx, conv: Conversation, step: Step, value: Any) -> None:
    """Save each answer as it comes; a bad one raises UserError and is asked again."""
    from bot.profile.values import apply_field

    field = resolve_field(step.id)
    if field is None:  # an extra step a coordinator added: kept in the answers only
        return
    apply_field(ctx, ctx.require_member(), field, str(value))


def finish_profile(ctx: Ctx, conv: Conversation, script: Script) -> Reply:
    """The step-by-step profile edit is done: show the profile."""
    from bot.profile.values import show_profile

    if not any(v is not None for v in conv.answers.values()):
        return ctx.say("profile.unchanged")
    return show_profile(ctx)


def start_profile_steps(ctx: Ctx) -> Reply:
    """Edit the profile one field at a time in the DM."""
    if ctx.member() is None:
        raise UserError("error.not_member")
    return ctx.conversations().start(
        ctx, "profile", context=profile_context(ctx), command="profile edit"
    )
