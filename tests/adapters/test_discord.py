"""The Discord adapter through real discord.py, against a fake Discord REST API and gateway."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from sqlmodel import col, select

from adapters.discord import DiscordAdapter
from adapters.surfaces import DISCORD
from bot.delivery import Target
from bot.replies import Button, Buttons, Message, Section
from bot.spans import Text
from fakes.discord import APP_ID, FakeDiscord, snowflake, start_adapter, user
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Person

GUILD = "424242424242424242"


@pytest.fixture
async def fake():
    discord_fake = await FakeDiscord(
        users={"111": "alice", "222": "bob"},
        guilds={GUILD: [("999", "Coordinators"), ("555", "Members")]},
    ).start()
    yield discord_fake
    await discord_fake.stop()


async def started(bot, fake) -> DiscordAdapter:
    adapter: DiscordAdapter = await start_adapter(bot, fake, GUILD)
    return adapter


@pytest.fixture
async def adapter(bot, fake):
    bot.settings = replace(
        bot.settings, admins=replace(bot.settings.admins, discord_roles=("999",))
    )
    running = await started(bot, fake)
    yield running
    await running.close()


def dm(content: str, author="111", name="alice", channel="600") -> dict:
    return {
        "id": snowflake(),
        "channel_id": channel,
        "author": user(author, name),
        "content": content,
        "timestamp": "2026-11-22T12:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
    }


def slash(fake, sub: str, args: str | None = None, **kw) -> dict:
    option = {"name": sub, "type": 1, "options": []}
    if args is not None:
        option["options"] = [{"name": "args", "type": 3, "value": args}]
    return fake.interaction(2, {"id": "1", "name": "mentor", "type": 1, "options": [option]}, **kw)


async def callback_for(fake, payload: dict) -> dict:
    path = rf"interactions/{payload['id']}/[^/]+/callback"
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda: fake.calls_to("POST", path))
    return fake.calls_to("POST", path)[0]


async def test_command_tree_is_synced_to_the_guild(adapter, fake):
    """The /mentor group with its subcommands is registered on the configured guild."""
    synced = fake.calls_to("PUT", rf"applications/{APP_ID}/guilds/{GUILD}/commands")
    assert synced
    group = next(c for c in synced[-1] if c["name"] == "mentor")
    names = {o["name"] for o in group["options"]}
    assert {"join", "status", "profile", "checkin", "pause", "admin"} <= names


async def test_command_group_is_generated_from_the_command_specs_and_prompts(adapter, fake, bot):
    """Every visible command is a subcommand whose description is its prompt summary and
    whose argument hint is its usage (no English written in the adapter)."""
    synced = fake.calls_to("PUT", rf"applications/{APP_ID}/guilds/{GUILD}/commands")
    group = next(c for c in synced[-1] if c["name"] == "mentor")
    options = {o["name"]: o for o in group["options"]}
    visible = [spec for spec in bot.router.specs() if not spec.hidden]
    assert set(options) == {spec.name for spec in visible}
    for spec in visible:
        summary = bot.prompts.text(spec.summary_key)
        assert options[spec.name]["description"] == summary[:100] or summary.startswith(
            options[spec.name]["description"][:-1]
        )
    checkin_args = options["checkin"]["options"][0]
    assert (
        checkin_args["description"]
        == "[met|not-yet|rescheduled|skip] [partner] [YYYY-MM-DD] [note]"
    )
    assert "options" not in options["status"] or not options["status"]["options"]


async def test_dm_conversation_turn(adapter, fake, bot):
    """A DM arrives over the gateway; the answer reaches the REST API in the same channel."""
    await fake.dispatch("MESSAGE_CREATE", dm("join mentee"))
    await fake.wait_for(lambda: fake.calls_to("POST", r"channels/600/messages"))
    sent = fake.calls_to("POST", r"channels/600/messages")[0]
    assert "You're in!" in sent["embeds"][0]["description"]
    assert sent["allowed_mentions"] == {"parse": []}
    with transaction(bot.engine) as s:
        person = s.exec(select(Person).where(Person.platform == "discord")).one()
    assert person.platform_user_id == "111"


async def test_slash_command_is_answered_ephemerally(adapter, fake):
    """An application command interaction is answered through the interaction callback."""
    answer = await callback_for(
        fake, slash(fake, "status", user_id="111", name="alice", guild_id=GUILD)
    )
    assert answer["type"] == 4
    assert answer["data"]["flags"] & 64  # ephemeral
    assert "not in the program yet" in answer["data"]["embeds"][0]["description"]
    answer = await callback_for(
        fake, slash(fake, "join", "mentor", user_id="111", name="alice", guild_id=GUILD)
    )
    assert "as a mentor" in answer["data"]["embeds"][0]["description"]


async def test_join_modal_submission(adapter, fake, bot):
    """/mentor join opens a modal; its submission joins with the given profile."""
    answer = await callback_for(
        fake, slash(fake, "join", user_id="222", name="bob", guild_id=GUILD)
    )
    assert answer["type"] == 9  # MODAL
    modal = answer["data"]
    assert modal["custom_id"] == "form:join"
    rows = modal["components"]
    ids = [row["components"][0]["custom_id"] for row in rows]
    assert ids == ["role", "timezone", "skills", "wants", "goals"]
    values = {
        "role": "mentee",
        "timezone": "Berlin",
        "skills": "",
        "wants": "go, sql",
        "goals": "ship a service",
    }
    submit = fake.interaction(
        5,
        {
            "custom_id": "form:join",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ],
        },
        user_id="222",
        name="bob",
        guild_id=GUILD,
    )
    answer = await callback_for(fake, submit)
    assert "You're in!" in answer["data"]["embeds"][0]["description"]
    with transaction(bot.engine) as s:
        member = s.exec(select(Member)).one()
        person = s.get(Person, member.person_id)
    assert member.skills_wanted == ["go", "sql"] and person.timezone == "Europe/Berlin"


async def test_button_works_after_a_restart(bot, fake):
    """A button from before a restart still runs its command (persistent dynamic items)."""
    first = await started(bot, fake)
    await first.close()
    second = await started(bot, fake)
    try:
        message = {
            **dm(""),
            "author": user("900000000000000001", "mentorbot", True),
            "components": [
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 2,
                            "style": 1,
                            "label": "Join as mentee",
                            "custom_id": "mentor:join mentee",
                        }
                    ],
                }
            ],
        }
        click = fake.interaction(
            3,
            {"custom_id": "mentor:join mentee", "component_type": 2},
            user_id="111",
            name="alice",
            message=message,
        )
        answer = await callback_for(fake, click)
        assert "You're in!" in answer["data"]["embeds"][0]["description"]
        assert fake.identified == 2
    finally:
        await second.close()


async def test_outbox_delivery_dm_retry_and_mentions(adapter, fake):
    """Outbox DMs: create_dm once, 429 retried by discord.py, @everyone never pings."""
    message = Message(
        (
            Section(Text.trusted("*Hi* ") + Text.user("@everyone look")),
            Buttons((Button("We met", "checkin met 2026-12-01", "primary"),)),
        )
    )
    fake.fail_next(
        r"channels/\d+/messages",
        429,
        {"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
    )
    result = await adapter.sender.send(Target("discord", GUILD, "user", ("222",)), message)
    assert result.status == "sent" and result.message_id
    posts = fake.calls_to("POST", r"channels/\d+/messages")
    assert len(posts) == 2  # the 429, then the retry
    body = posts[-1]
    assert body["allowed_mentions"] == {"parse": []}
    description = body["embeds"][0]["description"]
    assert description.startswith("**Hi** ") and "@everyone" not in description
    button = body["components"][0]["components"][0]
    assert button["custom_id"] == "mentor:checkin met 2026-12-01"
    await adapter.sender.send(Target("discord", GUILD, "user", ("222",)), message)
    assert len(fake.calls_to("POST", r"users/@me/channels")) == 1  # DM channel cached


async def test_an_announcement_pings_only_when_the_admin_allowed_it(adapter, fake, bot):
    """The admin's own @here reaches Discord as a ping in the content of the channel post;
    a name containing @everyone (user text) and the same post as a DM ping nobody."""
    from bot.announcements.compose import Draft
    from bot.announcements.schedule import announcement_message
    from storage.models import Program

    program = Program(name="@everyone club", platform="discord", workspace_id=GUILD)
    draft = Draft(text="Town hall at 5 @here", allow_ping=True, mode="both")
    post = announcement_message(bot.prompts, program, draft, author="boss", channel=True)
    dm = announcement_message(bot.prompts, program, draft, author="boss", channel=False)
    await adapter.sender.send(Target("discord", GUILD, "user", ("222",)), dm)
    await adapter.sender.send(Target("discord", GUILD, "user", ("222",)), post)
    *_, dm_body, post_body = fake.calls_to("POST", r"channels/\d+/messages")
    assert dm_body["allowed_mentions"] == {"parse": []}
    assert not dm_body["content"].startswith("@here")
    assert post_body["allowed_mentions"]["parse"] == ["everyone"]
    assert post_body["content"].startswith("@here ")
    assert "@everyone" not in post_body["content"]  # the program's name is user text


async def test_delivery_errors_are_mapped(adapter, fake):
    """Cannot DM this user (50007) and unknown channels are permanent."""
    message = Message((Section(Text.trusted("hello")),))
    fake.fail_next(
        r"users/@me/channels", 403, {"message": "Cannot send messages to this user", "code": 50007}
    )
    result = await adapter.sender.send(Target("discord", GUILD, "user", ("333",)), message)
    assert result.status == "permanent" and "50007" in result.error
    result = await adapter.sender.send(Target("discord", GUILD, "channel", ("777",)), message)
    assert result.status == "permanent" and result.error.startswith("404")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, {"message": "unavailable", "code": 0}, "transient"),
        (403, {"message": "Missing Access", "code": 50001}, "permanent"),
        (404, {"message": "Unknown User", "code": 10013}, "permanent"),
    ],
)
def test_error_mapping(status, body, expected):
    """discord.py's HTTP errors map to neutral delivery results."""
    import discord

    from adapters.discord.app import map_error

    class Response:  # the two attributes discord.HTTPException reads from aiohttp's response
        reason = "reason"

        def __init__(self, status: int) -> None:
            self.status = status

    assert map_error(discord.HTTPException(Response(status), body)).status == expected
    assert map_error(ConnectionResetError()).status == "transient"


