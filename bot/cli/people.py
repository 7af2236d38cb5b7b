"""``mentorbot person``: one person's card, and the same changes as ``admin remove|readmit|
role|pair|end|move`` in chat, from the terminal: what will happen and who will be told is
printed as plain text (no chat formatting), then confirmed (or ``--yes``). Names: a display
name, a first name or a platform id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.config import Settings
from bot.events import Surface
from bot.matching.reasons import render_reasons
from bot.replies import Context, Fields, Message, Section
from bot.spans import Text

if TYPE_CHECKING:
    from bot.cli.start import Opened
    from bot.people.changes import Change, Desk
    from bot.people.lookup import Someone

person_app = typer.Typer(
    help="One person: their card, or remove them, change their role, pair, end or move "
    "(each says who will be told and asks first).",
    no_args_is_help=True,
)

_Program = Annotated[
    str | None,
    typer.Option("--program", help="Program id or name (needed when there are several)."),
]
_Yes = Annotated[bool, typer.Option("--yes", help="Don't ask for confirmation.")]
_Name = Annotated[str, typer.Argument(help="A display name, a first name or a platform id.")]
_Anyway = Annotated[
    bool, typer.Option("--anyway", help="Pair recent partners all the same (the one rule to lift).")
]
_CHAT_MARKS = str.maketrans("", "", "*`")  # chat emphasis and code marks, in the bot's own words
_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), 127])  # people's words: no escapes

Planner = Callable[["Desk", list["Someone"]], "Change"]


def terminal_text(text: Text) -> str:
    """A chat text for the terminal: the bot's ``*bold*`` and `` `code` `` marks go, people's
    words stay as written but without control characters.
    """
    return "".join(
        s.text.translate(_CHAT_MARKS) if s.trusted else s.text.translate(_CONTROL)
        for s in text.spans
    )


def terminal_message(message: Message) -> str:
    """A chat message as terminal lines (sections, notes and ``label: value`` fields)."""
    lines: list[str] = []
    for part in message.parts:
        if isinstance(part, Section | Context):
            lines.append(terminal_text(part.text))
        elif isinstance(part, Fields):
            lines += [f"{label}: {terminal_text(value)}" for label, value in part.items]
    return "\n".join(lines)


def _chat_to_terminal(said: str) -> str:
    """An error's chat commands as the terminal's."""
    return said.replace("/mentor admin ", "mentorbot person ")


def run_person(
    settings: Settings,
    *,
    program_id: int | str | None,
    names: list[str],
    plan: Planner | None,
    confirm: Callable[[str], bool],
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
) -> int:
    """Show a card (``plan`` None) or plan, confirm and apply a change; the exit code."""
    from bot.cli.start import open_program
    from bot.errors import UserError

    out = console or Console()
    with open_program(settings, program_id, out, surfaces) as opened:
        if isinstance(opened, int):
            return opened
        try:
            return _run(opened, names, plan, confirm, out)
        except UserError as exc:
            said = terminal_text(opened.bot.prompts.render(exc.key, **exc.params))
            out.print(_chat_to_terminal(said), markup=False, highlight=False)
            return 1


def _run(
    opened: Opened,
    names: list[str],
    plan: Planner | None,
    confirm: Callable[[str], bool],
    out: Console,
) -> int:
    from bot.people.card import Sheet, person_card
    from bot.people.changes import Desk, apply

    bot, session, program = opened.bot, opened.session, opened.program
    people = [_one(opened, name, out) for name in names]
    if any(p is None for p in people):
        return 1
    found = [p for p in people if p is not None]
    now, prompts = bot.clock.now(), bot.prompts
    if plan is None:
        sheet = Sheet(session, program, now, bot.settings, prompts)
        card = person_card(sheet, found[0], terminal=True)
        out.print(terminal_message(card), markup=False, highlight=False, soft_wrap=True)
        return 0
    group_dm = bot.surface_of(program.platform).group_dm
    desk = Desk(session, bot.registry, program, bot.settings, prompts, now, group_dm, "--anyway")
    change = plan(desk, found)
    said = [change.question(prompts)]
    if change.fit is not None:
        score = Text.trusted(f"{change.fit.score:g}")
        said.append(
            prompts.render(
                "people.fit",
                score=score,
                reasons="; ".join(render_reasons(prompts, change.fit.reasons)),
            )
        )
    said.append(change.told_text(prompts))
    if change.note:
        said.append(prompts.render("people.note_private", note=change.note))
    for text in said:
        out.print(terminal_text(text), markup=False, highlight=False, soft_wrap=True)
    if not confirm("Go ahead?"):
        out.print(prompts.text("people.kept"), markup=False)
        return 1
    done = apply(desk, change)
    shown = _chat_to_terminal(terminal_text(change.done_text(prompts, done)))
    out.print(shown, markup=False, highlight=False, soft_wrap=True)
    return 0


def _one(opened: Opened, name: str, out: Console) -> Someone | None:
    """The one person ``name`` names, or None after saying why not."""
    from bot.people.lookup import Ambiguous, NotFound, find_one

    assert opened.program.id is not None
    try:
        return find_one(opened.session, opened.program.id, name)
    except NotFound:
        out.print(f"Nobody in {opened.program.name} goes by {name!r}.", markup=False)
    except Ambiguous as exc:
        out.print(f"Several people go by {name!r}; give one of their ids:", markup=False)
        for s in exc.matches:
            out.print(f"  {s.person.platform_user_id}  {s.name} ({s.member.role})", markup=False)
    return None


def _go(
    ctx: typer.Context, program: str | None, names: list[str], plan: Planner | None, yes: bool
) -> None:
    from bot.cli.main import _logging, _settings, _surfaces

    settings = _settings(ctx)
    _logging(settings)
    code = run_person(
        settings,
        program_id=program,
        names=names,
        plan=plan,
        confirm=(lambda _q: True) if yes else (lambda q: typer.confirm(q, default=False)),
        surfaces=_surfaces(),
    )
    raise typer.Exit(code)


@person_app.command("show")
def show(ctx: typer.Context, name: _Name, program: _Program = None) -> None:
    """The person's card: profile, pairs and meetings, last check-ins, goals, engagement."""
    _go(ctx, program, [name], None, True)


