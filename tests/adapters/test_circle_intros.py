"""A circle's introduction through the real Slack and Discord clients against the loopback
fakes: one group DM on Slack (up to its eight people), one DM each on Discord naming the
others (bots can't open group DMs there).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.delivery import SlackSender
from adapters.surfaces import DISCORD, SLACK
from bot.app import build_dispatcher
from bot.events import Actor, Command
from fakes.discord import FakeDiscord, start_adapter
from fakes.slack import FakeSlack
from tests.conftest import text_of

GUILD = "424242424242424242"


def say(bot, platform: str, workspace: str, who: str, command: str) -> str:
    surface = SLACK if platform == "slack" else DISCORD
    actor = Actor(platform, who, f"n{who[-2:]}", workspace, surface=surface)
    return text_of(bot.handle(Command(actor, command)))


def circles_program(bot, platform: str, workspace: str, admin: str, users: list[str]) -> None:
    """A circles program: ``users[0]`` a mentor with the rest as mentees, matched, published."""
    admins = bot.settings.admins
    bot.settings = replace(bot.settings, admins=replace(admins, **{platform: (admin,)}))
    assert "Updated" in say(bot, platform, workspace, admin, "admin program set kind circles")
    say(bot, platform, workspace, admin, f"admin program set circle 3-{len(users)}")
    say(bot, platform, workspace, users[0], "join mentor")
    for user in users[1:]:
        say(bot, platform, workspace, user, "join mentee")
    assert "1 circle," in say(bot, platform, workspace, admin, "admin match")
    assert "1 circle formed" in say(bot, platform, workspace, admin, "admin publish")


@pytest.fixture
async def slack():
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


async def test_slack_introduces_a_circle_in_one_group_dm(bot, slack):
    """Four people: one conversations.open with all four, one intro posted to it."""
    users = ["U01", "U02", "U03", "U04"]
    circles_program(bot, "slack", "T1", "UADMIN", users)
    client = AsyncWebClient(token="xoxb-test", base_url=slack.url + "/api/")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    opened = [c["users"] for c in slack.calls_to("conversations.open")]
    assert ",".join(users) in opened
    group = [p for p in slack.calls_to("chat.postMessage") if p["channel"].startswith("G")]
    assert len(group) == 1 and "Why this circle" in group[0]["text"]
    direct = [p for p in slack.calls_to("chat.postMessage") if p["channel"].startswith("D")]
    assert not [p for p in direct if "circle" in p["text"]]  # nobody introduced twice


async def test_slack_circle_larger_than_a_group_dm_gets_one_dm_each(bot, slack):
    """Nine people (Slack opens group DMs of at most eight): each gets their own intro
    naming the others, and no conversations.open is refused."""
    users = [f"U{k:02d}" for k in range(1, 10)]
    circles_program(bot, "slack", "T1", "UADMIN", users)
    client = AsyncWebClient(token="xoxb-test", base_url=slack.url + "/api/")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    opened = [c["users"] for c in slack.calls_to("conversations.open")]
    assert sorted(opened) == users
    intros = [p for p in slack.calls_to("chat.postMessage") if "Meet your circle" in p["text"]]
    assert sorted(slack.dm_of[p["channel"]] for p in intros) == users
    for post in intros:
        reader = slack.dm_of[post["channel"]]
        assert all(f"n{u[-2:]}" in post["text"] for u in users if u != reader)


async def test_slack_refuses_a_group_dm_of_more_than_eight(slack):
    """The fake speaks Slack's limit: conversations.open with nine users is too_many_users."""
    client = AsyncWebClient(token="xoxb-test", base_url=slack.url + "/api/")
    from slack_sdk.errors import SlackApiError

    with pytest.raises(SlackApiError) as refused:
        await client.conversations_open(users=",".join(f"U{k}" for k in range(9)))
    assert refused.value.response["error"] == "too_many_users"


async def test_discord_introduces_a_circle_by_one_dm_each_naming_the_others(bot):
    """Discord bots can't open group DMs: each of the four gets a DM naming the other three."""
    users = [f"11100000000000000{k}" for k in range(1, 5)]
    fake = await FakeDiscord(users={u: f"n{u[-2:]}" for u in users}, guilds={GUILD: []}).start()
    adapter = await start_adapter(bot, fake, GUILD)
    try:
        circles_program(bot, "discord", GUILD, "999000000000000001", users)
        await build_dispatcher(bot, {"discord": adapter.sender}).dispatch_all()
    finally:
        await adapter.close()
        await fake.stop()
    intros = [m for m in fake.created if "Meet your circle" in str(m.get("embeds"))]
    assert sorted(fake.dm_of[m["channel_id"]] for m in intros) == users
    for message in intros:
        reader = fake.dm_of[message["channel_id"]]
        text = str(message["embeds"])
        assert all(f"n{u[-2:]}" in text for u in users if u != reader)
