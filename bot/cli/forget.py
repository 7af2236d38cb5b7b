"""``mentorbot forget <platform> <user id>``: an admin honours "delete my data" from the
terminal, with the same forgetting as the person's own ``/mentor forget``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.console import Console

from bot.cli.start import count_words, start_bot
from bot.config import Settings
from bot.events import Surface
from bot.personal.forget import forget_person
from storage import repo
from storage.engine import transaction


def run_forget(
    settings: Settings,
    *,
    platform: str,
    user_id: str,
    confirm: Callable[[str], bool],
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
) -> int:
    """Forget one person after ``confirm`` agrees; returns the process exit code."""
    out = console or Console()
    bot = start_bot(settings, out, surfaces)
    if bot is None:
        return 2
    with transaction(bot.engine) as session:
        person = repo.find_person(session=session, platform=platform, platform_user_id=user_id)
        if person is None:
            out.print(
                f"Nobody with id {user_id!r} on {platform} is known. Nothing was changed.",
                markup=False,
            )
            return 1
        question = (
            f"Forget {person.display_name or user_id} ({platform} {user_id}) in every program? "
            "Their profile, goals, notes, feedback words and conversations are deleted and "
            "their pairs end. This can't be undone."
        )
        if not confirm(question):
            out.print("Nothing was changed.")
            return 1
        done = forget_person(
            session, person, now=bot.clock.now(), prompts=bot.prompts, registry=bot.registry
        )
    closed = count_words(done.memberships, "membership", "memberships")
    ended = count_words(done.pairs_ended, "pair", "pairs")
    told = count_words(done.partners_told, "partner", "partners")
    withdrawn = count_words(done.messages_withdrawn, "unsent message", "unsent messages")
    blanked = count_words(done.rows_blanked, "copied mention", "copied mentions")
    out.print(
        f"Forgotten: {closed} closed, {ended} ended ({told} told, without the name), "
        f"{withdrawn} withdrawn, {blanked} blanked.",
        markup=False,
    )
    return 0
