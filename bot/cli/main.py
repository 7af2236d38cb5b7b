"""The ``mentorbot`` command line (typer): run the bot, migrate the database, check prompts."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from bot import __version__
from bot.cli.people import person_app
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.events import Surface

AVAILABLE_PLATFORMS = ("console", "slack", "discord")

app = typer.Typer(
    name="mentorbot",
    help="Self-hosted mentorship assistant for Slack and Discord. With no platform configured, "
    "`mentorbot run` starts a chat in this terminal on a local SQLite database.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # help text mentions [sections] of the config file literally
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations, backups and restores.", no_args_is_help=True)
prompts_app = typer.Typer(
    help="The wording: prompts/, each capability's prompts.toml and [bot] prompts_dir.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(prompts_app, name="prompts")
config_app = typer.Typer(help="The config file.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(person_app, name="person")  # bot/cli/people.py

err = Console(stderr=True)


class State:
    """Options of the top-level command, passed to the subcommands."""

    config: Path | None = None


def _settings(ctx: typer.Context) -> Settings:
    try:
        return load_settings(ctx.obj.config if ctx.obj else None)
    except ConfigError as exc:
        err.print(
            f"[red]Configuration error:[/red] {escape(str(exc))}", markup=True, highlight=False
        )
        raise typer.Exit(2) from None


def _surfaces() -> Mapping[str, Surface]:
    """Every platform's surface (the composition root is the one place that imports adapters)."""
    from adapters.surfaces import surfaces

    return surfaces()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mentorbot {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="MENTORBOT_CONFIG",
            help="Path to the TOML config file (`mentorbot config example` prints one).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Self-hosted mentorship assistant for Slack and Discord."""
    state = State()
    state.config = config
    ctx.obj = state


_PlatformOption = Annotated[
    list[str] | None,
    typer.Option(
        "--platform",
        "-p",
        help="Platform to serve; repeat for several. Default: [bot] platforms "
        "from the config, else console.",
    ),
]
_AsOption = Annotated[
    str, typer.Option("--as", help="Console only: the user you chat as (switch with /as).")
]
_HttpOption = Annotated[
    bool,
    typer.Option(
        "--http",
        help="Slack: serve POST /slack/events (production mode) even when SLACK_APP_TOKEN is set.",
    ),
]
_HostOption = Annotated[
    str | None, typer.Option(help="HTTP mode: address to listen on ([slack] http_host).")
]
_PortOption = Annotated[
    int | None, typer.Option(help="HTTP mode: port to listen on ([slack] http_port).")
]
_VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Console only: show the log on the terminal too (by default it goes to "
        "<data_dir>/mentorbot.log and only warnings are shown).",
    ),
]


