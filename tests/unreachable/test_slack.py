"""People a Slack DM can't reach, through real slack-sdk against the fake Slack: the fallback
in the program's channel, told once, marked for the admin, and people who left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.delivery import SlackSender
from adapters.surfaces import SLACK
from bot.app import build_dispatcher
from bot.events import Actor, DirectMessage
from fakes.slack import FakeSlack
from storage.models import MemberStatus, OutboxStatus
from tests.unreachable.helpers import (
    CHANNEL,
    as_admin,
    mark_of,
    outbox,
    pair_and_member,
    program_with_pair,
    queue_dm,
    weekly_digest_text,
)

TEAM = "T1"


@pytest.fixture
async def fake():
    slack = await FakeSlack(users={"UAMY": {"name": "amy"}, "UCAT": {"name": "cat"}}).start()
    yield slack
    await slack.stop()


def dispatcher(bot, fake):
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    return build_dispatcher(bot, {"slack": SlackSender(client)})


@pytest.mark.parametrize("at", ["conversations.open", "chat.postMessage"])
async def test_cannot_dm_falls_back_privately_in_the_channel_tells_once_and_marks(bot, fake, at):
    """cannot_dm_bot: the message is shown to amy only (ephemeral) in the program's channel,
    the channel sees one "I can't DM you" note mentioning only her (never the message), she
    is marked for the admin; a later DM that works lifts the mark."""
    program_id = program_with_pair(bot, "slack", TEAM, "UAMY", "UCAT")
    fake.dm_errors, fake.dm_errors_at = {"UAMY": "cannot_dm_bot"}, at
    queue_dm(bot, program_id, "slack", TEAM, "UAMY", "first")
    await dispatcher(bot, fake).dispatch_all()

    (private,) = fake.ephemeral
    assert private["channel"] == CHANNEL["slack"] and private["user"] == "UAMY"
    assert "PRIVATE words for you (first)" in private["text"]
    (note,) = fake.posted[CHANNEL["slack"]]
    assert note["text"].startswith("<@UAMY>")
    assert "couldn't send you a direct message" in note["text"]
    assert "PRIVATE" not in note["text"] and "UCAT" not in note["text"]
    since, reason = mark_of(bot, "slack", "UAMY")
    assert since is not None and reason == "dms_closed"

    queue_dm(bot, program_id, "slack", TEAM, "UAMY", "second")
    await dispatcher(bot, fake).dispatch_all()
    assert len(fake.ephemeral) == 2 and "(second)" in fake.ephemeral[1]["text"]
    assert len(fake.posted[CHANNEL["slack"]]) == 1  # how to open DMs: told once

    card = as_admin(bot, "slack", TEAM, "person UAMY")
    assert "Direct messages: can't get DMs (since 2026-11-22)" in card
    assert "can't get DMs (since 2026-11-22)" in as_admin(bot, "slack", TEAM, "people")
    assert "UAMY (can't get DMs (since 2026-11-22))" in as_admin(bot, "slack", TEAM, "pairs")
    assert "can't get DMs" not in as_admin(bot, "slack", TEAM, "person UCAT")
    digest = weekly_digest_text(bot, program_id)
    assert "People I can't DM" in digest and "UAMY: can't get DMs (since 2026-11-22)" in digest
    assert "UCAT:" not in digest

    fake.dm_errors = {}
    queue_dm(bot, program_id, "slack", TEAM, "UAMY", "third")
    await dispatcher(bot, fake).dispatch_all()
    assert mark_of(bot, "slack", "UAMY") == (None, None)
    assert "People I can't DM" not in weekly_digest_text(bot, program_id)
    assert "can't get DMs" not in as_admin(bot, "slack", TEAM, "person UAMY")


@pytest.mark.parametrize("error", ["account_inactive", "user_not_found"])
async def test_someone_who_left_the_workspace_gets_no_more_dms_and_their_pair_ends(
    bot, fake, error
):
    """account_inactive / user_not_found: amy is marked as gone, leaves the program, her pair
    ends (left, left_workspace) and cat is told as when someone leaves; her queued DMs are
    withdrawn and nothing about her goes to the channel."""
    program_id = program_with_pair(bot, "slack", TEAM, "UAMY", "UCAT")
    fake.dm_errors = {"UAMY": error}
    queue_dm(bot, program_id, "slack", TEAM, "UAMY", "first")
    queue_dm(bot, program_id, "slack", TEAM, "UAMY", "later", later=timedelta(hours=1))
    await dispatcher(bot, fake).dispatch_all()

    pair, member = pair_and_member(bot, program_id, "UAMY")
    assert pair.status == "ended" and pair.end_reason == "left"
    assert pair.end_detail == "left_workspace"
    assert member.status == MemberStatus.LEFT
    assert mark_of(bot, "slack", "UAMY")[1] == "left_workspace"
    statuses = {row.dedupe_key: row.status for row in outbox(bot)}
    assert statuses["first"] == OutboxStatus.PARKED
    assert statuses["later"] == OutboxStatus.CANCELLED  # no more DMs for someone gone
    bot.clock.advance(timedelta(hours=2))
    await dispatcher(bot, fake).dispatch_all()
    assert len(fake.calls_to("conversations.open")) == 2  # amy once, then cat
    told = [m["text"] for ms in fake.posted.values() for m in ms]
    assert told == ["UAMY has left the program, so your pairing has ended. Thank you both. "
                    "You'll get a new partner in the next round."]  # fmt: skip
    assert not fake.ephemeral and CHANNEL["slack"] not in fake.posted
    assert "left the workspace (since 2026-11-22)" in as_admin(bot, "slack", TEAM, "person UAMY")


async def test_writing_to_the_bot_lifts_the_mark(bot, fake):
    """Someone marked unreachable who sends the bot a DM is reachable again."""
    program_id = program_with_pair(bot, "slack", TEAM, "UAMY", "UCAT")
    fake.dm_errors = {"UAMY": "cannot_dm_bot"}
    queue_dm(bot, program_id, "slack", TEAM, "UAMY", "first")
    await dispatcher(bot, fake).dispatch_all()
    assert mark_of(bot, "slack", "UAMY")[1] == "dms_closed"
    bot.handle(DirectMessage(Actor("slack", "UAMY", "amy", TEAM, surface=SLACK), "hi"))
    assert mark_of(bot, "slack", "UAMY") == (None, None)
    parked = [row.dedupe_key for row in outbox(bot) if row.status == OutboxStatus.PARKED]
    assert parked == ["first"]
