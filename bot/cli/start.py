"""What the terminal commands (match, import, export, report, forget) share: starting the bot
with a one-line message instead of a traceback when the configuration is wrong, and picking
the program they work on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from sqlmodel import Session

from bot.app import MentorBot, build_bot
from bot.config import Settings
from bot.errors import ConfigError
from bot.events import Surface
from storage import repo
from storage.engine import transaction
from storage.models import Program


def count_words(n: int, one: str, many: str) -> str:
    """``n`` with the word that agrees with it: "1 pair", "3 pairs", "0 pairs"."""
    return f"{n} {one if n == 1 else many}"


def start_bot(
    settings: Settings, out: Console, surfaces: Mapping[str, Surface] | None = None
) -> MentorBot | None:
    """The bot (database migrated), or None after saying why it cannot start."""
    try:
        return build_bot(settings, surfaces=surfaces)
    except ConfigError as exc:
        out.print(f"Cannot start: {exc}", markup=False, soft_wrap=True)
        return None


def pick_program(session: Session, program_id: int | str | None, out: Console) -> Program | None:
    """The one program a terminal command works on (``--program``, its id, short name or
    name, when there are several; an archived one too, when named), or None after saying why.
    """
    wanted = str(program_id).strip() if program_id is not None else None
    programs = repo.programs(session=session, archived=wanted is not None)
    if wanted is not None:
        programs = [
            p
            for p in programs
            if str(p.id) == wanted or wanted.casefold() in (p.name.casefold(), p.slug.casefold())
        ]
    if not programs:
        out.print("No such program. People create one by joining (`/mentor join`).")
        return None
    if len(programs) > 1:
        out.print("Several programs; choose one with --program (its id, short name or name):")
        for p in programs:
            where = f"{p.platform} {p.workspace_id}"
            out.print(f"  {p.id}  {p.slug}  {p.name} ({where})", markup=False)
        return None
    return programs[0]


@dataclass
class Opened:
    """A started bot, an open transaction and the program a terminal command works on."""

    bot: MentorBot
    session: Session
    program: Program


@contextmanager
def open_program(
    settings: Settings,
    program_id: int | str | None,
    out: Console,
    surfaces: Mapping[str, Surface] | None = None,
) -> Iterator[Opened | int]:
    """Start the bot, open a transaction and pick the program; or, after saying why not, the
    exit code (2: the bot can't start, 1: no such program or several to choose from).
    """
    bot = start_bot(settings, out, surfaces)
    if bot is None:
        yield 2
        return
    with transaction(bot.engine) as session:
        program = pick_program(session, program_id, out)
        yield 1 if program is None else Opened(bot, session, program)