async def test_admins_by_role(adapter, fake):
    """Members holding a configured Discord admin role (by id) may use admin commands."""
    answer = await callback_for(
        fake,
        slash(fake, "admin", "members", user_id="111", name="alice", guild_id=GUILD, roles=["555"]),
    )
    assert "Only program admins" in json.dumps(answer)
    answer = await callback_for(
        fake,
        slash(fake, "admin", "members", user_id="111", name="alice", guild_id=GUILD, roles=["999"]),
    )
    assert "Only program admins" not in json.dumps(answer)
    assert "Nobody has joined" in json.dumps(answer)


async def test_member_names_in_embed_field_names_are_escaped(adapter, fake):
    """`admin members` puts each name in an embed field's name: markdown and mentions in it
    arrive escaped (shown as typed, never pinging)."""
    from adapters.discord.render import escape

    name = "**@everyone** <@123> _x_ <@&123456789012345678>"
    await callback_for(fake, slash(fake, "join", "mentee", user_id="333", name=name))
    answer = await callback_for(
        fake,
        slash(fake, "admin", "members", user_id="111", name="alice", guild_id=GUILD, roles=["999"]),
    )
    names = [field["name"] for field in answer["data"]["embeds"][0]["fields"]]
    assert escape(name) in names
    shown = "\\*\\*@\u200beveryone\\*\\* <\u200b@123> \\_x\\_ <@\u200b&123456789012345678>"
    assert escape(name) == shown
    for n in names:
        assert not re.search(r"@everyone|<[@#][!&]?\d|\*\*| _x_", n)