@person_app.command("remove")
def remove(ctx: typer.Context, name: _Name, program: _Program = None, yes: _Yes = False) -> None:
    """Take someone out of the program: their pairs end, partners and they are told."""
    from bot.people.changes import plan_remove

    _go(ctx, program, [name], lambda desk, who: plan_remove(desk, who[0]), yes)


@person_app.command("readmit")
def readmit(ctx: typer.Context, name: _Name, program: _Program = None, yes: _Yes = False) -> None:
    """Let someone an admin removed rejoin by themselves (they are told)."""
    from bot.people.changes import plan_readmit

    _go(ctx, program, [name], lambda desk, who: plan_readmit(desk, who[0]), yes)


@person_app.command("role")
def role(
    ctx: typer.Context,
    name: _Name,
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help="mentor or mentee.")],
    program: _Program = None,
    yes: _Yes = False,
) -> None:
    """Change someone's role; the pairs of their old role end."""
    from bot.people.changes import plan_role

    wanted = new_role.lower()
    _go(ctx, program, [name], lambda desk, who: plan_role(desk, who[0], wanted), yes)


@person_app.command("pair")
def pair(
    ctx: typer.Context,
    a: _Name,
    b: _Name,
    program: _Program = None,
    yes: _Yes = False,
    anyway: _Anyway = False,
) -> None:
    """Pair two people now, outside a round, with the usual introduction."""
    from bot.people.changes import plan_pair

    _go(
        ctx,
        program,
        [a, b],
        lambda desk, who: plan_pair(desk, who[0], who[1], anyway=anyway),
        yes,
    )


@person_app.command("end")
def end(
    ctx: typer.Context,
    a: _Name,
    b: _Name,
    reason: Annotated[
        str, typer.Argument(help="Why (kept for the admins, never sent to the pair).")
    ] = "",
    program: _Program = None,
    yes: _Yes = False,
) -> None:
    """End a pair; both are told kindly and are back in the next matching round."""
    from bot.people.changes import plan_end

    _go(ctx, program, [a, b], lambda desk, who: plan_end(desk, who[0], who[1], reason), yes)


@person_app.command("move")
def move(
    ctx: typer.Context,
    mentee: _Name,
    mentor: _Name,
    program: _Program = None,
    yes: _Yes = False,
    anyway: _Anyway = False,
) -> None:
    """Move a mentee to another mentor: the old pair ends, the new one is introduced."""
    from bot.people.changes import plan_move

    _go(
        ctx,
        program,
        [mentee, mentor],
        lambda desk, who: plan_move(desk, who[0], who[1], anyway=anyway),
        yes,
    )
