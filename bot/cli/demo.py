"""``mentorbot demo``: a database filled with a sample program, run through the bot's real
commands on a fake clock (:mod:`bot.demo`), so a coordinator can try the report, the export
and the console on a populated program. It never touches the bot's own database.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.app import MentorBot, build_bot
from bot.config import Settings, load_settings
from bot.demo.plan import SURVEY_SCALES, DrivenTruth
from bot.demo.run import drive
from bot.demo.talk import DemoBroke
from bot.errors import ConfigError
from bot.events import Surface
from bot.time.clock import FakeClock
from storage import repo
from storage.engine import transaction

DEMO_FILE = "demo.db"  # in the configured data directory
# Teams with a true change of belonging from mid-program to the end, and a region whose
# mentees wait a round longer (their language is rare): the report has something to find.
TEAMS = {"Design": 0.4, "Engineering": 0.0, "Support": -0.3}
SLOW_REGION = "Asia"


@dataclass(frozen=True)
class DemoOptions:
    """What ``mentorbot demo`` was asked for."""

    database: str | None = None  # a SQLite file or a database URL; default <data_dir>/demo.db
    people: int = 120
    weeks: int = 12
    seed: int = 1
    replace: bool = False


def quiet(settings: Settings) -> Settings:
    """``settings`` logging warnings and worse only (the demo's weekly lines tell the rest)."""
    level = settings.bot.log_level.upper()
    if level in ("DEBUG", "INFO"):
        return replace(settings, bot=replace(settings.bot, log_level="WARNING"))
    return settings


def demo_url(settings: Settings, database: str | None) -> str:
    """The demo database's URL: ``database`` (a URL, or a SQLite file's path), else the
    file ``demo.db`` in the configured data directory.
    """
    if database and "://" in database:
        return database
    path = Path(database) if database else Path(settings.bot.data_dir) / DEMO_FILE
    return f"sqlite:///{path.expanduser().resolve()}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or SQLite in memory)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name one database (SQLite files compared by their full path)."""
    file_a, file_b = sqlite_file(a), sqlite_file(b)
    if file_a is not None or file_b is not None:
        return file_a == file_b
    return a == b


def run_demo(
    settings: Settings,
    options: DemoOptions,
    *,
    platform: str,
    surfaces: Mapping[str, Surface] | None = None,
    console: Console | None = None,
) -> int:
    """Fill the demo database with a program on ``platform`` (the console) and print how to
    look at it; 1 (after saying why) when it can't: the bot's own database, or one that
    already holds programs (without ``replace``).
    """
    out = console or Console(highlight=False, soft_wrap=True)
    url = demo_url(settings, options.database)
    if same_database(url, settings.database_url):
        out.print(
            "That is the bot's own database; the demo fills one of its own "
            f"(by default {DEMO_FILE} in the data directory).",
            markup=False,
        )
        return 1
    if options.replace and not _wipe(url, out):
        return 1
    started = _start(settings, url, options, surfaces, out)
    if started is None:
        return 1
    out.print(
        f"Running a {options.weeks}-week program of {options.people} people through the bot "
        f"(into {url}) ...",
        markup=False,
    )
    try:
        truth = asyncio.run(_fill(started, platform, options, out))
    except DemoBroke as exc:
        out.print(f"The demo stopped: {exc}", markup=False)
        return 1
    finally:
        started.engine.dispose()
    out.print(_done(truth, url), markup=False)
    return 0


async def _fill(bot: MentorBot, platform: str, options: DemoOptions, out: Console) -> DrivenTruth:
    """Drive the program, a line per week."""

    def week_done(week: int, truth: DrivenTruth) -> None:
        out.print(_progress(week, options, truth), markup=False)

    return await drive(
        bot,
        platform=platform,
        people=options.people,
        weeks=options.weeks,
        seed=options.seed,
        effects=TEAMS,
        slow_region=SLOW_REGION,
        on_week=week_done,
    )


def _wipe(url: str, out: Console) -> bool:
    """Delete the demo's SQLite file (and its journal); False after saying why it can't: not
    a file, or a file not named as a demo's (a backup of a real program must never go).
    """
    path = sqlite_file(url)
    if path is None:
        out.print(
            "--replace deletes a demo SQLite file only; empty that database yourself, or give "
            "--database a file.",
            markup=False,
        )
        return False
    if path.exists() and "demo" not in path.name.lower():
        out.print(
            f"--replace deletes only a demo file (a name with 'demo' in it, like demo.db), not "
            f"{path.name}: it may be a copy of a real program. Delete it yourself if you mean it.",
            markup=False,
            soft_wrap=True,
        )
        return False
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    return True


def _start(
    settings: Settings,
    url: str,
    options: DemoOptions,
    surfaces: Mapping[str, Surface] | None,
    out: Console,
) -> MentorBot | None:
    """The bot on the demo database (built-in settings, the clock weeks back), or None after
    saying why not: it can't open the database, or the database already holds programs.
    """
    defaults = load_settings(None, env={})  # the plan expects the built-in wording and rules
    demo = replace(
        defaults, bot=replace(defaults.bot, data_dir=settings.bot.data_dir, database_url=url)
    )
    start = datetime.now(UTC) - timedelta(weeks=options.weeks + 1, days=1)
    clock = FakeClock(start.replace(hour=9, minute=0, second=0, microsecond=0))
    try:
        bot = build_bot(demo, clock=clock, surfaces=surfaces)
    except ConfigError as exc:
        out.print(f"Cannot open the demo database: {exc}", markup=False, soft_wrap=True)
        return None
    with transaction(bot.engine) as session:
        programs = repo.programs(session=session)
    if programs:
        bot.engine.dispose()
        out.print(
            f"{url} already holds a program ({programs[0].name}); the demo fills an empty "
            "database. Add --replace to start the demo file afresh, or choose another file "
            "with --database.",
            markup=False,
            soft_wrap=True,
        )
        return None
    return bot


def _answers(truth: DrivenTruth) -> int:
    """Survey answers given so far (one per person and survey)."""
    return sum(len(truth.survey.get((s, scales[0]), [])) for s, scales in SURVEY_SCALES.items())


def _progress(week: int, options: DemoOptions, truth: DrivenTruth) -> str:
    """One line per simulated week."""
    held = sum(len(pairs) for pairs in truth.held.values())
    return (
        f"  week {week} of {options.weeks + 1}: {truth.pairs} pairs, {held} meetings held, "
        f"{truth.goals} goals, {len(truth.ratings)} ratings, {_answers(truth)} survey answers"
    )


def _done(truth: DrivenTruth, url: str) -> str:
    """What was made, and the exact commands to look at it."""
    env = f"DATABASE_URL={shlex.quote(url)}"
    return "\n".join(
        (
            f"Done: {sum(truth.roles.values())} people joined, {truth.pairs} pairs, "
            f"{truth.goals} goals, {len(truth.ratings)} ratings, {_answers(truth)} survey answers.",
            "The report of the demo program:",
            f"  {env} mentorbot report --html report.html --csv tables/",
            "Look around in the console (admin is the coordinator, p0000 a mentor, p0002 a "
            "mentee; /as switches):",
            f"  {env} mentorbot run --platform console --as admin",
        )
    )