async def test_admin_role_names_resolve_once_at_start(bot, fake, caplog):
    """A role configured by name is the role of that name when the guild came online; a role
    someone creates later with the same name does not make its holders admins.
    """
    import asyncio
    import logging

    bot.settings = replace(
        bot.settings, admins=replace(bot.settings.admins, discord_roles=("Coordinators",))
    )
    with caplog.at_level(logging.INFO, logger="adapters.discord.app"):
        running = await started(bot, fake)
    try:
        assert "admin role 'Coordinators' is role id 999" in caplog.text
        answer = await callback_for(
            fake,
            slash(fake, "admin", "members", user_id="111", name="x", guild_id=GUILD, roles=["999"]),
        )
        assert "Nobody has joined" in json.dumps(answer)
        await fake.add_role(GUILD, "777", "Coordinators")  # an impostor role
        await asyncio.sleep(0.1)
        answer = await callback_for(
            fake,
            slash(fake, "admin", "members", user_id="222", name="x", guild_id=GUILD, roles=["777"]),
        )
        assert "Only program admins" in json.dumps(answer)
        # A role name is not a role: claiming it in an unknown guild gives nothing either.
        answer = await callback_for(
            fake,
            slash(fake, "admin", "members", user_id="222", name="bo", guild_id="1", roles=["999"]),
        )
        assert "Only program admins" in json.dumps(answer)
    finally:
        await running.close()


