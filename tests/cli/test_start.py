"""What the terminal commands share: a one-line reason, not a traceback, when the bot can't
start, and an exit code a script can test."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from bot.cli.match import run_match
from bot.cli.report import run_report
from bot.cli.roster import run_export


def test_match_export_and_report_say_why_the_bot_cannot_start(settings, tmp_path):
    broken = replace(settings, bot=replace(settings.bot, prompts_dir=str(tmp_path / "missing")))
    runs = {
        "match": lambda console: run_match(
            broken, program_id=None, seed=None, fresh="", publish_now=False, console=console
        ),
        "export": lambda console: run_export(
            broken, out_dir=tmp_path / "out", fmt="csv", program_id=None, console=console
        ),
        "report": lambda console: run_report(
            broken,
            program_id=None,
            start=None,
            end=None,
            html_path=None,
            csv_dir=None,
            console=console,
        ),
    }
    for name, run in runs.items():
        out = io.StringIO()
        assert run(Console(file=out, width=200)) == 2, name
        text = out.getvalue()
        assert text.startswith("Cannot start:") and "missing" in text, (name, text)
        assert "Traceback" not in text
    assert not Path(tmp_path / "out").exists()  # nothing written
