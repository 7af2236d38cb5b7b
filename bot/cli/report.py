"""``mentorbot report``: the program report as a summary in the terminal, an HTML page and CSV."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from rich.console import Console

from bot.cli.start import open_program
from bot.config import Settings
from bot.events import Surface
from bot.report.figures import build
from bot.report.page import html, write_csv
from bot.report.summary import SECTION


def run_report(
    settings: Settings,
    *,
    program_id: int | str | None,
    start: date | None,
    end: date | None,
    html_path: Path | None,
    csv_dir: Path | None,
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
) -> int:
    """Print the summary and the headline figures; write the page and the CSV files when
    asked.
    """
    out = console or Console()
    if start and end and end < start:
        out.print("--to is before --from.", markup=False)
        return 2
    with open_program(settings, program_id, out, surfaces) as opened:
        if isinstance(opened, int):
            return opened
        report = build(
            opened.session,
            opened.program,
            settings,
            now=opened.bot.clock.now(),
            start=start,
            end=end,
            zone=settings.program.default_timezone,
            prompts=opened.bot.prompts,
            registry=opened.bot.registry,
        )
    out.print(report.words["title"], markup=False)
    for section in report.sections:
        out.print(f"  {section.title}", markup=False)
        for figure in section.figures:
            # The summary reads as sentences: "67% of planned meetings held (1193 of 1791)".
            line = (
                f"{figure.value} {figure.label}"
                if section.key == SECTION
                else f"{figure.label}: {figure.value}"
            )
            out.print(f"    {line}", markup=False)
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html(report), encoding="utf-8")
        out.print(f"Wrote {html_path}", markup=False)
    if csv_dir is not None:
        written = write_csv(report, csv_dir)
        out.print(f"Wrote {len(written)} CSV files to {csv_dir}", markup=False)
    return 0
