"""Shared fixtures: a fake clock, a migrated temporary SQLite database and a wired bot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from adapters.surfaces import CONSOLE, surfaces
from bot.app import MentorBot, build_bot
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.events import Actor, Command
from bot.replies import Form, FormErrors, Message, Reply
from storage.engine import make_engine

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = load_settings(None, env={})
    return replace(base, bot=replace(base.bot, data_dir=str(tmp_path / "data")))


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
    from tests.core.test_fuzz import _setup

    base = load_settings(None, env={})
    data = tmp_path_factory.mktemp("fuzz")
    settings = replace(base, bot=replace(base.bot, data_dir=str(data)))
    bot = build_bot(settings, clock=FakeClock(START), surfaces=surfaces())
    _setup(bot)
    return bot
