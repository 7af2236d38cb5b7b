"""The chat commands: ``admin person|remove|readmit|role|pair|end|move``.

Names may be a display name, a first name, a platform id or a mention; several people with
the name get a "which one?" with a button each, carrying their id. Every change shows what
will happen and who will be told, and waits for the confirm button (``admin <command>
confirm ...``, always with ids); ``admin <command> keep`` changes nothing.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from bot.context import Ctx
from bot.errors import NeedsConfirmation, UserError
from bot.i18n.cldr import number
from bot.matching.reasons import render_reasons
from bot.pair_choice import MAX_BUTTON_COMMAND
from bot.people.card import Sheet, person_card
from bot.people.changes import (
    ANYWAY,
    Change,
    Desk,
    apply,
    plan_end,
    plan_move,
    plan_pair,
    plan_readmit,
    plan_remove,
    plan_role,
)
from bot.people.lookup import Ambiguous, NotFound, Someone, find_one
from bot.registry import registry_of
from bot.replies import Button, Buttons, Context, Message, Part, Reply, Section
from bot.router import Router
from bot.spans import Text

CONFIRM, KEEP = "confirm", "keep"


def register_commands(admin: Router) -> None:
    """Add the per-person admin commands."""
    admin.command("person", aliases=("card", "who"))(person)
    admin.command("remove")(_changing("remove", 1, _plan_remove))
    admin.command("readmit")(_changing("readmit", 1, _plan_readmit))
    admin.command("role")(_changing("role", 1, _plan_role))
    admin.command("pair")(_changing("pair", 2, _plan_pair))
    admin.command("end")(_changing("end", 2, _plan_end))
    admin.command("move")(_changing("move", 2, _plan_move))


def desk_of(ctx: Ctx) -> Desk:
    """What a change needs, from the handler's context."""
    return Desk(
        ctx.session,
        registry_of(ctx),
        ctx.program(),
        ctx.settings,
        ctx.prompts,
        ctx.now,
        ctx.group_dm(),
    )


def resolve(ctx: Ctx, command: str, words: list[str], index: int) -> Someone:
    """The person ``words[index]`` names; "which one?" (with buttons) when several do."""
    program_id = ctx.program().id
    assert program_id is not None
    try:
        return find_one(ctx.session, program_id, words[index])
    except NotFound:
        raise UserError("people.unknown", who=words[index]) from None
    except Ambiguous as exc:
        buttons = []
        for someone in exc.matches[:5]:
            chosen = [*words[:index], someone.person.platform_user_id, *words[index + 1 :]]
            label = f"{someone.name} ({someone.person.platform_user_id}, {someone.member.role})"
            buttons.append(Button(label, f"admin {command} {shlex.join(chosen)}"))
        which = Section(ctx.t("people.ambiguous", who=exc.reference))
        raise NeedsConfirmation(Message((which, Buttons(tuple(buttons))))) from None


def person(ctx: Ctx, args: list[str]) -> Reply:
    """One person's card."""
    if not args:
        raise UserError("people.usage", command=Text.trusted("person"))
    who = resolve(ctx, "person", [" ".join(args)], 0)
    sheet = Sheet(ctx.session, ctx.program(), ctx.now, ctx.settings, ctx.prompts)
    return person_card(sheet, who)


Planner = Callable[[Ctx, list[Someone], list[str]], Change]


def _changing(command: str, people: int, plan: Planner) -> Callable[[Ctx, list[str]], Reply]:
    """A command that changes something: ``people`` names first (a single name may have
    spaces), then the rest; confirmed with a leading ``confirm``.
    """

    def handler(ctx: Ctx, args: list[str]) -> Reply:
        words = list(args)
        if words and words[0].lower() == KEEP:
            return ctx.say("people.kept")
        confirmed = bool(words) and words[0].lower() == CONFIRM
        if confirmed:
            words.pop(0)
        words = _names_first(ctx, command, people, words)
        someone = [resolve(ctx, command, words, k) for k in range(people)]
        change = plan(ctx, someone, words[people:])
        if not confirmed:
            ids = [s.person.platform_user_id for s in someone]
            return confirmation(
                ctx, change, f"admin {command} {CONFIRM} " + shlex.join(ids + words[people:])
            )
        done = apply(desk_of(ctx), change)
        return Message((Section(change.done_text(ctx.prompts, done)),))

    handler.__doc__ = f"``admin {command}``: asks to confirm, then does it."
    return handler


def _names_first(ctx: Ctx, command: str, people: int, words: list[str]) -> list[str]:
    """One name may be several words when only the role follows (``role Ravi Kumar mentor``)
    or nothing does (``remove Ravi Kumar``); two names are two words (quoted if need be).
    """
    if people == 1:
        if command == "role" and len(words) >= 2:
            return [" ".join(words[:-1]), words[-1]]
        if command == "role":
            raise UserError(f"command.admin.{command}.usage")
        if not words:
            raise UserError("people.usage", command=Text.trusted(command))
        return [" ".join(words)]
    extra = 1 if len(words) == 3 and words[2].lower() == ANYWAY else 0
    if len(words) < 2 or (command != "end" and len(words) > 2 + extra):
        raise UserError("people.two_names", command=Text.trusted(command))
    return words


def _plan_remove(ctx: Ctx, who: list[Someone], _rest: list[str]) -> Change:
    return plan_remove(desk_of(ctx), who[0])


def _plan_readmit(ctx: Ctx, who: list[Someone], _rest: list[str]) -> Change:
    return plan_readmit(desk_of(ctx), who[0])


def _plan_role(ctx: Ctx, who: list[Someone], rest: list[str]) -> Change:
    return plan_role(desk_of(ctx), who[0], rest[0].lower() if rest else "")


def _anyway(rest: list[str]) -> bool:
    return [w.lower() for w in rest] == [ANYWAY]


def _plan_pair(ctx: Ctx, who: list[Someone], rest: list[str]) -> Change:
    return plan_pair(desk_of(ctx), who[0], who[1], anyway=_anyway(rest))


def _plan_end(ctx: Ctx, who: list[Someone], rest: list[str]) -> Change:
    return plan_end(desk_of(ctx), who[0], who[1], " ".join(rest).strip())


def _plan_move(ctx: Ctx, who: list[Someone], rest: list[str]) -> Change:
    return plan_move(desk_of(ctx), who[0], who[1], anyway=_anyway(rest))


def confirmation(ctx: Ctx, change: Change, command: str) -> Message:
    """What will happen and who will be told, with the confirm and keep buttons."""
    parts: list[Part] = [Section(change.question(ctx.prompts))]
    if change.fit is not None:
        reasons = "; ".join(render_reasons(ctx.prompts, change.fit.reasons))
        score = Text.trusted(number(change.fit.score, ctx.prompts.locale))
        parts.append(Section(ctx.t("people.fit", score=score, reasons=reasons)))
    parts.append(Section(change.told_text(ctx.prompts)))
    if change.note:
        parts.append(Context(ctx.t("people.note_private", note=change.note)))
    verb = command.split(" ", 2)[1]
    if len(command) <= MAX_BUTTON_COMMAND:
        yes_label = ctx.prompts.text(f"people.button.{change.action}")
        if change.action in ("pair", "readmit"):
            yes = Button(yes_label, command, "primary")
        else:
            yes = Button(yes_label, command, "danger")
        keep = Button(ctx.prompts.text("people.button.cancel"), f"admin {verb} {KEEP}")
        parts.append(Buttons((yes, keep)))
    else:
        parts.append(Context(ctx.t("people.confirm_typed", command=command)))
    return Message(tuple(parts))