async def test_runtime_serves_discord_and_delivers_the_outbox(bot, fake):
    """`run --platform discord`: login, gateway, commands synced, and outbox DMs delivered."""
    import asyncio

    from adapters.runtime import ServeOptions, serve
    from bot.events import Actor, Command

    bot.settings = replace(
        bot.settings,
        discord=replace(
            bot.settings.discord,
            api_url=fake.url + "/api/v10",
            gateway_url=fake.url.replace("http", "ws") + "/gateway",
            guild_ids=(GUILD,),
        ),
        checkins=replace(bot.settings.checkins, dispatch_every_seconds=1),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(bot, ("discord",), ServeOptions(), env={"DISCORD_TOKEN": "fake-token"}, stop=stop)
    )
    await fake.wait_for(lambda: fake.identified >= 1, timeout=20)
    # A join through the core queues a welcome DM; the running pulse delivers it.
    await bot.ahandle(
        Command(Actor("discord", "222", "bob", GUILD, surface=DISCORD), "join mentee")
    )
    await fake.wait_for(
        lambda: any(
            "welcome" in json.dumps(body)
            for body in fake.calls_to("POST", r"channels/\d+/messages")
        ),
        timeout=20,
    )
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_survey_and_feedback_open_as_discord_modals(adapter, fake, bot, clock):
    """Short scripts become a modal of at most five inputs (longer ones are asked in the DM);
    answers are validated and stored."""
    from datetime import timedelta

    from bot.app import build_dispatcher
    from storage.models import Feedback, SurveyResponse
    from tests.checkins.helpers import make_pair, make_program

    program = make_program(bot, platform="discord", workspace=GUILD)
    make_pair(bot, program, "111", "222", platform="discord")
    answer = await callback_for(
        fake, slash(fake, "feedback", user_id="111", name="alice", guild_id=GUILD)
    )
    assert answer["type"] == 9
    modal = answer["data"]
    assert modal["custom_id"] == "form:conv:1"
    ids = [row["components"][0]["custom_id"] for row in modal["components"]]
    assert ids == ["rating", "helped", "change", "fit"]

    def submit(values: dict[str, str]) -> dict:
        return fake.interaction(
            5,
            {
                "custom_id": "form:conv:1",
                "components": [
                    {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                    for k, v in values.items()
                ],
            },
            user_id="111",
            name="alice",
            guild_id=GUILD,
        )

    bad = await callback_for(
        fake, submit({"rating": "great", "helped": "", "change": "", "fit": "maybe"})
    )
    text = bad["data"]["embeds"][0]["description"]
    assert "number from 1 to 5" in text and "A great fit" in text
    (row,) = bad["data"]["components"]
    retry = row["components"][0]
    assert retry["custom_id"] == "mentor:conversation continue"  # Discord closed the modal
    click = fake.interaction(
        3,
        {"custom_id": retry["custom_id"], "component_type": 2},
        user_id="111",
        name="alice",
        message={
            **dm(""),
            "author": user("900000000000000001", "mentorbot", True),
            "components": bad["data"]["components"],
        },
    )
    reopened = await callback_for(fake, click)
    assert reopened["type"] == 9 and reopened["data"]["custom_id"] == "form:conv:1"
    good = await callback_for(
        fake, submit({"rating": "5", "helped": "", "change": "More time", "fit": "2"})
    )
    assert "Thank you!" in good["data"]["embeds"][0]["description"]
    with transaction(bot.engine) as s:
        rows = {f.kind: f for f in s.exec(select(Feedback)).all()}
    assert rows["session"].rating == 5 and rows["fit"].helped == "ok"

    clock.advance(timedelta(weeks=12, days=1))  # the mid-program survey is open
    # Seven questions do not fit a modal (five inputs at most): they are asked in the DM,
    # each scale with its buttons, answered here by typing.
    sent = r"channels/7222/messages"  # the fake's DM channel with 222
    before = len(fake.calls_to("POST", sent))
    answer = await callback_for(
        fake, slash(fake, "survey", user_id="222", name="bob", guild_id=GUILD)
    )
    assert answer["type"] == 4 and "I've sent you a DM" in json.dumps(answer)
    await build_dispatcher(bot, {"discord": adapter.sender}).dispatch_all()  # the first question
    for k, value in enumerate(["4", "4", "4", "3", "5", "4", "skip"]):
        await fake.wait_for(lambda k=k: len(fake.calls_to("POST", sent)) > before + k)
        question = fake.calls_to("POST", sent)[before + k]
        assert f"question {k + 1} of 7" in json.dumps(question)
        if k < 6:
            assert len(question["components"][0]["components"]) == 5  # 1-5 buttons
        await fake.dispatch("MESSAGE_CREATE", dm(value, author="222", name="bob", channel="7222"))
    await fake.wait_for(lambda: len(fake.calls_to("POST", sent)) > before + 7)
    thanks = fake.calls_to("POST", sent)[before + 7]
    assert "Thank you for answering" in json.dumps(thanks)
    with transaction(bot.engine) as s:
        response = s.exec(select(SurveyResponse)).one()
    assert response.survey == "mid" and response.answers["continue"] == 5


async def test_goal_conversation_runs_in_discord_dms(adapter, fake, bot):
    """/mentor goal moves to the DM; typed DM answers advance the conversation."""
    await callback_for(
        fake, slash(fake, "join", "mentee", user_id="111", name="alice", guild_id=GUILD)
    )
    answer = await callback_for(
        fake, slash(fake, "goal", user_id="111", name="alice", guild_id=GUILD)
    )
    assert "I've sent you a DM" in answer["data"]["embeds"][0]["description"]
    await fake.dispatch("MESSAGE_CREATE", dm("Publish 2 posts on the engineering blog"))
    await fake.wait_for(lambda: fake.calls_to("POST", r"channels/600/messages"))
    sent = fake.calls_to("POST", r"channels/600/messages")[-1]
    assert "question 2 of 7" in json.dumps(sent)
    await fake.dispatch("MESSAGE_CREATE", dm("cancel"))
    await fake.wait_for(lambda: len(fake.calls_to("POST", r"channels/600/messages")) >= 2)
    sent = fake.calls_to("POST", r"channels/600/messages")[-1]
    assert "Stopped *Set a SMART goal*" in sent["embeds"][0]["description"]


async def test_profile_longer_than_a_modal_runs_step_by_step_in_the_dm(adapter, fake, bot):
    """Deferred from the Discord adapter: more than five fields become DM steps, each saved
    at once, a bad one asked again, `skip` keeping the current value."""
    await callback_for(
        fake, slash(fake, "join", "mentor", user_id="111", name="alice", guild_id=GUILD)
    )
    answer = await callback_for(
        fake, slash(fake, "profile", "edit", user_id="111", name="alice", guild_id=GUILD)
    )
    assert "I've sent you a DM" in answer["data"]["embeds"][0]["description"]
    sent = 0

    async def turn(text: str) -> str:
        nonlocal sent
        await fake.dispatch("MESSAGE_CREATE", dm(text))
        sent += 1
        await fake.wait_for(lambda: len(fake.calls_to("POST", r"channels/600/messages")) >= sent)
        return json.dumps(fake.calls_to("POST", r"channels/600/messages")[-1])

    assert "What would you like to learn?" in await turn("python, @everyone")
    assert "question 3 of 8" in await turn("skip")
    await turn("skip")
    assert "When are you usually free" in await turn("English, Portuguese")
    bad = await turn("whenever")
    assert "couldn't read those times" in bad and "When are you usually free" in bad
    assert "quiet hours" in await turn("mon-fri 09:00-17:00")
    assert "How many mentees" in await turn("skip")  # asked of mentors only
    assert "Which team" in await turn("2")
    done = await turn("skip")
    assert "Profile of alice" in done and "@\\u200beveryone" in done
    with transaction(bot.engine) as s:
        member = s.exec(select(Member)).one()
        person = s.get(Person, member.person_id)
    assert member.skills_offered == ["python", "@everyone"] and member.capacity == 2
    assert person.languages == ["English", "Portuguese"] and person.availability


@pytest.mark.parametrize("budget", ["default", "none"])
async def test_admin_report_arrives_with_the_page_and_the_chart_attached(
    adapter, fake, bot, monkeypatch, budget
):
    """/mentor admin report answers privately with the key figures, the HTML page and the
    meetings chart as attachments: at once, or (when slower than the answer budget, as on a
    busy machine) deferred and then through the interaction's webhook."""
    from adapters.discord import app as discord_app
    from fakes.outcomes import generate

    if budget == "none":
        monkeypatch.setattr(discord_app, "ANSWER_BUDGET", 0.0)

    generate(bot.engine, people=40, weeks=3, platform="discord", workspace=GUILD)
    callback = await callback_for(
        fake,
        slash(fake, "admin", "report", user_id="111", name="alice", guild_id=GUILD, roles=["999"]),
    )
    assert budget == "default" or callback["type"] == 5
    if callback["type"] == 5:  # slower than the answer budget (a busy machine): deferred,
        # thinking, and the answer follows through the interaction's webhook
        assert callback["data"]["flags"] == 64
        followups = rf"webhooks/{APP_ID}/[^/]+"
        await fake.wait_for(lambda: fake.calls_to("POST", followups), timeout=30)
        body = fake.calls_to("POST", followups)[0]
        answer = {"data": body, "files": body["files"]}
    else:
        answer = callback
    assert re.search(r"\d+% of planned meetings held", json.dumps(answer["data"]["embeds"]))
    page, chart = sorted(answer["files"], key=lambda f: f["filename"], reverse=True)
    assert page["filename"].endswith(".html") and page["content"].startswith(b"<!doctype html>")
    assert chart["filename"].endswith(".png") and chart["content"][:4] == b"\x89PNG"
    assert answer["data"]["flags"] == 64  # ephemeral: only the admin sees it


async def test_export_arrives_as_an_attachment(adapter, fake):
    """/mentor export answers privately with the person's data as a JSON file."""
    await callback_for(fake, slash(fake, "join", "mentee", user_id="111", name="alice"))
    answer = await callback_for(fake, slash(fake, "export", user_id="111", name="alice"))
    files = answer["files"]
    assert len(files) == 1 and files[0]["filename"].endswith(".json")
    data = json.loads(files[0]["content"])
    assert data["person"]["platform_user_id"] == "111"
    assert data["memberships"][0]["role"] == "mentee"
    assert answer["data"]["flags"] == 64  # ephemeral: only alice sees it


def _modal_submit(fake, form_id: str, values: dict[str, str], **who) -> dict:
    return fake.interaction(
        5,
        {
            "custom_id": f"form:{form_id}",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ],
        },
        **who,
    )


