"""A send slower than the outbox lease, with two dispatchers on one database: the sender keeps
renewing its lease while the send is under way, so the other dispatcher never claims the row
and the message reaches the platform once. A sender whose process stalls (it can't renew)
loses the row to the other dispatcher, which settles it the way a restart does; the stalled
one, once it runs again, neither records nor sends what is no longer its own.

Real time here (leases are wall-clock), with margins for a busy machine: a 2 s lease renewed
every 2/3 s, and sends that take 1.6 times the lease.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from adapters.discord import DiscordAdapter
from adapters.slack.delivery import SlackSender
from bot.delivery import Sender, Target
from bot.outbox import Dispatcher, DispatchStats, Outgoing, enqueue_many
from bot.replies import Message, Section
from bot.spans import Text
from bot.time.clock import SystemClock
from fakes.discord import FakeDiscord
from fakes.slack import FakeSlack
from storage.engine import transaction
from storage.migrate import upgrade
from storage.models import OutboxMessage

LEASE = timedelta(seconds=2)
SLOW = LEASE.total_seconds() * 1.6  # the 1.6 s send on a 1 s lease, scaled
# The stalling process stops right after a send; a longer lease keeps its first renewal
# (and the database locks that takes) well clear of that moment on a busy machine.
STALL_LEASE = LEASE * 2


def _queue(engine: Engine, targets: list[Target]) -> None:
    now = datetime.now(UTC)
    items = [
        Outgoing(f"m{k}", target, now, message=Message((Section(Text.trusted(f"message {k}")),)))
        for k, target in enumerate(targets)
    ]
    with transaction(engine) as s:
        enqueue_many(s, items, now=now)


def _rows(engine: Engine) -> list[OutboxMessage]:
    with transaction(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _dispatcher(engine: Engine, sender: Sender, owner: str) -> Dispatcher:
    return Dispatcher(engine, SystemClock(), {sender.platform: sender}, lease=LEASE, owner=owner)


async def _race(
    a: Dispatcher, b: Dispatcher, in_flight: Callable[[], Awaitable[None]]
) -> tuple[DispatchStats, DispatchStats]:
    """A claims and starts its slow send; B dispatches every tenth of a second (a second
    process's pulse, eager) until A is done, and once more after."""
    first = asyncio.ensure_future(a.dispatch_due())
    await in_flight()
    other = DispatchStats()
    while not first.done():
        other.sent += (await b.dispatch_due()).sent
        await asyncio.wait([first], timeout=0.1)
    other.sent += (await b.dispatch_due()).sent
    return first.result(), other


async def test_a_slack_post_slower_than_the_lease_goes_once(engine):
    """Slack takes 1.6 leases to post: the sender renews its lease meanwhile, the other
    dispatcher never claims the row, and one chat.postMessage reaches Slack."""
    upgrade(engine)
    fake = await FakeSlack(post_lands_after=SLOW).start()
    clients = [AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/") for _ in "ab"]
    try:
        _queue(engine, [Target("slack", "T1", "channel", ("C1",))])
        a = _dispatcher(engine, SlackSender(clients[0]), "a")
        b = _dispatcher(engine, SlackSender(clients[1]), "b")
        stats_a, stats_b = await _race(
            a, b, lambda: fake.wait_calls("chat.postMessage", 1, timeout=30)
        )
        assert len(fake.calls_to("chat.postMessage")) == 1
        assert len(fake.posted["C1"]) == 1
        assert (stats_a.sent, stats_b.sent) == (1, 0)
        [row] = _rows(engine)
        assert row.status == "sent" and row.attempts == 1  # never claimed a second time
        assert row.platform_message_id == fake.posted["C1"][0]["ts"]
    finally:
        await fake.stop()


async def test_a_discord_message_slower_than_the_lease_goes_once(bot, engine):
    """Discord takes 1.6 leases to create a message: one request reaches Discord (not a second
    one that its nonce would have caught), and one message exists."""
    upgrade(engine)
    fake = await FakeDiscord(users={"111": "alice"}, message_delay=SLOW).start()
    adapters: list[DiscordAdapter] = []
    try:
        for _ in "ab":
            adapter = DiscordAdapter(
                bot,
                api_url=fake.url + "/api/v10",
                gateway_url=fake.url.replace("http", "ws") + "/gateway",
                guild_ready_timeout=0.1,
            )
            await adapter.start("fake-token")
            adapters.append(adapter)
        _queue(engine, [Target("discord", "g", "user", ("111",))])
        a = _dispatcher(engine, adapters[0].sender, "a")
        b = _dispatcher(engine, adapters[1].sender, "b")

        def posts() -> int:
            return len(fake.calls_to("POST", r"channels/\d+/messages"))

        stats_a, stats_b = await _race(a, b, lambda: fake.wait_for(lambda: posts() >= 1, 30))
        assert posts() == 1 and len(fake.created) == 1
        assert (stats_a.sent, stats_b.sent) == (1, 0)
        [row] = _rows(engine)
        assert row.status == "sent" and row.attempts == 1
        assert row.platform_message_id == fake.created[0]["id"]
    finally:
        for adapter in adapters:
            await adapter.close()
        await fake.stop()


async def _take_over(dispatcher: Dispatcher, rows: int) -> None:
    """Dispatch every tenth of a second (another process's pulse) until ``rows`` are sent:
    they are claimed once the stalled process's lease has run out."""
    sent = 0
    while sent < rows:
        sent += (await dispatcher.dispatch_due()).sent
        await asyncio.sleep(0.1)


STALLING_CHILD = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from datetime import timedelta
    from slack_sdk.web.async_client import AsyncWebClient
    from adapters.slack.delivery import SlackSender
    from bot.time.clock import SystemClock
    from bot.outbox import Dispatcher
    from storage.engine import make_engine

    class StallsAfterItsFirstPost:
        '''Slack's real sender; the process stops (SIGSTOP) right after its first post has
        reached Slack, before it could record it or renew its lease.'''
        platform = "slack"

        def __init__(self, sender):
            self.sender, self.stalled = sender, False

        async def send(self, target, message):
            result = await self.sender.send(target, message)
            if not self.stalled:
                self.stalled = True
                print("stalling", flush=True)
                os.kill(os.getpid(), signal.SIGSTOP)
            return result

    async def main():
        engine = make_engine(sys.argv[1])
        client = AsyncWebClient(token="xoxb-test", base_url=sys.argv[2])
        sender = StallsAfterItsFirstPost(SlackSender(client))
        dispatcher = Dispatcher(
            engine, SystemClock(), {"slack": sender}, lease=timedelta(seconds=float(sys.argv[3])),
            owner="stalling", concurrency=1,
        )
        stats = await dispatcher.dispatch_all()
        print("sent", stats.sent, flush=True)

    asyncio.run(main())
    """
)


async def test_a_stalled_sender_loses_its_rows_and_sends_none_of_them_again(
    engine, settings, tmp_path
):
    """A sender process stops (SIGSTOP) right after posting the first of its two claimed
    messages: its lease runs out, the other dispatcher takes both over (finding the first in
    Slack's history by its delivery id, posting the second), and the stalled process, once
    continued, records nothing and does not post the second again."""
    upgrade(engine)
    fake = await FakeSlack().start()
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    try:
        _queue(engine, [Target("slack", "T1", "channel", (c,)) for c in ("C1", "C2")])
        url = settings.database_url
        script = tmp_path / "stalling.py"
        script.write_text(STALLING_CHILD)
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        args = [str(script), url, fake.url + "/api/", str(STALL_LEASE.total_seconds())]
        child = await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, stdout=asyncio.subprocess.PIPE
        )
        try:
            assert child.stdout is not None
            assert await asyncio.wait_for(child.stdout.readline(), 60) == b"stalling\n"
            other = _dispatcher(engine, SlackSender(client), "other")
            await asyncio.wait_for(_take_over(other, 2), 60)
            assert [len(fake.posted.get(c, [])) for c in ("C1", "C2")] == [1, 1]
            child.send_signal(signal.SIGCONT)
            out, _ = await asyncio.wait_for(child.communicate(), 60)
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
        assert child.returncode == 0
        assert out.decode().splitlines()[-1] == "sent 0"  # its outcome was not recorded
        assert len(fake.calls_to("chat.postMessage")) == 2  # and it did not post again
        assert [len(fake.posted[c]) for c in ("C1", "C2")] == [1, 1]
        rows = _rows(engine)
        assert [(r.status, r.attempts) for r in rows] == [("sent", 2), ("sent", 2)]
        assert [r.platform_message_id for r in rows] == [
            fake.posted["C1"][0]["ts"],
            fake.posted["C2"][0]["ts"],
        ]
    finally:
        await fake.stop()