@app.command()
def run(
    ctx: typer.Context,
    platform: _PlatformOption = None,
    as_user: _AsOption = "alice",
    http: _HttpOption = False,
    host: _HostOption = None,
    port: _PortOption = None,
    verbose: _VerboseOption = False,
) -> None:
    """Apply pending migrations, then run the bot (the console chat by default).

    Slack: Socket Mode when SLACK_APP_TOKEN is set, else (or with --http) HTTP mode.
    Needs SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET for HTTP mode.

    Discord: needs DISCORD_TOKEN.

    Slack and Discord can run in one process: --platform slack --platform discord.
    """
    settings = _settings(ctx)
    platforms = tuple(platform) if platform else settings.bot.platforms
    unknown = [p for p in platforms if p not in AVAILABLE_PLATFORMS]
    if unknown:
        err.print(
            f"Not available in this version: {', '.join(unknown)}; "
            f"available: {', '.join(AVAILABLE_PLATFORMS)}."
        )
        raise typer.Exit(2)
    console = "console" in platforms
    if console and len(platforms) > 1:
        err.print("The console chat runs on its own; start chat platforms separately.")
        raise typer.Exit(2)
    if (http or host is not None or port is not None) and "slack" not in platforms:
        err.print(
            "--http, --host and --port serve Slack's HTTP endpoint, and Slack is not among "
            f"the platforms to run ({', '.join(platforms)}): add --platform slack or set "
            '[bot] platforms = ["slack"] in the config file.',
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    _logging(settings, console=console, verbose=verbose)
    try:
        _start(settings, platforms, as_user=as_user, http=http, host=host, port=port)
    except ConfigError as exc:
        err.print(f"Cannot start: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _start(
    settings: Settings,
    platforms: tuple[str, ...],
    *,
    as_user: str,
    http: bool,
    host: str | None,
    port: int | None,
) -> None:
    """Build the bot and run the console chat, or serve the chat platforms."""
    import asyncio

    from adapters.console import run_console
    from adapters.runtime import ServeOptions, serve
    from adapters.surfaces import surfaces
    from bot.app import build_bot

    console = "console" in platforms
    # The console's clock can be moved forward (/time +7d) to try a whole program; the
    # database keeps how far, for restarts and the terminal commands.
    bot = build_bot(settings, surfaces=surfaces(), console_clock=console)
    if console:
        run_console(bot, user=as_user)
        return
    asyncio.run(serve(bot, platforms, ServeOptions(http=http, host=host, port=port)))


@app.command()
def match(
    ctx: typer.Context,
    program_id: Annotated[
        str | None,
        typer.Option(
            "--program", help="Program id, short name or name (needed when there are several)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=999_999_999, help="Seed for a reproducible run (0 to 999999999)."),
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Also re-pair people whose pairs aren't working (stalled, or a poor fit); "
            "those pairs end on publish and their people are told.",
        ),
    ] = False,
    fresh_all: Annotated[
        bool,
        typer.Option("--fresh-all", help="Re-pair everyone: every active pair ends on publish."),
    ] = False,
    publish_now: Annotated[
        bool, typer.Option("--publish", help="Publish at once: pairs become real, intros queued.")
    ] = False,
) -> None:
    """Preview a matching of the program (nothing is sent), or publish it with --publish."""
    from adapters.surfaces import surfaces
    from bot.cli.match import run_match

    settings = _settings(ctx)
    _logging(settings)
    code = run_match(
        settings,
        program_id=program_id,
        seed=seed,
        fresh="all" if fresh_all else ("stalled" if fresh else ""),
        publish_now=publish_now,
        surfaces=surfaces(),
    )
    raise typer.Exit(code)


@app.command()
def forget(
    ctx: typer.Context,
    platform: Annotated[str, typer.Argument(help="slack, discord or console.")],
    user_id: Annotated[str, typer.Argument(help="The person's platform user id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Don't ask for confirmation.")] = False,
) -> None:
    """Forget a person: delete everything personal, end their pairs (partners are told)."""
    from adapters.surfaces import surfaces
    from bot.cli.forget import run_forget

    settings = _settings(ctx)
    _logging(settings)
    code = run_forget(
        settings,
        platform=platform.lower(),
        user_id=user_id,
        confirm=(lambda _q: True) if yes else (lambda q: typer.confirm(q, default=False)),
        surfaces=surfaces(),
    )
    raise typer.Exit(code)


@app.command("import")
def import_roster(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The CSV file (first line: column names).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count; write nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows, report the rest.")
    ] = False,
    welcome: Annotated[
        bool, typer.Option("--welcome", help="Send new people the welcome DM.")
    ] = False,
    program_id: Annotated[
        str | None, typer.Option("--program", help="Program id, short name or name.")
    ] = None,
    platform: Annotated[
        str, typer.Option(help="Platform of a program to create when there is none.")
    ] = "console",
    workspace: Annotated[
        str, typer.Option(help="Workspace (Slack team / Discord guild id) of that program.")
    ] = "console",
    batch: Annotated[
        str | None,
        typer.Option(
            "--batch",
            help="The intake new members are recorded with (the report's intake split); "
            "default: the file's name and today's date.",
        ),
    ] = None,
) -> None:
    """Import participants from a CSV: every row checked as in chat, all errors at once."""
    import os

    from adapters.slack.lookup import email_resolver
    from adapters.surfaces import surfaces
    from bot.cli.roster import ImportOptions, run_import

    settings = _settings(ctx)
    _logging(settings)
    token = os.environ.get("SLACK_BOT_TOKEN", "")
    options = ImportOptions(
        path, dry_run, skip_invalid, welcome, program_id, platform.lower(), workspace, batch
    )
    resolvers = {"slack": email_resolver(token, settings.slack.api_url)} if token else {}
    raise typer.Exit(run_import(settings, options, surfaces=surfaces(), resolvers=resolvers))