def _click(fake, command: str, **who) -> dict:
    message = {
        **dm(""),
        "author": user("900000000000000001", "mentorbot", True),
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "x", "custom_id": f"mentor:{command}"}
                ],
            }
        ],
    }
    return fake.interaction(
        3, {"custom_id": f"mentor:{command}", "component_type": 2}, message=message, **who
    )


async def test_announce_modal_preview_and_send(adapter, fake, bot):
    """The announce form as a five-input modal (an admin by role); its preview's Send button
    queues the DMs."""
    await callback_for(fake, slash(fake, "join", "mentee", user_id="111", name="alice"))
    admin = {"user_id": "222", "name": "bob", "guild_id": GUILD, "roles": ["999"]}
    answer = await callback_for(fake, slash(fake, "admin", "announce", **admin))
    assert answer["type"] == 9 and answer["data"]["custom_id"] == "form:announce"
    ids = [row["components"][0]["custom_id"] for row in answer["data"]["components"]]
    assert ids == ["text", "audience", "mode", "when", "ping"]
    values = {
        "text": "Kick-off **today**",
        "audience": "everyone",
        "mode": "dm",
        "when": "now",
        "ping": "no",
    }
    preview = await callback_for(fake, _modal_submit(fake, "announce", values, **admin))
    embed = preview["data"]["embeds"][0]
    assert "Preview of announcement #1" in embed["description"]
    assert "Kick-off **today**" in embed["description"]  # the admin's markdown is kept
    buttons = [c["custom_id"] for c in preview["data"]["components"][0]["components"]]
    assert buttons[0] == "mentor:admin announce send 1"
    sent = await callback_for(fake, _click(fake, "admin announce send 1", **admin))
    assert "1 DM queued" in sent["data"]["embeds"][0]["description"]
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith("announce:1:"))
        ).all()
    assert [r.target_ids for r in rows] == [["111"]]
    # Someone without the admin role gets no form (discord.py only routes a modal's
    # submission to the person it was opened for), just the refusal.
    other = {"user_id": "333", "name": "eve", "guild_id": GUILD, "roles": ["555"]}
    refused = await callback_for(fake, slash(fake, "admin", "announce", **other))
    assert refused["type"] == 4
    assert "Only program admins" in refused["data"]["embeds"][0]["description"]


