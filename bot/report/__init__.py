"""The program report: outcomes as numbers, charts, a self-contained HTML page and CSV files."""

from __future__ import annotations

from bot.registry import Registry
from bot.report.prompts import WORDS

HELP_POSITION = 120  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``admin report``."""
    from bot.report.commands import admin_report

    registry.admin.command("report")(admin_report)
    registry.words(WORDS)
