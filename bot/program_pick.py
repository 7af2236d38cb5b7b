"""Which program an event is about, in a workspace with several.

In order: a program the handler already knows (a conversation, a pair, a round: it calls
``ctx.use_program``); the program word (``/mentor join coffee``: the first word after a
command naming a live program, taken off the words once by the router); the only live
program; for member commands, the only live program the person is in; else a picker, one
button per program, each running the same command again with the program's short name.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Sequence

from bot.events import Actor
from bot.replies import Button, Buttons, Context, Message, Section
from bot.spans import Text
from storage.models import Program

MAX_BUTTON_COMMAND = 100  # Discord's custom_id limit; longer commands cannot be buttons


def admins_here(program: Program, actor: Actor) -> bool:
    """Whether ``actor`` is one of ``program``'s own admins (by id; by name on the console)."""
    admins = program.admins or []
    return actor.user_id in admins or (
        actor.surface.users_are_names and actor.display_name in admins
    )


def named(live: Sequence[Program], word: str) -> Program | None:
    """The live program ``word`` names: its short name (any case), else its name when only
    one program has it.
    """
    lowered = word.strip().casefold()
    if not lowered:
        return None
    for program in live:
        if program.slug.casefold() == lowered:
            return program
    by_name = [p for p in live if p.name.casefold() == lowered]
    return by_name[0] if len(by_name) == 1 else None


def take_program_word(
    live: Sequence[Program], words: Sequence[str]
) -> tuple[Program | None, list[str]]:
    """The program the first of ``words`` names, and the words without it; or None and
    the words as they were.
    """
    if not words or len(live) < 2:
        return None, list(words)
    program = named(live, words[0])
    return (program, list(words[1:])) if program is not None else (None, list(words))


def take_slug_anywhere(
    live: Sequence[Program], words: Sequence[str]
) -> tuple[Program | None, list[str]]:
    """For admin commands: the program whose short name is exactly one of ``words`` (any
    case; a number never is one), and the words without it; None and the words as they were
    when no word, or more than one, names a program.
    """
    if len(live) < 2:
        return None, list(words)
    slugs = {p.slug.casefold(): p for p in live}
    found = [i for i, w in enumerate(words) if not w.isdigit() and w.casefold() in slugs]
    if len(found) != 1:
        return None, list(words)
    at = found[0]
    return slugs[words[at].casefold()], [*words[:at], *words[at + 1 :]]


def with_program(command: Sequence[str], rest: Sequence[str], program: Program) -> str:
    """The command line that runs ``command`` again in ``program``."""
    return shlex.join([*command, program.slug, *rest])


def picker(
    prompts_text: Text,
    hint: Text,
    command: Sequence[str],
    rest: Sequence[str],
    choices: list[Program],
) -> Message:
    """A "Which program?" message with a button per program that reruns the command in it."""
    buttons = tuple(
        Button(f"{p.name} ({p.slug})", line)
        for p in choices
        if len(line := with_program(command, rest, p)) <= MAX_BUTTON_COMMAND
    )
    parts: list[Section | Buttons | Context] = [Section(prompts_text)]
    if buttons:
        parts.append(Buttons(buttons))
    parts.append(Context(hint))
    return Message(tuple(parts))


def carry_program(message: Message, program: Program, live: Sequence[Program]) -> Message:
    """``message`` with every button's command naming ``program`` (after the command, as
    one would type it), so a press acts in the program the message was about.
    """
    if len(live) < 2:
        return message
    parts = tuple(
        Buttons(tuple(_carry(b, program, live) for b in part.buttons))
        if isinstance(part, Buttons)
        else part
        for part in message.parts
    )
    return dataclasses.replace(message, parts=parts)


def _carry(button: Button, program: Program, live: Sequence[Program]) -> Button:
    """One button's command with the program word put in, unless it has one already."""
    try:
        words = shlex.split(button.command)
    except ValueError:
        return button
    path = 2 if words[:1] == ["admin"] else 1
    if len(words) < path or (len(words) > path and named(live, words[path]) is not None):
        return button
    line = with_program(words[:path], words[path:], program)
    if len(line) > MAX_BUTTON_COMMAND:
        return button
    return dataclasses.replace(button, command=line)


def slugs_of(programs: Sequence[Program]) -> str:
    """The programs' short names, for a sentence: "`coffee`, `default`"."""
    return ", ".join(f"`{p.slug}`" for p in programs)
