"""Several real ``mentorbot run`` processes on one database and one fake Slack: every process
runs the whole pulse (planning nudges, dispatching, the other jobs) at the same time, and
still every message goes out exactly once and every nudge is planned once.

Three processes on PostgreSQL (claims with ``FOR UPDATE SKIP LOCKED``) with 10,000 messages:
2,000 nudges the processes plan themselves from 1,000 pairs whose check-in hour has just
passed, and 8,000 introductions and announcements already queued. Two on one SQLite file
(writers take turns) with 4,000: 1,000 nudges and 3,000 queued.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.time.clock import FakeClock
from fakes.programs import make_pair, make_program, queue_channel_messages
from fakes.slack import FakeSlack
from storage.engine import transaction
from storage.models import OutboxMessage, OutboxStatus

# (pairs, queued): 10,000 messages on PostgreSQL; 4,000 on SQLite, whose one writer makes
# it the slower of the two and the point there is correctness, not volume.
POSTGRES_SIZE = (1000, 8000)
SQLITE_SIZE = (500, 3000)


def _zone_where_it_is_eleven(now: datetime) -> str:
    """An Etc/GMT zone whose local time is now between 11:00 and 12:00, so a check-in hour of
    10 has just passed there (clear of quiet hours whenever the test runs)."""
    offset = (11 - now.hour) % 24
    if offset > 14:
        offset -= 24
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _seed(settings, pairs: int, queued: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    zone = _zone_where_it_is_eleven(now)
    local = now.astimezone(ZoneInfo(zone))
    bot = build_bot(settings, clock=FakeClock(now - timedelta(days=20)), surfaces=surfaces())
    program = make_program(bot, weekday=local.weekday(), hour=10, platform="slack", workspace="T1")
    for k in range(pairs):
        make_pair(
            bot, program, f"UA{k}", f"UB{k}", zone_a=zone, zone_b=zone,
            started=now - timedelta(days=14), platform="slack",
        )  # fmt: skip
    queue_channel_messages(
        bot.engine, queued, key="intro-or-announcement:{k}", text="queued {k}", due=now
    )
    bot.engine.dispose()


def _config(tmp_path, fake: FakeSlack, name: str) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[bot]\ndata_dir = "{tmp_path}"\nplatforms = ["slack"]\ninstance = "{name}"\n'
        f'log_level = "WARNING"\n'
        f'[slack]\napi_url = "{fake.url}/api/"\nmessages_per_second = 2000.0\n'
        "[checkins]\ndispatch_every_seconds = 1\nplan_every_minutes = 1\n"
    )
    return str(path)


async def _run_processes(
    tmp_path, fake: FakeSlack, count: int, database_url: str, total: int
) -> float:  # type: ignore[no-untyped-def]
    env = {
        **{k: v for k, v in os.environ.items() if k != "MENTORBOT_CONFIG"},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s3cret",
        "PYTHONPATH": os.getcwd(),
    }
    started = time.monotonic()
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            _config(tmp_path, fake, f"bot-{n}"),
            "run",
            "--http",
            "--port",
            "0",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(count)
    ]
    try:
        await fake.wait_for(lambda: len(fake.calls_to("chat.postMessage")) >= total, 240)
        took = time.monotonic() - started
        await asyncio.sleep(1.5)  # a late duplicate would show up here
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        logs = [(await asyncio.wait_for(p.communicate(), 30))[1].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), logs
    assert not any("Traceback" in log for log in logs), logs
    return took


def _check(engine, fake: FakeSlack, label: str, took: float, pairs: int, total: int) -> None:  # type: ignore[no-untyped-def]
    posted = Counter((p["channel"], p["text"]) for p in fake.calls_to("chat.postMessage"))
    doubled = sum(n - 1 for n in posted.values() if n > 1)
    with transaction(engine) as s:
        statuses = dict(
            s.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        nudges = s.execute(
            select(func.count()).where(col(OutboxMessage.dedupe_key).like("nudge:%"))
        ).scalar_one()
    sent = statuses.get(OutboxStatus.SENT, 0)
    print(
        f"{label}: {sent} sent in {took:.1f} s ({sent / took:.0f}/s), "
        f"lost {total - len(posted)}, sent twice {doubled}; statuses {statuses}"
    )
    assert nudges == pairs * 2  # each person's nudge planned once, by whichever process
    assert sent == total == len(posted)  # nothing lost
    assert doubled == 0  # nothing sent twice


@pytest.mark.slow
async def test_three_processes_on_postgresql(tmp_path, settings, pg_server, pg_template):
    name = pg_server.create_database(template=pg_template)
    url = pg_server.url(name)
    settings = replace(settings, bot=replace(settings.bot, database_url=url))
    pairs, queued = POSTGRES_SIZE
    await asyncio.to_thread(_seed, settings, pairs, queued)
    fake = await FakeSlack().start()
    try:
        took = await _run_processes(tmp_path, fake, 3, url, pairs * 2 + queued)
        from storage.engine import make_engine

        engine = make_engine(url)
        _check(engine, fake, "3 processes, PostgreSQL", took, pairs, pairs * 2 + queued)
        engine.dispose()
    finally:
        await fake.stop()
        pg_server.drop_database(name)


@pytest.mark.slow
async def test_two_processes_on_one_sqlite_file(tmp_path, settings):
    count = 2
    pairs, queued = SQLITE_SIZE
    await asyncio.to_thread(_seed, settings, pairs, queued)
    fake = await FakeSlack().start()
    try:
        took = await _run_processes(
            tmp_path, fake, count, settings.database_url, pairs * 2 + queued
        )
        from storage.engine import make_engine

        engine = make_engine(settings.database_url)
        _check(engine, fake, f"{count} processes, SQLite", took, pairs, pairs * 2 + queued)
        engine.dispose()
    finally:
        await fake.stop()
