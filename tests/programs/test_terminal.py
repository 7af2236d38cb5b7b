"""The terminal commands work on the program ``--program`` names by its short name, an
archived one too (its report stays), and list the short names when there are several."""

from __future__ import annotations

import io

from rich.console import Console

from bot.cli.match import run_match
from bot.cli.report import run_report
from bot.events import Command
from tests.conftest import actor, run


def test_match_and_report_take_the_program_by_its_short_name(bot, settings):
    """`mentorbot match --program coffee` previews coffee's people only; without --program
    the short names are listed; an archived program's report can still be made."""
    run(bot, "admin program", who="admin")
    run(bot, "admin program new coffee peer Coffee chats", who="admin")
    for who in ("alice", "bob"):
        run(bot, "join coffee", who=who)
    run(bot, "join default mentee", who="carol")

    def terminal(command, **options) -> tuple[int, str]:
        out = io.StringIO()
        code = command(settings, console=Console(file=out, width=200), **options)
        return code, out.getvalue()

    code, said = terminal(run_match, program_id="coffee", seed=1, fresh="", publish_now=False)
    assert code == 0 and "alice" in said and "bob" in said and "carol" not in said
    code, said = terminal(run_match, program_id=None, seed=1, fresh="", publish_now=False)
    assert code == 1 and "Several programs" in said
    assert "coffee  Coffee chats (console console)" in said
    bot.handle(Command(actor("admin"), "admin program archive coffee confirm"))
    code, said = terminal(
        run_report, program_id="coffee", start=None, end=None, html_path=None, csv_dir=None
    )
    assert code == 0 and "Coffee chats" in said
