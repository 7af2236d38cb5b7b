"""What a real ``mentorbot run`` (Slack HTTP mode) writes to stderr, which is a service's
journal: the bot's own lines, not a library's start-up chatter. APScheduler's INFO lines (every
job added, every run: two lines per dispatch tick) appear only with ``log_level = "DEBUG"``;
slack-bolt's "As you gave `client` as well, `token` will be unused" not at all."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.programs import queue_channel_messages
from fakes.slack import FakeSlack
from storage.engine import make_engine
from storage.migrate import upgrade


async def _run_until_one_message_is_sent(tmp_path: Path, fake: FakeSlack, level: str) -> str:
    """Start the bot with one message queued, stop it (SIGTERM) once Slack got it: stderr."""
    engine = make_engine(f"sqlite:///{tmp_path / 'mentorbot.db'}")
    upgrade(engine)
    queue_channel_messages(engine, 1, due=datetime.now(UTC))
    engine.dispose()
    config = tmp_path / "mentorbot.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{tmp_path}"\nplatforms = ["slack"]\nlog_level = "{level}"\n'
        f'[slack]\napi_url = "{fake.url}/api/"\n[checkins]\ndispatch_every_seconds = 1\n'
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MENTORBOT_CONFIG")},
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s3cret",
        "PYTHONPATH": os.getcwd(),
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run", "--http", "--port", "0",
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake.wait_for(lambda: len(fake.calls_to("chat.postMessage")) >= 1, 60)
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(bot.communicate(), 30)
    log = err.decode(errors="replace")
    assert bot.returncode == 0, log
    return log


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_start_up_logs_the_bot_not_its_libraries(tmp_path, level):
    fake = await FakeSlack().start()
    try:
        log = await _run_until_one_message_is_sent(tmp_path, fake, level)
    finally:
        await fake.stop()
    assert "INFO adapters.runtime: slack HTTP mode on" in log, log
    assert [line for line in log.splitlines() if " WARNING " in line] == [], log
    # INFO: none of APScheduler's lines; DEBUG: they are there for whoever asks.
    assert ("apscheduler" in log) == (level == "DEBUG"), log
