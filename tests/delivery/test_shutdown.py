"""SIGTERM to a real ``mentorbot run`` (Slack HTTP mode) in the middle of dispatching a backlog:
the sends under way finish and are recorded, the rest go back to the queue unsent with no
attempt used, and the process exits 0 within ``[bot] shutdown_seconds``. A restart then sends
the rest: every message exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.config import load_settings
from fakes.programs import queue_channel_messages
from fakes.slack import FakeSlack
from storage.engine import make_engine, transaction
from storage.migrate import upgrade
from storage.models import OutboxMessage, OutboxStatus

MESSAGES = 150
GRACE = 4


def _config(tmp_path, fake: FakeSlack) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "mentorbot.toml"
    path.write_text(
        f'[bot]\ndata_dir = "{tmp_path}"\nplatforms = ["slack"]\nshutdown_seconds = {GRACE}\n'
        f'instance = "bot-1"\n'
        f'[slack]\napi_url = "{fake.url}/api/"\n'
        "[checkins]\ndispatch_every_seconds = 1\n"
    )
    return str(path)


def _statuses(engine) -> Counter[str]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return Counter({str(status): n for status, n in rows})


async def _start(config: str, tmp_path) -> asyncio.subprocess.Process:  # type: ignore[no-untyped-def]
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MENTORBOT_CONFIG")},
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s3cret",
        "PYTHONPATH": os.getcwd(),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", config, "run", "--http", "--port", "0",
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def _backlog(tmp_path):  # type: ignore[no-untyped-def]
    base = load_settings(None, env={})
    settings = replace(base, bot=replace(base.bot, data_dir=str(tmp_path)))
    engine = make_engine(settings.database_url)
    upgrade(engine)
    queue_channel_messages(engine, MESSAGES, due=datetime.now(UTC))
    return engine


async def test_sigterm_finishes_sends_under_way_and_exits_in_time(tmp_path):
    fake = await FakeSlack(post_delay=0.25).start()  # every send is in flight for a while
    try:
        engine = _backlog(tmp_path)
        config = _config(tmp_path, fake)

        def posted() -> Counter[str]:
            return Counter(
                p["text"] for p in fake.calls_to("chat.postMessage") if "message" in p["text"]
            )

        bot = await _start(config, tmp_path)
        await fake.wait_for(lambda: sum(posted().values()) >= 40, 60)
        bot.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        _, err = await asyncio.wait_for(bot.communicate(), GRACE + 20)
        took = time.monotonic() - signalled
        log = err.decode(errors="replace")
        at_stop = sum(posted().values())
        statuses = _statuses(engine)
        print(f"SIGTERM after {at_stop} sends: exited {bot.returncode} in {took:.2f} s; {statuses}")
        assert bot.returncode == 0, log
        assert took < GRACE + 3, log  # start-up of the interpreter aside, within the bound
        assert "Traceback" not in log, log
        # Every request that reached Slack was recorded as sent; nothing left claimed.
        assert statuses[OutboxStatus.SENT] == at_stop
        assert statuses[OutboxStatus.CLAIMED] == 0
        assert statuses[OutboxStatus.PENDING] == MESSAGES - at_stop
        with transaction(engine) as s:
            used = s.execute(
                select(func.max(OutboxMessage.attempts)).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            ).scalar_one()
        assert used == 0  # put back unsent, as they were

        again = await _start(config, tmp_path)
        await fake.wait_for(lambda: sum(posted().values()) >= MESSAGES, 60)
        again.send_signal(signal.SIGTERM)
        await asyncio.wait_for(again.communicate(), GRACE + 20)
        counts = posted()
        assert [k for k in range(MESSAGES) if counts[f"message {k}"] != 1] == []
        assert _statuses(engine)[OutboxStatus.SENT] == MESSAGES
        engine.dispose()
    finally:
        await fake.stop()


async def test_sigterm_with_a_platform_that_never_answers_still_exits_in_time(tmp_path):
    """Sends that don't finish within the bound are cut off; the process still exits 0, and
    those rows (and only those) are this instance's to take back at its next start."""
    fake = await FakeSlack(post_delay=GRACE + 2).start()
    try:
        engine = _backlog(tmp_path)
        bot = await _start(_config(tmp_path, fake), tmp_path)
        await fake.wait_calls("chat.postMessage", 8, 60)  # all eight senders stuck
        bot.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        _, err = await asyncio.wait_for(bot.communicate(), GRACE + 20)
        took = time.monotonic() - signalled
        log = err.decode(errors="replace")
        statuses = _statuses(engine)
        print(f"hung platform: exited {bot.returncode} in {took:.2f} s; {statuses}")
        assert bot.returncode == 0 and GRACE - 0.5 < took < GRACE + 3, log
        assert "still running after" in log and "Traceback" not in log, log
        in_flight = len(fake.calls_to("chat.postMessage"))
        assert statuses[OutboxStatus.CLAIMED] == in_flight  # the cut-off sends, leased to us
        assert statuses[OutboxStatus.PENDING] == MESSAGES - in_flight
        engine.dispose()
    finally:
        await fake.stop()
