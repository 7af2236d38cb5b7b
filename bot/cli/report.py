"""``mentorbot report``: the program report as a summary in the terminal, an HTML page and CSV."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from rich.console import Console

from bot.cli.start import Opened, open_program
from bot.config import Settings
from bot.errors import UserError
from bot.events import Surface
from bot.report.against import against
from bot.report.compare import Against, changes
from bot.report.figures import Report, build
from bot.report.page import html, summary_line, write_csv
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
    compare: tuple[date, date] | str | None = None,
) -> int:
    """Print the summary and the headline figures; write the page and the CSV files when
    asked; with ``compare`` (an earlier period, ``previous`` or another program's slug:
    ``bot.report.compare.parse_compare``), each figure's other value and the summary rates'
    change, on the page and in the CSV files too.
    """
    out = console or Console()
    if start and end and end < start:
        out.print("--to is before --from.", markup=False)
        return 2
    with open_program(settings, program_id, out, surfaces) as opened:
        if isinstance(opened, int):
            return opened
        try:
            other = _against(opened, settings, compare, start, end) if compare else None
        except UserError as exc:
            out.print(opened.bot.prompts.text(exc.key, **exc.params), markup=False)
            return 1
        report = _build(opened, settings, start, end, other)
    before = other.report if other else None
    out.print(report.words["title"], markup=False)
    earlier = before.figures() if before else {}
    for section in report.sections:
        out.print(f"  {section.title}", markup=False)
        for figure in section.figures:
            was = earlier.get(f"{section.key}.{figure.key}")
            note = f" (before: {was})" if was is not None else ""
            # The summary reads as sentences: "67% of planned meetings held (1193 of 1791)".
            line = (
                summary_line(figure, report.words)
                if section.key == SECTION
                else f"{figure.label}: {figure.value}"
            )
            out.print(f"    {line}{note}", markup=False)
    if before and other:
        out.print(f"  Against {other.label}", markup=False)
        for change in changes(report, before):
            out.print(f"    {change.text()}", markup=False)
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html(report), encoding="utf-8")
        out.print(f"Wrote {html_path}", markup=False)
    if csv_dir is not None:
        written = write_csv(report, csv_dir)
        out.print(f"Wrote {len(written)} CSV files to {csv_dir}", markup=False)
    return 0


def _against(
    opened: Opened,
    settings: Settings,
    wanted: tuple[date, date] | str,
    start: date | None,
    end: date | None,
) -> Against:
    """The report to compare with (a UserError when there is none)."""
    return against(
        opened.session,
        opened.program,
        settings,
        wanted,
        now=opened.bot.clock.now(),
        start=start,
        end=end,
        zone=settings.program.default_timezone,
        prompts=opened.bot.prompts,
        registry=opened.bot.registry,
    )


def _build(
    opened: Opened,
    settings: Settings,
    start: date | None,
    end: date | None,
    other: Against | None = None,
) -> Report:
    """The opened program's report of [start, end] (against ``other``)."""
    return build(
        opened.session,
        opened.program,
        settings,
        now=opened.bot.clock.now(),
        start=start,
        end=end,
        zone=settings.program.default_timezone,
        prompts=opened.bot.prompts,
        registry=opened.bot.registry,
        against=other,
    )
