"""Shared fixtures: a fake clock, a migrated temporary database and a wired bot.

The storage, outbox, check-in, conversation (goals, feedback, surveys), matching, request and
personal-data suites run twice: on SQLite and on a throwaway PostgreSQL server
(``fakes.postgres``) when its binaries are on the machine.
CI sets ``MENTORBOT_TEST_POSTGRES=require`` so a machine without them fails instead of quietly
running SQLite only; elsewhere the header line says which backends ran."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from adapters.surfaces import CONSOLE, surfaces
from bot.app import MentorBot, build_bot
from bot.config import Settings, load_settings
from bot.demo.plan import DrivenTruth
from bot.events import Actor, Command
from bot.replies import Form, FormErrors, Message, Reply
from bot.time.clock import FakeClock
from fakes import postgres
from storage.engine import make_engine, sqlite_path

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


# Suites that run on both backends (paths relative to tests/).
BOTH_BACKENDS = (
    "storage/",
    "delivery/test_outbox.py",
    "delivery/test_replays.py",
    "delivery/test_slow_sends.py",
    "checkins/",
    "conversations/",
    "goals/",
    "feedback/",
    "surveys/",
    "matching/",
    "requests/",
    "personal/",
    "people/",
    "rounds/",
    "choosing/",
)


def _postgres_wanted() -> bool:
    if os.environ.get("MENTORBOT_TEST_POSTGRES") == "require":
        return True
    return os.environ.get("MENTORBOT_TEST_POSTGRES") != "off" and postgres.binaries() is not None


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    if _postgres_wanted():
        return "databases: sqlite and postgresql (throwaway server on 127.0.0.1)"
    return "databases: sqlite only (no PostgreSQL binaries; CI requires them)"


def pytest_generate_tests(metafunc):  # type: ignore[no-untyped-def]
    if "backend" not in metafunc.fixturenames:
        return
    where = Path(str(metafunc.definition.path)).relative_to(Path(__file__).parent).as_posix()
    backends = ["sqlite"]
    if where.startswith(BOTH_BACKENDS) and _postgres_wanted():
        backends.append("postgresql")
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request) -> str:  # type: ignore[no-untyped-def]
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.PostgresServer]:
    server = postgres.PostgresServer.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_template(pg_server: postgres.PostgresServer) -> str:
    """A database migrated to head, copied for each test."""
    from storage.migrate import upgrade

    name = pg_server.create_database()
    engine = make_engine(pg_server.url(name))
    upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path, request) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty database on the test's backend (no tables yet)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The test's ``[bot] database_url``: empty for SQLite (the file in the data directory), or
    a PostgreSQL copy of the migrated template."""
    if backend == "sqlite":
        yield ""  # the default: mentorbot.db in the data directory
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database(template=request.getfixturevalue("pg_template"))
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, backend: str) -> Settings:
    base = load_settings(None, env={})
    bot = replace(base.bot, data_dir=str(tmp_path / "data"), database_url=database_url)
    return replace(base, bot=bot)


COPIED_TEMPLATE = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per test process, copied for each test (as
    ``pg_template`` is on PostgreSQL): running the migrations costs more than most tests."""
    from storage.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "mentorbot.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


@pytest.fixture
def engine(settings: Settings, request) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """The test's database, migrated to head: on SQLite a copy of ``sqlite_template`` in the
    data directory, on PostgreSQL a copy of ``pg_template``."""
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        request.node.stash[COPIED_TEMPLATE] = True
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def bot(settings: Settings, clock: FakeClock, engine: Engine, request) -> MentorBot:  # type: ignore[no-untyped-def]
    """The bot on the test's database (a copy of the migrated template needs no migrating)."""
    migrate = not request.node.stash.get(COPIED_TEMPLATE, False)
    return build_bot(settings, clock=clock, engine=engine, surfaces=surfaces(), migrate=migrate)


def actor(name: str = "alice", *, timezone: str | None = None) -> Actor:
    return Actor(
        platform="console",
        user_id=name.lower(),
        display_name=name,
        workspace_id="console",
        timezone=timezone,
        surface=CONSOLE,
    )


def text_of(reply: Reply) -> str:
    if isinstance(reply, Message):
        return reply.plain()
    if isinstance(reply, FormErrors):
        return "\n".join(f"{k}: {v}" for k, v in reply.errors.items())
    assert isinstance(reply, Form)
    return reply.title


def run(bot: MentorBot, command: str, *, who: str = "alice", tz: str | None = None) -> str:
    """Send ``/mentor <command>`` as ``who`` and return the reply as plain text."""
    return text_of(bot.handle(Command(actor(who, timezone=tz), command)))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    """Collect garbage before pytest's summary, so a library's late "unclosed session" notice
    cannot land after the summary line that CI reads."""
    import gc

    gc.collect()


@pytest.fixture(scope="module")
def bot_once(tmp_path_factory) -> MentorBot:
    """One bot for a whole module (fuzz tests run thousands of events against it), with a
    small program already matched."""
    from tests.router.test_fuzz import _setup

    base = load_settings(None, env={})
    data = tmp_path_factory.mktemp("fuzz")
    settings = replace(base, bot=replace(base.bot, data_dir=str(data)))
    bot = build_bot(settings, clock=FakeClock(START), surfaces=surfaces())
    _setup(bot)
    return bot


PLANTED_EFFECTS = {"Alpha": 0.5, "Beta": 0.0}  # team -> true change in belonging


@pytest.fixture(scope="session")
def effects_program(tmp_path_factory: pytest.TempPathFactory) -> tuple[MentorBot, DrivenTruth]:
    """200 people over twelve weekly cycles driven through the bot (``fakes.driven``) with
    two planted truths: team Alpha's belonging rises by 0.5 from mid-program to end and team
    Beta's does not; Asia's mentees wait a round for mentors who speak their language. Built
    once (the tests only read it) for the report's and the surveys' tests, which share the
    xdist group ``effects_program`` so that one process builds it."""
    import asyncio

    from fakes.driven import drive

    base = load_settings(None, env={})
    data = tmp_path_factory.mktemp("effects")
    settings = replace(base, bot=replace(base.bot, data_dir=str(data)))
    bot = build_bot(settings, clock=FakeClock(START), surfaces=surfaces())
    truth = asyncio.run(
        drive(bot, people=200, weeks=12, seed=7, effects=PLANTED_EFFECTS, slow_region="Asia")
    )
    bot.engine.dispose()
    return bot, truth