@app.command("export")
def export_roster(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="csv (one file per table) or json.")] = "csv",
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path("."),
    program_id: Annotated[
        str | None, typer.Option("--program", help="Program id, short name or name.")
    ] = None,
) -> None:
    """Export participants, pairs, check-ins, goals and privacy-safe feedback/survey totals."""
    from adapters.surfaces import surfaces
    from bot.cli.roster import run_export

    if fmt not in ("csv", "json"):
        err.print("--format is csv or json.", markup=False)
        raise typer.Exit(2)
    settings = _settings(ctx)
    _logging(settings)
    code = run_export(settings, out_dir=out, fmt=fmt, program_id=program_id, surfaces=surfaces())
    raise typer.Exit(code)


@app.command()
def demo(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="A SQLite file or a database URL for the demo (default: demo.db in the "
            "data directory). Never the bot's own database.",
        ),
    ] = None,
    people: Annotated[
        int, typer.Option(min=20, max=2000, help="People who join (20 to 2000).")
    ] = 120,
    weeks: Annotated[
        int,
        typer.Option(min=4, max=52, help="Weeks the program runs (4 to 52); a week more follows."),
    ] = 12,
    seed: Annotated[
        int, typer.Option(min=0, max=999_999_999, help="Seed of the sample (0 to 999999999).")
    ] = 1,
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete the demo file first if it exists.")
    ] = False,
) -> None:
    """Fill a separate database with a sample program, run through the bot's own commands
    on a simulated clock (people join, are matched, meet, set goals, rate their sessions and
    answer the surveys), then print how to see its report.
    """
    from adapters.surfaces import surfaces
    from bot.cli.demo import DemoOptions, quiet, run_demo

    settings = _settings(ctx)
    _logging(quiet(settings))  # the lines of each week say what happens
    options = DemoOptions(database, people, weeks, seed, replace)
    raise typer.Exit(run_demo(settings, options, platform="console", surfaces=surfaces()))


@app.command("report")
def report(
    ctx: typer.Context,
    program_id: Annotated[
        str | None, typer.Option("--program", help="Program id, short name or name.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    html_path: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one HTML file.")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write one CSV file per table into DIR.")
    ] = None,
    compare_to: Annotated[
        str | None,
        typer.Option(
            "--compare-to",
            help="Compare with an earlier period FROM:TO, 'previous' (as long, just before) "
            "or another program of the workspace (its short name).",
        ),
    ] = None,
) -> None:
    """Outcomes: participation, matching, meetings, goals, feedback, surveys, requests."""
    from datetime import date

    from adapters.surfaces import surfaces
    from bot.cli.report import run_report

    try:
        first = date.fromisoformat(start) if start else None
        last = date.fromisoformat(end) if end else None
    except ValueError:
        err.print("--from and --to are dates like 2026-09-01.", markup=False)
        raise typer.Exit(2) from None
    from bot.report.compare import parse_compare

    try:
        compare = parse_compare(compare_to) if compare_to else None
    except ValueError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    settings = _settings(ctx)
    _logging(settings)
    code = run_report(
        settings,
        program_id=program_id,
        start=first,
        end=last,
        html_path=html_path,
        csv_dir=csv_dir,
        surfaces=surfaces(),
        compare=compare,
    )
    raise typer.Exit(code)


