"""The intro's .ics through the real Slack and Discord clients, against the loopback fakes:
uploaded beside the group DM on Slack (files_upload_v2), attached to each DM on Discord."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.delivery import SlackSender
from adapters.surfaces import DISCORD, SLACK
from bot.app import build_dispatcher
from fakes.discord import FakeDiscord
from fakes.slack import FakeSlack
from tests.adapters.test_discord import GUILD, started
from tests.meetings.helpers import (
    MADRID,
    MADRID_WALL,
    SAO_PAULO,
    SAO_PAULO_WALL,
    SLOTS,
    check_slots,
    events_of,
    madrid_and_sao_paulo,
    say,
)


@pytest.fixture
async def slack_fake():
    slack = await FakeSlack(users={"U1": {"name": "amy"}, "U2": {"name": "cat"}}).start()
    yield slack
    await slack.stop()


@pytest.fixture
async def discord_fake():
    fake = await FakeDiscord(users={"111": "amy", "222": "cat"}, guilds={GUILD: []}).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def adapter(bot, discord_fake):
    running = await started(bot, discord_fake)
    yield running
    await running.close()


async def test_slack_uploads_the_intro_ics_to_the_pairs_group_dm(bot, slack_fake):
    """On Slack the intro goes to the pair's group DM and its .ics is uploaded there with
    files_upload_v2; it parses, one VEVENT per slot at the slot's instant."""
    bot.settings = replace(bot.settings, admins=replace(bot.settings.admins, slack=("boss",)))
    madrid_and_sao_paulo(bot, "slack", "T1", SLACK, ("U1", "U2"))
    client = AsyncWebClient(token="xoxb-test", base_url=slack_fake.url + "/api/")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    (post,) = [p for p in slack_fake.calls_to("chat.postMessage") if "meet each other" in p["text"]]
    assert post["channel"].startswith("G")
    await slack_fake.wait_calls("files.completeUploadExternal")
    (upload,) = slack_fake.uploads.values()
    assert upload["filename"].endswith(".ics") and upload["channel"] == post["channel"]
    uids = check_slots(upload["content"], MADRID, MADRID_WALL)

    # `meet 1` on Slack: each person's DM (a D channel) gets the invite uploaded beside it,
    # the same UID as the intro's first slot, in their own zone.
    assert "Booked for" in say(bot, "slack", "T1", SLACK, "U2", "meet 1")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    await slack_fake.wait_calls("files.completeUploadExternal", 3)
    booked = [u for u in slack_fake.uploads.values() if u is not upload]
    assert sorted(u["channel"][0] for u in booked) == ["D", "D"]
    assert booked[0]["channel"] != booked[1]["channel"]
    zones = set()
    for u in booked:
        event, *_ = events_of(u["content"])  # then the intro's other times, cancelled
        assert str(event["UID"]) == uids[0] and event.decoded("DTSTART").astimezone(UTC) == SLOTS[0]
        zones.add(event["DTSTART"].params["TZID"])
    assert zones == {MADRID, SAO_PAULO}


async def test_discord_attaches_each_persons_ics_in_their_zone_with_the_same_uids(
    bot, discord_fake, adapter
):
    """On Discord each person's intro DM carries its .ics as an attachment, in their own zone;
    the two renders give the slots the same UIDs."""
    bot.settings = replace(bot.settings, admins=replace(bot.settings.admins, discord=("boss",)))
    madrid_and_sao_paulo(bot, "discord", GUILD, DISCORD, ("111", "222"))
    await build_dispatcher(bot, {"discord": adapter.sender}).dispatch_all()
    posts = [p for p in discord_fake.calls_to("POST", r"channels/\d+/messages") if p.get("files")]
    assert len(posts) == 2
    by_zone = {}
    for body in posts:
        (ics,) = [f["content"] for f in body["files"] if f["filename"].endswith(".ics")]
        zone = MADRID if b"TZID:Europe/Madrid" in ics else SAO_PAULO
        walls = MADRID_WALL if zone == MADRID else SAO_PAULO_WALL
        by_zone[zone] = check_slots(ics, zone, walls)
        button_ids = [c["custom_id"] for row in body["components"] for c in row["components"]]
        assert any(i.startswith("mentor:meet pair:") for i in button_ids)
    assert by_zone[MADRID] == by_zone[SAO_PAULO]
