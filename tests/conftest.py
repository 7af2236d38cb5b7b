"""Shared fixtures: a fake clock, a migrated temporary database and a wired bot.

The storage, outbox, check-in, conversation (goals, feedback, surveys), matching, request and
personal-data suites run twice: on SQLite and on a throwaway PostgreSQL server
(``fakes.postgres``) when its binaries are on the machine.
CI sets ``MENTORBOT_TEST_POSTGRES=require`` so a machine without them fails instead of quietly
running SQLite only; elsewhere the header line says which backends ran."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from adapters.surfaces import CONSOLE, surfaces
from bot.app import MentorBot, build_bot
from bot.config import Settings, load_settings
from bot.events import Actor, Command
from bot.replies import Form, FormErrors, Message, Reply
from bot.time.clock import FakeClock
from fakes import postgres
from storage.engine import make_engine

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


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def bot(settings: Settings, clock: FakeClock, engine: Engine) -> MentorBot:
    return build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())


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
