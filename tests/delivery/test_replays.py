"""Two real ``mentorbot run --http`` processes on one database (a SQLite file, or PostgreSQL):
a captured signed slash command replayed to the other process, and an event Slack retries
(same event id, new signature) to the other process, are each handled once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from sqlmodel import select

from fakes.slack import FakeSlack, event_callback_body, signed_headers, slash_command_body
from storage.engine import make_engine, transaction
from storage.migrate import upgrade
from storage.models import Member

SECRET = "replay-secret"
READY = re.compile(r"slack HTTP mode on 127\.0\.0\.1:(\d+)")


@dataclass
class BotProcess:
    """One running ``mentorbot run --http`` and the port it serves on."""

    proc: asyncio.subprocess.Process
    port: int = 0
    log: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def post(self, body: str, headers: dict[str, str]) -> int:
        """POST ``body`` to this process's ``/slack/events``; returns the HTTP status."""
        url = f"http://127.0.0.1:{self.port}/slack/events"
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body.encode(), headers=headers) as response,
        ):
            return response.status


async def _read_log(bot: BotProcess, bound: asyncio.Future[int]) -> None:
    """Keep the process's stderr drained; resolve ``bound`` with the port it logs."""
    assert bot.proc.stderr is not None
    async for raw in bot.proc.stderr:
        line = raw.decode(errors="replace")
        bot.log.append(line)
        found = READY.search(line)
        if found and not bound.done():
            bound.set_result(int(found.group(1)))
    if not bound.done():
        bound.set_exception(RuntimeError("exited before serving:\n" + "".join(bot.log)))


@asynccontextmanager
async def _bots(tmp_path, fake: FakeSlack, database_url: str) -> AsyncIterator[list[BotProcess]]:  # type: ignore[no-untyped-def]
    env = {
        **{k: v for k, v in os.environ.items() if k != "MENTORBOT_CONFIG"},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "PYTHONPATH": os.getcwd(),
    }
    bots: list[BotProcess] = []
    try:
        for n in range(2):
            config = tmp_path / f"bot-{n}.toml"
            config.write_text(
                f'[bot]\ndata_dir = "{tmp_path}"\nplatforms = ["slack"]\ninstance = "bot-{n}"\n'
                f'log_level = "INFO"\n[slack]\napi_url = "{fake.url}/api/"\n'
            )
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(config), "run", "--http",
                "--host", "127.0.0.1", "--port", "0",
                env=env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            bot = BotProcess(proc)
            bots.append(bot)
            bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            bot.reader = asyncio.create_task(_read_log(bot, bound))
            bot.port = await asyncio.wait_for(bound, 120)
        yield bots
    finally:
        for bot in bots:
            if bot.proc.returncode is None:
                bot.proc.send_signal(signal.SIGTERM)
        for bot in bots:
            await asyncio.wait_for(bot.proc.wait(), 60)
            if bot.reader is not None:
                await bot.reader
    assert all(b.proc.returncode == 0 for b in bots), [b.log for b in bots]
    assert not any("Traceback" in line for b in bots for line in b.log), [b.log for b in bots]


def _database_url(settings, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The test's database, migrated (both processes then find it ready)."""
    url = settings.bot.database_url or f"sqlite:///{tmp_path}/mentorbot.db"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


async def test_a_replay_to_another_process_runs_once(tmp_path, settings, backend):
    """A signed slash command handled by one process and replayed to the other does nothing
    there; an event Slack retries (same event id, new signature) to the other process is
    not answered twice."""
    url = _database_url(settings, tmp_path)
    fake = await FakeSlack(users={"U1": {"name": "alice", "tz": "Europe/London"}}).start()
    try:
        async with _bots(tmp_path, fake, url) as (first, second):
            body = _command(fake, "join mentee", response="1")
            headers = signed_headers(SECRET, body)
            assert await first.post(body, headers) == 200
            await fake.wait_responses(1, timeout=60)
            assert await second.post(body, headers) == 200  # the captured request, replayed

            events = _event("EvReplay", channel="DREPLAY")
            now = int(time.time())
            assert await first.post(events, _event_headers(events, now)) == 200
            await fake.wait_for(lambda: _answers(fake, "DREPLAY") == 1, 60)
            # Slack's retry: the same event id, signed again at another time, to the other.
            assert await second.post(events, _event_headers(events, now - 1, retry=1)) == 200

            # Later requests to the second process: answered, so the replays were dropped
            # there (they came first), not merely slow.
            later = _command(fake, "status", response="2")
            assert await second.post(later, signed_headers(SECRET, later)) == 200
            await fake.wait_for(lambda: "2" in fake.response_ids, 60)
            again = _event("EvLater", channel="DLATER")
            assert await second.post(again, _event_headers(again, now)) == 200
            await fake.wait_for(lambda: _answers(fake, "DLATER") == 1, 60)
        assert fake.response_ids == ["1", "2"]  # the replayed command ran once
        assert _answers(fake, "DREPLAY") == 1  # the retried event was answered once
        engine = make_engine(url)
        with transaction(engine) as s:
            assert len(s.exec(select(Member)).all()) == 1
        engine.dispose()
    finally:
        await fake.stop()


def _command(fake: FakeSlack, text: str, *, response: str) -> str:
    """``/mentor <text>`` from alice, answered through response_url ``response``."""
    url = f"{fake.url}/response/{response}"
    return slash_command_body(url, text, user="U1", name="alice", trigger=f"t.{response}")


def _event(event_id: str, *, channel: str) -> str:
    """A direct message to the bot, delivered as the Events API event ``event_id``."""
    event = {"type": "message", "channel_type": "im", "user": "U1", "text": "status",
             "channel": channel, "ts": "1.1"}  # fmt: skip
    return event_callback_body(event, event_id)


def _event_headers(body: str, stamp: int, *, retry: int = 0) -> dict[str, str]:
    headers = signed_headers(SECRET, body, timestamp=stamp, content_type="application/json")
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
    return headers


def _answers(fake: FakeSlack, channel: str) -> int:
    """Replies posted in ``channel`` (the DM an event came from)."""
    return sum(p.get("channel") == channel for p in fake.calls_to("chat.postMessage"))
