"""``mentorbot person``: one person's card, and the same changes as ``admin remove|role|pair|
end|move`` in chat, from the terminal: what will happen and who will be told is printed, then
confirmed (or ``--yes``). Names: a display name, a first name or a platform id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.config import Settings
from bot.events import Surface

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

Planner = Callable[["Desk", list["Someone"]], "Change"]


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
            text = opened.bot.prompts.render(exc.key, **exc.params).plain()
            out.print(text.replace("/mentor admin ", "mentorbot person "), markup=False)
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
        out.print(
            person_card(sheet, found[0]).plain(), markup=False, highlight=False, soft_wrap=True
        )
        return 0
    group_dm = bot.surface_of(program.platform).group_dm
    desk = Desk(session, bot.registry, program, bot.settings, prompts, now, group_dm)
    change = plan(desk, found)
    out.print(change.question(prompts).plain(), markup=False, highlight=False, soft_wrap=True)
    if change.fit is not None:
        reasons = "; ".join(change.fit.reasons)
        out.print(f"Fit {change.fit.score:g} of 100. Why: {reasons}", markup=False)
    out.print(change.told_text(prompts).plain(), markup=False, highlight=False, soft_wrap=True)
    if not confirm("Go ahead?"):
        out.print("Nothing was changed.")
        return 1
    done = apply(desk, change)
    out.print(
        f"Done: {done.pairs_ended} ended, {done.messages} messages queued "
        "(the running bot sends them).",
        markup=False,
    )
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
    ctx: typer.Context, a: _Name, b: _Name, program: _Program = None, yes: _Yes = False
) -> None:
    """Pair two people now, outside a round, with the usual introduction."""
    from bot.people.changes import plan_pair

    _go(ctx, program, [a, b], lambda desk, who: plan_pair(desk, who[0], who[1]), yes)


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
    """End a pair; both are told kindly and go first in line."""
    from bot.people.changes import plan_end

    _go(ctx, program, [a, b], lambda desk, who: plan_end(desk, who[0], who[1], reason), yes)


@person_app.command("move")
def move(
    ctx: typer.Context, mentee: _Name, mentor: _Name, program: _Program = None, yes: _Yes = False
) -> None:
    """Move a mentee to another mentor: the old pair ends, the new one is introduced."""
    from bot.people.changes import plan_move

    _go(ctx, program, [mentee, mentor], lambda desk, who: plan_move(desk, who[0], who[1]), yes)
