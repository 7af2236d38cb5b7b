"""People a Discord DM can't reach (50007), through real discord.py against the fake Discord:
a private thread in the program's channel with only them in it, told once, marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_dispatcher
from fakes.discord import FakeDiscord, start_adapter
from storage.models import MemberStatus, OutboxStatus
from tests.unreachable.helpers import (
    CHANNEL,
    as_admin,
    mark_of,
    outbox,
    pair_and_member,
    program_with_pair,
    queue_dm,
)

GUILD = "424242424242424242"
AMY, CAT = "111000000000000001", "222000000000000002"


@pytest.fixture
async def fake():
    discord_fake = await FakeDiscord(
        users={AMY: "amy", CAT: "cat"},
        guilds={GUILD: []},
        text_channels={CHANNEL["discord"]: GUILD},
    ).start()
    yield discord_fake
    await discord_fake.stop()


@pytest.fixture
async def adapter(bot, fake):
    running = await start_adapter(bot, fake, GUILD)
    yield running
    await running.close()


def in_thread(fake, thread_id: str) -> list[dict]:
    return [m for m in fake.created if m["channel_id"] == thread_id]


async def test_closed_dms_fall_back_to_a_private_thread_told_once_and_marked(bot, fake, adapter):
    """50007 on the DM: amy gets the message in a private, non-invitable thread of the
    program's channel with only her added, mentioned (nobody else pinged), after one note on
    how to open DMs; she is marked for the admin until a DM gets through."""
    program_id = program_with_pair(bot, "discord", GUILD, AMY, CAT)
    fake.closed_dms.add(AMY)
    queue_dm(bot, program_id, "discord", GUILD, AMY, "first")
    dispatcher = build_dispatcher(bot, {"discord": adapter.sender})
    await dispatcher.dispatch_all()

    (thread_id,) = fake.threads
    thread = fake.threads[thread_id]
    assert thread["parent_id"] == CHANNEL["discord"] and thread["type"] == 12
    assert thread["thread_metadata"]["invitable"] is False and thread["members"] == [AMY]
    howto, private = in_thread(fake, thread_id)
    assert "couldn't send you a direct message" in howto["content"]
    assert "Privacy Settings" in howto["content"]
    assert private["content"].startswith(f"<@{AMY}>")
    assert "PRIVATE words for you (first)" in private["embeds"][0]["description"]
    bodies = [b for b in fake.calls_to("POST", rf"channels/{thread_id}/messages")]
    assert all(b["allowed_mentions"] == {"parse": [], "users": [int(AMY)]} for b in bodies)
    assert not [m for m in fake.created if m["channel_id"] == CHANNEL["discord"]]
    assert mark_of(bot, "discord", AMY)[1] == "dms_closed"

    queue_dm(bot, program_id, "discord", GUILD, AMY, "second")
    await dispatcher.dispatch_all()
    assert len(fake.threads) == 1 and len(in_thread(fake, thread_id)) == 3  # told once
    assert "can't get DMs (since 2026-11-22)" in as_admin(bot, "discord", GUILD, f"person {AMY}")

    fake.closed_dms.clear()
    queue_dm(bot, program_id, "discord", GUILD, AMY, "third")
    await dispatcher.dispatch_all()
    assert mark_of(bot, "discord", AMY) == (None, None)
    assert len(in_thread(fake, thread_id)) == 3


async def test_someone_who_left_the_server_is_not_dmed_again_and_their_pair_ends(
    bot, fake, adapter
):
    """50007 for someone who is no longer a member of the server (the member lookup says
    Unknown Member): no private thread; amy's pair ends (left, left_workspace), cat is told as
    when someone leaves, and amy's queued DMs are withdrawn."""
    program_id = program_with_pair(bot, "discord", GUILD, AMY, CAT)
    fake.left_guild.add(AMY)
    queue_dm(bot, program_id, "discord", GUILD, AMY, "first")
    queue_dm(bot, program_id, "discord", GUILD, AMY, "later", later=timedelta(hours=1))
    await build_dispatcher(bot, {"discord": adapter.sender}).dispatch_all()

    pair, member = pair_and_member(bot, program_id, AMY)
    assert (pair.status, pair.end_reason, pair.end_detail) == ("ended", "left", "left_workspace")
    assert member.status == MemberStatus.LEFT and not fake.threads
    assert mark_of(bot, "discord", AMY)[1] == "left_workspace"
    statuses = {row.dedupe_key: row.status for row in outbox(bot)}
    assert statuses["later"] == OutboxStatus.CANCELLED
    (told,) = fake.created
    assert "has left the program, so your pairing has ended" in told["embeds"][0]["description"]
    assert told["channel_id"] == f"7{CAT[-17:]}"  # cat's DM