async def test_claim_button_first_one_wins(adapter, fake):
    """A request's Claim button: the first click takes it, the next one is thanked."""
    await callback_for(fake, slash(fake, "join", "mentee", user_id="111", name="alice"))
    await callback_for(fake, slash(fake, "join", "mentor", user_id="222", name="bob"))
    await callback_for(fake, slash(fake, "join", "mentor", user_id="333", name="cy"))
    asked = await callback_for(
        fake, slash(fake, "request", "help with sql", user_id="111", name="alice")
    )
    assert "Request #1 is out" in asked["data"]["embeds"][0]["description"]
    won = await callback_for(fake, _click(fake, "request claim 1", user_id="222", name="bob"))
    assert "It's yours: alice asked about" in won["data"]["embeds"][0]["description"]
    late = await callback_for(fake, _click(fake, "request claim 1", user_id="333", name="cy"))
    assert "bob already picked this one up" in late["data"]["embeds"][0]["description"]


async def test_nothing_is_sent_before_login(bot, fake):
    """A sender whose client hasn't logged in yet leaves the message waiting, without using
    an attempt or touching Discord."""
    adapter = DiscordAdapter(
        bot, guild_ids=(int(GUILD),), api_url=fake.url + "/api/v10", guild_ready_timeout=0.1
    )
    result = await adapter.sender.send(
        Target("discord", GUILD, "user", ("222",)), Message((Section(Text.trusted("hi")),))
    )
    assert result.status == "rate_limited" and result.error == "not logged in yet"
    assert fake.calls == []
    await adapter.client.close()


