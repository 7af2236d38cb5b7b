"""``mentorbot import`` and ``mentorbot export``: the roster from and to spreadsheets, with a
progress bar for large files and every problem reported by line and column in one go.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from bot.app import MentorBot
from bot.cli.start import count_words, open_program, pick_program, start_bot
from bot.config import WEEKDAYS, Settings
from bot.events import Surface
from bot.roster.columns import RosterRow, RowError
from bot.roster.exporter import tables
from bot.roster.importer import ImportReport, check_rows, read_csv, write_rows
from bot.spreadsheet import write_csv
from storage import repo
from storage.models import Program

# Email -> platform user id for the emails it could find (Slack's users.lookupByEmail).
EmailResolver = Callable[[list[str]], Mapping[str, str]]


@dataclass(frozen=True)
class ImportOptions:
    """What ``mentorbot import`` was asked to do."""

    path: Path
    dry_run: bool = False
    skip_invalid: bool = False
    welcome: bool = False
    program_id: int | str | None = None  # its id or its name
    platform: str = ""  # with workspace: the program to create when there is none
    workspace: str = ""
    batch: str | None = None  # the intake batch; None: the file's name and the day


def _bar(out: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    )


def _program(
    session: Session, bot: MentorBot, options: ImportOptions, out: Console
) -> Program | None:
    """The program to import into: ``--program``, the only one, or a new one for the
    platform and workspace given (created from the configured defaults).
    """
    if options.program_id is not None:
        return pick_program(session, options.program_id, out)
    programs = repo.programs(session=session)
    mine = [
        p for p in programs if (p.platform, p.workspace_id) == (options.platform, options.workspace)
    ]
    if len(programs) > 1 and len(mine) != 1:
        out.print("Several programs; choose one with --program:", markup=False)
        for p in programs:
            out.print(f"  {p.id}  {p.name} ({p.platform} {p.workspace_id})", markup=False)
        return None
    if mine or programs:
        return (mine or programs)[0]
    if not options.platform:
        out.print("No program yet: name one with --platform and --workspace.", markup=False)
        return None
    d = bot.settings.program
    return repo.create_program(
        session=session,
        platform=options.platform,
        workspace_id=options.workspace,
        name=d.name,
        kind=d.kind,
        cadence=d.cadence,
        checkin_weekday=WEEKDAYS.index(d.checkin_weekday.lower()),
        checkin_hour=d.checkin_hour,
        announcement_channel=d.announcement_channel,
        now=bot.clock.now(),
        starts_on=bot.clock.now().date(),
    )


def _resolve_emails(rows: list[RosterRow], resolver: EmailResolver | None) -> list[RowError]:
    """Rows given by email get their platform id from the program's platform (Slack can
    look emails up); the rest are errors.
    """
    wanted = [r for r in rows if not r.platform_id]
    if not wanted:
        return []
    if resolver is None:
        why = "Emails can be looked up on Slack (with SLACK_BOT_TOKEN set): give platform_id."
        return [RowError(r.line, "email", why) for r in wanted]
    found = resolver(sorted({r.email for r in wanted}))
    errors = []
    for row in wanted:
        if row.email in found:
            row.platform_id = found[row.email]
        else:
            errors.append(RowError(row.line, "email", f"No Slack user has the email {row.email}."))
    return errors


def _print_errors(out: Console, errors: list[RowError]) -> None:
    for e in sorted(errors, key=lambda e: (e.line, e.column)):
        where = (f"line {e.line}" + (f", {e.column}" if e.column else "") + ": ") if e.line else ""
        out.print(f"  {where}{e.message}", markup=False, highlight=False, soft_wrap=True)


def run_import(
    settings: Settings,
    options: ImportOptions,
    *,
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
    resolvers: Mapping[str, EmailResolver] | None = None,
) -> int:
    """Check every row, then write them (or, with ``dry_run``, say what would change).
    ``resolvers``: per platform, how to turn emails into user ids.
    """
    resolvers = resolvers or {}
    out = console or Console()
    bot = start_bot(settings, out, surfaces)
    if bot is None:
        return 2
    cells, ignored, problems = read_csv(options.path)
    if problems:
        _print_errors(out, problems)
        return 2
    if ignored:
        out.print(f"Columns ignored: {', '.join(ignored)}", markup=False)
    say = lambda exc: bot.prompts.text(exc.key, **exc.params)  # noqa: E731
    with Session(bot.engine) as session:
        program = _program(session, bot, options, out)
        if program is None:
            return 1
        with _bar(out) as bar:
            task = bar.add_task("checking", total=len(cells))
            rows, errors = check_rows(cells, program, say, lambda: bar.advance(task))
        errors += _resolve_emails(rows, resolvers.get(program.platform))
        rows = [r for r in rows if r.platform_id]
        if errors and not options.skip_invalid:
            lines = len({e.line for e in errors})
            how_many = count_words(len(errors), "problem", "problems")
            out.print(f"{how_many} in {count_words(lines, 'row', 'rows')}:", markup=False)
            _print_errors(out, errors)
            out.print(
                "Nothing was imported: fix these rows, or use --skip-invalid to import the rest."
            )
            return 1
        report = ImportReport(
            rows=len(cells), skipped=len({e.line for e in errors}), errors=list(errors)
        )
        _write(session, bot, program, rows, report, options, out)
        where = f"'{program.name}' ({program.platform} workspace '{program.workspace_id}')"
    _summary(out, report, where, dry_run=options.dry_run)
    return 0


def _write(
    session: Session,
    bot: MentorBot,
    program: Program,
    rows: list[RosterRow],
    report: ImportReport,
    options: ImportOptions,
    out: Console,
) -> None:
    """Write the rows in one transaction; a dry run rolls it back, so it says exactly what
    a real import would do.
    """
    with _bar(out) as bar:
        task = bar.add_task("writing", total=len(rows))
        write_rows(
            session,
            program,
            rows,
            now=bot.clock.now(),
            prompts=bot.prompts,
            welcome=options.welcome and not options.dry_run,
            report=report,
            progress=lambda: bar.advance(task),
            batch=options.batch or f"{options.path.name} {bot.clock.now():%Y-%m-%d}",
        )
    if options.dry_run:
        session.rollback()
    else:
        session.commit()


def _summary(out: Console, report: ImportReport, where: str, *, dry_run: bool) -> None:
    """One sentence: how many people went where, and what happened to them."""
    if report.errors:
        out.print(f"Skipped {count_words(report.skipped, 'row', 'rows')}:", markup=False)
        _print_errors(out, report.errors)
    counts = [
        f"{n} {what}"
        for n, what in (
            (report.created, "new"),
            (report.updated, "updated"),
            (report.unchanged, "unchanged"),
        )
        if n
    ]
    if report.skipped:
        counts.append(f"{count_words(report.skipped, 'row', 'rows')} skipped")
    if report.left:
        counts.append(f"{count_words(report.left, 'row', 'rows')} skipped (left the program)")
    imported = report.created + report.updated + report.unchanged
    who = count_words(imported, "person", "people") if imported else "no one"
    verb = "Would import" if dry_run else "Imported"
    out.print(
        f"{verb} {who} into {where}"
        + (f": {', '.join(counts)}." if counts else ".")
        + (f" Welcome DMs queued: {report.welcomed}." if report.welcomed else "")
        + (" Nothing was written (--dry-run)." if dry_run else ""),
        markup=False,
        soft_wrap=True,
    )


def run_export(
    settings: Settings,
    *,
    out_dir: Path,
    fmt: str,
    program_id: int | str | None,
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
) -> int:
    """Write the program's tables as CSV files (or one JSON file) into ``out_dir``."""
    out = console or Console()
    with open_program(settings, program_id, out, surfaces) as opened:
        if isinstance(opened, int):
            return opened
        data = tables(opened.session, opened.program, settings, opened.bot.registry)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "json":
        path = out_dir / "mentorbot-export.json"
        doc = {
            name: [dict(zip(header, row, strict=True)) for row in rows]
            for name, (header, rows) in data.items()
        }
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        written.append(path)
    else:
        for name, (header, rows) in data.items():
            path = out_dir / f"{name}.csv"
            write_csv(path, header, rows)
            written.append(path)
    for path in written:
        out.print(f"wrote {path}", markup=False, highlight=False)
    return 0