def _engine(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """The configured database's engine, or a one-line error (never a traceback)."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.engine import BadDatabaseURL, make_engine, ping

    try:
        settings = _settings(ctx)
        engine = make_engine(settings.database_url, data_dir=Path(settings.bot.data_dir))
        ping(engine)
    except BadDatabaseURL as exc:
        err.print(f"Cannot open the database: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except (SQLAlchemyError, OSError) as exc:  # unreachable server, refused login, ...
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        err.print(
            f"Cannot open the database: {reason}", highlight=False, markup=False, soft_wrap=True
        )
        raise typer.Exit(2) from None
    return engine


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to the configured database (DATABASE_URL or the config file)."""
    from storage.migrate import current_revision, upgrade

    engine = _engine(ctx)
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    engine.dispose()  # closed at once: `db restore` needs the database to itself
    typer.echo(f"database at revision {after} (was {before or 'empty'})")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's revision and the newest one this version ships."""
    from storage.migrate import current_revision, head_revision

    engine = _engine(ctx)
    current, head = current_revision(engine), head_revision(engine)
    engine.dispose()
    state = "up to date" if current == head else "run `mentorbot db upgrade`"
    typer.echo(f"current: {current or 'empty'}  head: {head}  ({state})")


@db_app.command("revision")
def db_revision(
    ctx: typer.Context,
    message: Annotated[str, typer.Option("--message", "-m", help="What the change does.")],
) -> None:
    """For developers: autogenerate a migration from the models (the database must be at head)."""
    from storage.migrate import revision, source_checkout

    if source_checkout() is None:
        err.print(
            "db revision is for developers working in a checkout of mentorbot: it writes a new "
            "migration into the source tree (this copy is installed, not a checkout).",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    revision(_engine(ctx), message)


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """SQLite: a consistent copy of the database in one file, also while the bot runs."""
    from bot.cli.backup import run_backup

    raise typer.Exit(run_backup(_settings(ctx), file, force=force))


@db_app.command("restore")
def db_restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file made by `mentorbot db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Don't ask for confirmation.")] = False,
) -> None:
    """SQLite, with the bot stopped: replace the database by a backup, then migrate it."""
    from bot.cli.backup import run_restore

    confirm = (lambda _q: True) if yes else (lambda q: typer.confirm(q, default=False))
    raise typer.Exit(run_restore(_settings(ctx), file, confirm=confirm))


@prompts_app.command("check")
def prompts_check(ctx: typer.Context) -> None:
    """Validate the prompt files and conversation scripts (the core's, each capability's and
    [bot] prompts_dir).
    """
    from bot.app import build_conversations, build_registry, load_prompts

    settings = _settings(ctx)
    dirs = [Path(settings.bot.prompts_dir).expanduser()] if settings.bot.prompts_dir else []
    try:
        registry = build_registry()
        prompts = load_prompts(dirs, registry)
        conversations = build_conversations(dirs, registry)
    except ConfigError as exc:
        err.print(str(exc), highlight=False, markup=False)
        raise typer.Exit(1) from None
    typer.echo(
        f"{len(prompts.keys())} prompts and {len(conversations.scripts)} conversation scripts OK"
    )
    from bot.i18n.report import locale_report

    lines, complete = locale_report(prompts, conversations)
    for line in lines:
        typer.echo(line)
    if not complete:
        raise typer.Exit(1)


@config_app.command("example")
def config_example() -> None:
    """Print the example config file (every setting with its default) to start your own from."""
    from bot.config import example

    typer.echo(example(), nl=False)


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _formatter(settings: Settings) -> logging.Formatter:
    """Plain lines, or JSON lines with ``[bot] log_format = "json"``."""
    if settings.bot.log_format == "json":
        from bot.logformat import JsonLines

        return JsonLines()
    return logging.Formatter(_LOG_FORMAT)


def _logging(settings: Settings, *, console: bool = False, verbose: bool = False) -> Path | None:
    """Log at ``[bot] log_level`` to stderr; the console chat keeps its screen for the chat:
    everything goes to ``<data_dir>/mentorbot.log`` and only warnings reach the terminal
    (unless ``--verbose``). APScheduler's INFO lines reach stderr only at DEBUG. Returns the
    log file, if any.
    """
    level = getattr(logging, settings.bot.log_level.upper(), logging.INFO)
    if not console or verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_formatter(settings))
        logging.basicConfig(level=level, handlers=[handler])
        logging.getLogger("alembic").setLevel(logging.WARNING)
        if level > logging.DEBUG:
            # APScheduler says INFO for every job added and every run (two lines per dispatch
            # tick): on the terminal and in a service's journal only with log_level = DEBUG.
            # The console's log file (below) keeps them.
            logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
        return None
    path = Path(settings.bot.data_dir).expanduser() / "mentorbot.log"
    root = logging.getLogger()
    root.setLevel(level)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(terminal)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    to_file.setFormatter(_formatter(settings))
    root.addHandler(to_file)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path


def main() -> None:
    """The ``mentorbot`` entry point."""
    app()


if __name__ == "__main__":
    main()