async def test_a_sharded_bot_serves_every_guild_on_its_own_connection(bot):
    """`[discord] shards = 0`: as many gateway connections as Discord recommends (two here);
    each carries the guilds whose id >> 22 modulo 2 is its number, admin role names are
    resolved in both, and commands from both guilds are answered."""
    other = "424242424246618546"  # on shard 1; GUILD is on shard 0
    fake = await FakeDiscord(
        users={"111": "alice"},
        guilds={GUILD: [("999", "Coordinators")], other: [("998", "Coordinators")]},
        recommended_shards=2,
    ).start()
    bot.settings = replace(
        bot.settings,
        discord=replace(bot.settings.discord, shards=0),
        admins=replace(bot.settings.admins, discord_roles=("Coordinators",)),
    )
    running = await started(bot, fake)
    try:
        assert sorted(fake.shards_identified) == [(0, 2), (1, 2)]
        assert running.client.shard_count == 2
        for guild in (GUILD, other):
            answer = await callback_for(
                fake, slash(fake, "status", user_id="111", name="alice", guild_id=guild)
            )
            assert "not in the program yet" in answer["data"]["embeds"][0]["description"]
        assert running._named_roles == {
            int(GUILD): {999: "Coordinators"},
            int(other): {998: "Coordinators"},
        }
    finally:
        await running.close()
        await fake.stop()


