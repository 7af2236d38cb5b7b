"""The database going away: PostgreSQL stopped and started, SQLite locked by another writer.

Meanwhile commands are answered "try again in a moment" with nothing changed, the pulse logs
one line per job and carries on, and once the database is back everything works again without
restarting the bot.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from dataclasses import replace
from functools import partial

import pytest
from sqlalchemy import func, select

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.outbox import Dispatcher
from bot.pulse import Pulse
from bot.time.clock import FakeClock
from fakes.postgres import PostgresServer
from storage.engine import transaction
from storage.models import Member
from tests.conftest import START, run

SORRY = "can't reach my database"


def _members(bot) -> int:  # type: ignore[no-untyped-def]
    with transaction(bot.engine) as session:
        return int(session.execute(select(func.count()).select_from(Member)).scalar_one())


def _pulse_once(pulse: Pulse) -> None:
    for name in pulse.jobs:
        asyncio.run(pulse._guarded(name, partial(pulse.run, name)))
    asyncio.run(pulse._guarded("dispatch", pulse.dispatch))


@pytest.fixture
def own_postgres():
    """A server of its own: this test stops it, which must not disturb the others."""
    server = PostgresServer.start()
    yield server
    server.close()


def test_postgres_stopped_and_started_again(own_postgres, settings, caplog):
    settings = replace(settings, bot=replace(settings.bot, database_url=own_postgres.url()))
    bot = build_bot(settings, clock=FakeClock(START), surfaces=surfaces())
    pulse = Pulse(bot, Dispatcher(bot.engine, bot.clock, {}))
    assert "You're in" in run(bot, "join mentee", who="ann")

    outage = threading.Thread(target=own_postgres.restart_after, args=(3.0,))
    outage.start()
    answers: list[str] = []
    pulse_warnings: list[str] = []
    time.sleep(0.5)  # the server is stopping or down from here for about three seconds
    while outage.is_alive():
        answers.append(run(bot, "join mentor", who=f"p{len(answers)}"))
        caplog.clear()
        _pulse_once(pulse)  # a pulse during the outage: warnings, no exception escapes
        pulse_logs = [r for r in caplog.records if r.name == "bot.pulse"]
        assert all(r.levelno == logging.WARNING and not r.exc_info for r in pulse_logs)
        pulse_warnings += [r.getMessage() for r in pulse_logs]
        time.sleep(0.2)
    outage.join()

    sorry = [a for a in answers if SORRY in a]
    welcomed = [a for a in answers if "You're in" in a]
    assert sorry, answers  # some commands fell inside the outage ...
    assert len(sorry) + len(welcomed) == len(answers)  # ... and none got a traceback
    assert "try again in a moment" in sorry[0]
    assert any("database unavailable" in w for w in pulse_warnings)
    # Back without a restart: the same bot, the same engine.
    assert "You're in" in run(bot, "join mentor", who="cat")
    caplog.clear()
    _pulse_once(pulse)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert _members(bot) == 1 + len(welcomed) + 1  # the refused joins wrote nothing


def test_sqlite_locked_by_another_writer(bot, settings, caplog):
    assert "You're in" in run(bot, "join mentee", who="ann")
    path = settings.database_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        with caplog.at_level(logging.WARNING):
            reply = run(bot, "join mentor", who="bob")
        assert SORRY in reply and "try again in a moment" in reply
        assert "database unavailable" in caplog.text and "Traceback" not in caplog.text
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _members(bot) == 1  # nothing was written while locked
    assert "You're in" in run(bot, "join mentor", who="bob")
    assert _members(bot) == 2


def test_a_replay_check_during_an_outage_lets_the_request_through(bot, settings):
    """The Slack gate asks ``first_time`` before anything else: with the database locked it
    can't tell, so the request goes on to be answered "try again" rather than failing."""
    path = settings.database_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert bot.first_time("slack-sig:v0=abc") is True
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert bot.first_time("slack-sig:v0=abc") is True  # not recorded during the outage
    assert bot.first_time("slack-sig:v0=abc") is False