async def test_a_resent_outbox_row_is_not_a_second_message(adapter, fake):
    """Sending the same outbox row again (what a restart does with a send that was in flight
    at a crash) carries the same nonce with enforce_nonce, and Discord answers with the
    message it already has; a different row is a new message."""
    from dataclasses import replace as with_

    target = Target("discord", GUILD, "user", ("222",))
    first = Message((Section(Text.trusted("Did you meet?")),), delivery_id="mentorbot-41")
    a = await adapter.sender.send(target, first)
    b = await adapter.sender.send(target, first)
    posts = fake.calls_to("POST", r"channels/\d+/messages")
    assert [p["nonce"] for p in posts] == ["mentorbot-41", "mentorbot-41"]
    assert all(p["enforce_nonce"] is True for p in posts)
    assert a.status == b.status == "sent" and a.message_id == b.message_id
    assert len(fake.created) == 1
    await adapter.sender.send(target, with_(first, delivery_id="mentorbot-42"))
    assert len(fake.created) == 2


async def test_the_weekly_digest_carries_its_chart_as_an_attachment(adapter, fake, bot):
    """The digest through the outbox sender: the change since last week in the text and the
    meetings-per-cycle chart as a PNG attachment (discord.File)."""
    from bot.checkins.digest import weekly_digest
    from fakes.outcomes import generate
    from storage.engine import transaction
    from storage.models import Program

    truth = generate(bot.engine, people=40, weeks=12, platform="discord", workspace=GUILD)
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        message = weekly_digest(s, program, bot.prompts, bot.settings, now=bot.clock.now())
    result = await adapter.sender.send(Target("discord", GUILD, "user", ("222",)), message)
    assert result.status == "sent"
    body = fake.calls_to("POST", r"channels/\d+/messages")[-1]
    assert "vs last week" in json.dumps(body["embeds"])
    (png,) = body["files"]
    assert png["filename"].endswith(".png") and png["content"][:8] == b"\x89PNG\r\n\x1a\n"


async def test_the_digest_buttons_act_on_a_pair_at_risk(adapter, fake, bot):
    """The digest's Nudge / End / Rematch buttons carry `admin pair-... <id>`; an admin's
    click asks to confirm and names who is told, the confirm acts; others are refused."""
    from bot.checkins.digest import weekly_digest
    from storage.models import Pair, Program
    from tests.engagement.helpers import ghosting_pair

    _, pair_id = ghosting_pair(bot, a="111", b="333", platform="discord", workspace=GUILD)
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        message = weekly_digest(s, program, bot.prompts, bot.settings, now=bot.clock.now())
    result = await adapter.sender.send(Target("discord", GUILD, "user", ("222",)), message)
    assert result.status == "sent"
    body = fake.calls_to("POST", r"channels/\d+/messages")[-1]
    ids = [c["custom_id"] for row in body["components"] for c in row["components"]]
    assert ids == [
        f"mentor:admin pair-nudge {pair_id}",
        f"mentor:admin pair-end {pair_id}",
        f"mentor:admin pair-rematch {pair_id}",
    ]
    admin = {"user_id": "222", "name": "bob", "guild_id": GUILD, "roles": ["999"]}
    other = {"user_id": "111", "name": "alice", "guild_id": GUILD, "roles": ["555"]}
    refused = await callback_for(fake, _click(fake, f"admin pair-end {pair_id}", **other))
    assert "Only program admins" in json.dumps(refused)
    asked = await callback_for(fake, _click(fake, f"admin pair-end {pair_id}", **admin))
    assert "Who will be told: 111, 333" in asked["data"]["embeds"][0]["description"]
    confirm = asked["data"]["components"][0]["components"][0]["custom_id"]
    assert confirm == f"mentor:admin pair-end {pair_id} confirm"
    done = await callback_for(fake, _click(fake, confirm.removeprefix("mentor:"), **admin))
    assert "Pair ended" in done["data"]["embeds"][0]["description"]
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).end_reason == "removed"
