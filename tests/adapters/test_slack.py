"""The Slack adapter through real slack-bolt and slack-sdk, against a fake Slack on loopback."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
import urllib.parse
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import col, select

from adapters.slack import SlackAdapter
from adapters.slack.delivery import SlackSender
from bot.app import build_dispatcher
from bot.delivery import Target
from bot.replies import Button, Buttons, Message, Section
from bot.spans import Text
from fakes.slack import (
    FakeSlack,
    block_actions_body,
    event_callback_body,
    signed_headers,
    slash_command_body,
)
from storage.engine import transaction
from storage.models import Announcement, Member, OutboxMessage, Person

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
async def fake():
    slack = await FakeSlack(
        users={
            "U1": {"name": "alice", "tz": "Europe/London"},
            "U2": {"name": "bob", "tz": "Asia/Tokyo"},
        }
    ).start()
    yield slack
    await slack.stop()


@pytest.fixture
async def served(bot, fake):
    bot.settings = replace(bot.settings, admins=replace(bot.settings.admins, slack=("UADMIN",)))
    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret=SECRET, api_url=fake.url + "/api/"
    )
    port = await adapter.start_http("127.0.0.1", 0)
    session = aiohttp.ClientSession()
    yield adapter, port, session
    await session.close()
    await adapter.close()


async def post(
    session,
    port,
    body: str,
    *,
    content_type="application/x-www-form-urlencoded",
    secret=SECRET,
    timestamp=None,
    extra: dict[str, str] | None = None,
):
    headers = signed_headers(secret, body, timestamp=timestamp, content_type=content_type)
    headers.update(extra or {})
    async with session.post(
        f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
    ) as response:
        return response.status, await response.text()


_TRIGGERS = itertools.count(738474920)


def command_body(fake, text: str, user="U1", name="alice") -> str:
    trigger = f"13345224609.{next(_TRIGGERS)}.8088930838d88f008e0"
    return slash_command_body(f"{fake.url}/response/1", text, user=user, name=name, trigger=trigger)


async def command(served, fake, text: str, user="U1", name="alice") -> dict[str, Any]:
    """Run a slash command: acknowledged at once, answered ephemerally via response_url."""
    _, port, session = served
    before = len(fake.responses)
    status, body = await post(session, port, command_body(fake, text, user, name))
    assert status == 200 and body == ""
    await fake.wait_responses(before + 1)
    return fake.responses[before]


def text_of(response: dict[str, Any]) -> str:
    return json.dumps(response.get("blocks", [])) + response.get("text", "")


async def test_slash_commands_end_to_end(served, fake, bot):
    """Each subcommand answers ephemerally through response_url with Block Kit."""
    assert "not in the program yet" in text_of(await command(served, fake, "status"))
    reply = await command(served, fake, "join mentee")
    assert reply["response_type"] == "ephemeral"
    assert "You're in!" in reply["text"] and reply["blocks"][0]["type"] == "section"
    assert "Europe/London" in text_of(reply)  # zone taken from users.info
    assert "Asia/Tokyo" in text_of(await command(served, fake, "timezone Tokyo"))
    assert "python, sql" in text_of(await command(served, fake, "profile set skills python, sql"))
    status = await command(served, fake, "status")
    assert any(b["type"] == "section" and "fields" in b for b in status["blocks"])
    assert "Enjoy your break" in text_of(await command(served, fake, "pause 2 weeks"))
    assert "Welcome back" in text_of(await command(served, fake, "resume"))
    assert "Did you mean `/mentor status`" in text_of(await command(served, fake, "stauts"))
    leave = await command(served, fake, "leave")
    actions = [b for b in leave["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions[0]["elements"]] == ["leave confirm", "leave cancel"]
    assert actions[0]["elements"][0]["style"] == "danger"
    help_reply = await command(served, fake, "help")
    assert "/mentor checkin" in text_of(help_reply)
    with transaction(bot.engine) as s:
        person = s.exec(select(Person).where(Person.platform_user_id == "U1")).one()
    assert person.platform == "slack" and person.timezone == "Asia/Tokyo"


async def test_join_opens_a_modal_and_errors_come_back_inline(served, fake, bot):
    """/mentor join opens a modal; a bad field returns response_action=errors; a good one joins."""
    _, port, session = served
    status, _ = await post(session, port, command_body(fake, "join"))
    assert status == 200
    await fake.wait_calls("views.open")
    view = fake.calls_to("views.open")[0]["view"]
    assert view["type"] == "modal" and view["callback_id"] == "form:join"
    block_ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert block_ids == ["role", "timezone", "skills", "wants", "goals"]
    tz_block = next(b for b in view["blocks"] if b.get("block_id") == "timezone")
    assert tz_block["element"]["initial_value"] == "Europe/London"

    def submission(tz: str) -> str:
        state = {
            "role": {"value": {"type": "static_select", "selected_option": {"value": "mentee"}}},
            "timezone": {"value": {"type": "plain_text_input", "value": tz}},
            "skills": {"value": {"type": "plain_text_input", "value": None}},
            "wants": {"value": {"type": "plain_text_input", "value": "rust"}},
            "goals": {"value": {"type": "plain_text_input", "value": ""}},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U1", "username": "alice", "team_id": "T1"},
            "api_app_id": "A1",
            "trigger_id": "t",
            "view": {**view, "id": "V1", "state": {"values": state}},
        }
        return urllib.parse.urlencode({"payload": json.dumps(payload)})

    status, body = await post(session, port, submission("Atlantis"))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "Atlantis" in answer["errors"]["timezone"]
    with transaction(bot.engine) as s:
        assert s.exec(select(Member)).all() == []  # nothing half-saved

    status, body = await post(session, port, submission("Lisbon"))
    assert status == 200 and body == ""
    await fake.wait_calls("chat.postMessage")
    assert fake.calls_to("conversations.open")[-1]["users"] == "U1"
    assert "You're in!" in fake.calls_to("chat.postMessage")[-1]["text"]
    with transaction(bot.engine) as s:
        member = s.exec(select(Member)).one()
    assert member.skills_wanted == ["rust"]


def click_body(fake, value: str, user: str = "U2", name: str = "bob") -> str:
    """A block_actions payload: ``user`` pressed a button carrying ``value``."""
    return block_actions_body(
        f"{fake.url}/response/{user}", value, user=user, name=name, trigger=f"t{next(_TRIGGERS)}"
    )


async def test_button_click_runs_its_command(served, fake, bot):
    """A block_actions payload runs the button's command and answers via response_url."""
    _, port, session = served
    status, _ = await post(session, port, click_body(fake, "join mentor"))
    assert status == 200
    await fake.wait_responses(1)
    assert "as a mentor" in fake.responses[0]["text"]
    assert fake.responses[0]["replace_original"] is False


event_body = event_callback_body


async def test_app_home_is_published(served, fake):
    """Opening App Home publishes a view with the person's status or a way to join."""
    _, port, session = served
    body = event_body(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.1"}
    )
    status, _ = await post(session, port, body, content_type="application/json")
    assert status == 200
    await fake.wait_calls("views.publish")
    published = fake.calls_to("views.publish")[0]
    assert published["user_id"] == "U1" and published["view"]["type"] == "home"
    assert "Join as mentee" in json.dumps(published["view"]["blocks"])


async def test_direct_message_turn_and_retries_handled_once(served, fake):
    """A DM gets an answer in the DM; Slack's retry of the same event is not handled twice."""
    _, port, session = served
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "join mentee",
        "ts": "1.3",
        "event_ts": "1.3",
    }
    body = event_body(event, "EvDM")
    status, _ = await post(session, port, body, content_type="application/json")
    assert status == 200
    await fake.wait_calls("chat.postMessage")
    status, _ = await post(
        session,
        port,
        body,
        content_type="application/json",
        extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"},
    )
    assert status == 200
    posted = fake.calls_to("chat.postMessage")
    assert posted[0]["channel"] == "D1" and "You're in!" in posted[0]["text"]
    bot_echo = event_body({**event, "bot_id": "BBOT", "user": "UBOT"}, "EvBot")
    await post(session, port, bot_echo, content_type="application/json")
    await command(served, fake, "status")  # a later request proves the others were processed
    assert len(fake.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("headers_for", "expected"),
    [
        (lambda body: signed_headers("wrong-secret", body), 401),
        (lambda body: signed_headers(SECRET, body, timestamp=int(time.time()) - 600), 401),
        (lambda body: {"Content-Type": "application/x-www-form-urlencoded"}, 401),
    ],
)
async def test_forged_and_stale_requests_are_rejected(served, fake, bot, headers_for, expected):
    """Wrong signatures, stale timestamps and unsigned requests get 401 and change nothing."""
    _, port, session = served
    body = command_body(fake, "join mentee")
    async with session.post(
        f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers_for(body)
    ) as response:
        assert response.status == expected
    with transaction(bot.engine) as s:
        assert s.exec(select(Member)).all() == []
    assert fake.responses == []


async def test_user_text_is_escaped(served, fake):
    """<!channel>, fake links and & in user text reach Slack as entities, never as markup."""
    await command(served, fake, "join mentee")
    reply = await command(served, fake, "profile set goals ping <!channel> & <https://x.io|y>")
    blob = json.dumps(reply["blocks"]) + reply["text"]
    assert "<!channel>" not in blob and "<https://x.io|y>" not in blob
    assert "&lt;!channel&gt; &amp; &lt;https://x.io|y&gt;" in blob
    # and Slack is told not to turn URLs or #channels people typed into links
    texts = [b["text"] for b in reply["blocks"] if b["type"] == "section" and "text" in b]
    assert texts and all(t["verbatim"] is True for t in texts)


async def test_admin_commands_follow_configured_slack_ids(served, fake):
    """Only configured Slack admin ids may use admin commands."""
    assert "Only program admins" in text_of(await command(served, fake, "admin members"))
    await command(served, fake, "join mentee")
    reply = await command(served, fake, "admin members", user="UADMIN", name="boss")
    assert "alice" in text_of(reply)


async def test_log_lines_name_slack_users_by_pseudonym(served, fake, bot, caplog):
    """A users.info failure and a refused admin command are logged with the person's
    pseudonym: neither their U-id nor their name appears in any log line (at INFO, the
    default; at DEBUG slack-sdk logs whole requests)."""
    fake.fail_next("users.info", 200, {"ok": False, "error": "user_not_visible"})
    with caplog.at_level(logging.INFO):
        refused = await command(served, fake, "admin members", user="U0ZEB42", name="zebediah")
    assert "Only program admins" in text_of(refused)
    who = bot.pseudonyms.of("slack", "U0ZEB42")
    assert f"users.info failed for {who}" in caplog.text
    assert f"refused 'admin' to non-admin {who}" in caplog.text
    assert "U0ZEB42" not in caplog.text and "zebediah" not in caplog.text.lower()


async def test_outbox_delivery_group_dm_and_rate_limit(fake):
    """A group DM is opened for a pair; a 429 is retried after Retry-After and then sent."""
    from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    sender = SlackSender(client)
    message = Message(
        (
            Section(Text.trusted("*hi* ") + Text.user("<!here>")),
            Buttons((Button("We met", "checkin met"),)),
        )
    )
    fake.fail_next(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
    )
    result = await sender.send(Target("slack", "T1", "group", ("U2", "U1")), message)
    assert result.status == "sent" and result.message_id
    assert fake.calls_to("conversations.open")[0]["users"] == "U1,U2"
    posts = fake.calls_to("chat.postMessage")
    assert len(posts) == 2 and posts[1]["channel"].startswith("G")
    assert posts[1]["blocks"][0]["text"]["text"] == "*hi* &lt;!here&gt;"
    assert posts[1]["blocks"][1]["elements"][0]["value"] == "checkin met"

    for _ in range(2):
        fake.fail_next(
            "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}
        )
    limited = await sender.send(Target("slack", "T1", "user", ("U1",)), message)
    assert limited.status == "rate_limited" and limited.retry_after == 7

    fake.fail_next("chat.postMessage", 200, {"ok": False, "error": "cannot_dm_bot"})
    assert (
        await sender.send(Target("slack", "T1", "user", ("U1",)), message)
    ).status == "permanent"
    fake.fail_next("chat.postMessage", 200, {"ok": False, "error": "internal_error"})
    assert (
        await sender.send(Target("slack", "T1", "user", ("U1",)), message)
    ).status == "transient"


async def test_dispatcher_parks_permanent_slack_failures(bot, fake):
    """Through the dispatcher: a user who left is parked, others are sent."""
    from bot.app import build_dispatcher
    from bot.outbox import enqueue

    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret=SECRET, api_url=fake.url + "/api/"
    )
    message = Message((Section(Text.trusted("hello")),))
    with transaction(bot.engine) as s:
        for user in ("U1", "UGONE"):
            enqueue(
                s,
                dedupe_key=f"k-{user}",
                target=Target("slack", "T1", "user", (user,)),
                message=message,
                not_before=bot.clock.now(),
                now=bot.clock.now(),
            )
    fake.gone_users.add("UGONE")
    stats = await build_dispatcher(bot, {"slack": adapter.sender}).dispatch_all()
    assert stats.sent == 1 and stats.parked == 1 and stats.errors == ["user_not_found"]
    with transaction(bot.engine) as s:
        rows = {r.dedupe_key: r for r in s.exec(select(OutboxMessage)).all()}
    assert rows["k-U1"].status == "sent" and rows["k-U1"].platform_message_id
    await adapter.close()


async def test_socket_mode_round_trip(bot, fake):
    """Socket Mode: apps.connections.open, hello, a slash command envelope, its ack, a reply."""
    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret="", socket_mode=True, api_url=fake.url + "/api/"
    )
    await adapter.start_socket_mode("xapp-1-test")
    try:
        assert fake.calls_to("apps.connections.open")
        payload = {
            "token": "t",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "alice",
            "command": "/mentor",
            "text": "join mentor",
            "api_app_id": "A1",
            "response_url": f"{fake.url}/response/9",
            "trigger_id": "t",
        }
        await fake.socket_send(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "payload": payload,
                "accepts_response_payload": True,
            }
        )
        await fake.wait_for(lambda: any(a.get("envelope_id") == "env-1" for a in fake.socket_acks))
        await fake.wait_responses(1)
        assert "as a mentor" in fake.responses[0]["text"]
    finally:
        await adapter.close()


async def test_quick_answers_can_ride_in_the_acknowledgement(bot, fake):
    """With an ack budget, a quick answer comes back in the HTTP acknowledgement itself."""
    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret=SECRET, api_url=fake.url + "/api/", ack_budget=2.0
    )
    port = await adapter.start_http("127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        status, body = await post(session, port, command_body(fake, "join mentee"))
    assert status == 200
    answer = json.loads(body)
    assert "You're in!" in answer["text"] and answer["response_type"] == "ephemeral"
    assert fake.responses == []
    await adapter.close()


async def test_runtime_serves_slack_with_the_pulse(bot, fake):
    """`run --platform slack --http`: the runtime serves signed requests and delivers outbox
    messages (the welcome DM) through Slack, until stopped."""
    import asyncio

    from adapters.runtime import ServeOptions, serve

    bot.settings = replace(
        bot.settings,
        slack=replace(bot.settings.slack, api_url=fake.url + "/api/"),
        checkins=replace(bot.settings.checkins, dispatch_every_seconds=1),
    )
    stop = asyncio.Event()
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    # A backlog from before the restart: serving starts first, the backlog drains after.
    from bot.outbox import enqueue

    with transaction(bot.engine) as s:
        for k in range(50):
            enqueue(
                s,
                dedupe_key=f"backlog:{k}",
                target=Target("slack", "T1", "user", (f"U{k}",)),
                message=Message((Section(Text.trusted(f"backlog {k}")),)),
                not_before=bot.clock.now(),
                now=bot.clock.now(),
            )
    posted_when_ready: list[int] = []
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def ready(port: int) -> None:
        posted_when_ready.append(len(fake.calls_to("chat.postMessage")))
        bound.set_result(port)

    task = asyncio.create_task(
        serve(
            bot,
            ("slack",),
            ServeOptions(http=True, host="127.0.0.1", port=0),
            env=env,
            stop=stop,
            on_http_ready=ready,
        )
    )
    port = await asyncio.wait_for(bound, 20)
    assert posted_when_ready == [0]  # nothing was sent before the server was up
    async with (
        aiohttp.ClientSession() as probe,
        probe.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        assert response.status == 200
        health = await response.json()
    assert health["database"] == "ok" and "outbox_backlog" in health

    async with aiohttp.ClientSession() as session:
        status, _ = await post(session, port, command_body(fake, "join mentee"))
        assert status == 200
        await fake.wait_responses(1)
    # The welcome DM goes out through the outbox on the pulse's dispatch job.
    await fake.wait_for(
        lambda: any("welcome" in p.get("text", "") for p in fake.calls_to("chat.postMessage")),
        timeout=20,
    )
    await fake.wait_for(
        lambda: (
            sum("backlog" in p.get("text", "") for p in fake.calls_to("chat.postMessage")) == 50
        ),
        timeout=20,
    )
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_the_runtime_starts_without_library_warnings(bot, fake, caplog, monkeypatch):
    """Started as `mentorbot run` starts it (the tokens in the process environment, where
    slack-bolt looks too), Slack HTTP mode logs no warning: bolt once said "As you gave
    `client` as well, `token` will be unused" on every start."""
    import asyncio
    import os

    from adapters.runtime import ServeOptions, serve

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    api_url = fake.url + "/api"  # no trailing slash: the client adds it
    bot.settings = replace(bot.settings, slack=replace(bot.settings.slack, api_url=api_url))
    stop = asyncio.Event()
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    with caplog.at_level(logging.INFO):
        task = asyncio.create_task(
            serve(
                bot,
                ("slack",),
                ServeOptions(http=True, host="127.0.0.1", port=0),
                env=os.environ,
                stop=stop,
                on_http_ready=bound.set_result,
            )
        )
        port = await asyncio.wait_for(bound, 20)
        async with aiohttp.ClientSession() as session:
            status, _ = await post(session, port, command_body(fake, "join mentee"))
            assert status == 200
            await fake.wait_responses(1)
        stop.set()
        await asyncio.wait_for(task, 10)
    assert "slack HTTP mode on 127.0.0.1" in caplog.text
    assert fake.calls_to("auth.test") and fake.calls_to("users.info")  # bolt's client: api_url
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert noisy == [], [f"{r.name}: {r.getMessage()}" for r in noisy]


def _submission(view: dict[str, Any], state: dict[str, Any], user="U1") -> str:
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user, "username": "alice", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t",
        "view": {**view, "id": "V2", "state": {"values": state}},
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


async def test_session_feedback_opens_as_a_modal_and_is_validated(served, fake, bot):
    """/mentor feedback (a short script) opens a modal; a forged value comes back inline;
    a good submission is stored and thanked for in the DM."""
    from storage.models import Feedback
    from tests.checkins.helpers import make_pair, make_program

    program = make_program(bot, platform="slack", workspace="T1")
    make_pair(bot, program, "U1", "U2", platform="slack")
    _, port, session = served
    status, _ = await post(session, port, command_body(fake, "feedback"))
    assert status == 200
    await fake.wait_calls("views.open")
    view = fake.calls_to("views.open")[0]["view"]
    assert view["callback_id"] == "form:conv:1"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["rating", "helped", "change", "fit"]  # fit: first session
    rating = inputs["rating"]["element"]
    assert rating["type"] == "static_select" and len(rating["options"]) == 5
    assert inputs["helped"]["optional"] is True and inputs["rating"]["optional"] is False

    def state(rating_value: str) -> dict[str, Any]:
        def select_(v: str) -> dict[str, Any]:
            return {"value": {"type": "static_select", "selected_option": {"value": v}}}

        return {
            "rating": select_(rating_value),
            "helped": {"value": {"type": "plain_text_input", "value": "Pairing on a bug"}},
            "change": {"value": {"type": "plain_text_input", "value": None}},
            "fit": select_("great"),
        }

    status, body = await post(session, port, _submission(view, state("9")))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and "1 to 5" in answer["errors"]["rating"]
    status, body = await post(session, port, _submission(view, state("4")))
    assert status == 200 and body == ""
    await fake.wait_calls("chat.postMessage")
    assert "Thank you!" in fake.calls_to("chat.postMessage")[-1]["text"]
    with transaction(bot.engine) as s:
        rows = {f.kind: f for f in s.exec(select(Feedback)).all()}
    assert rows["session"].rating == 4 and rows["session"].helped == "Pairing on a bug"
    assert rows["fit"].helped == "great"


async def test_goal_setting_moves_to_the_dm_and_echoes_safely(served, fake, bot):
    """/mentor goal in a channel continues in the DM; answers there are escaped when echoed."""
    _, port, session = served
    await command(served, fake, "join mentee")
    reply = await command(served, fake, "goal")
    assert "I've sent you a DM" in reply["text"]
    with transaction(bot.engine) as s:
        opening = s.exec(
            select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith("conv:1:start"))
        )
        assert "question 1 of 7" in Message.from_json(opening.one().payload).plain()
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "get better at <!channel> things",
        "ts": "2.1",
        "event_ts": "2.1",
    }
    await post(session, port, event_body(event, "EvGoal1"), content_type="application/json")
    await fake.wait_calls("chat.postMessage")
    coach = fake.calls_to("chat.postMessage")[-1]
    assert coach["channel"] == "D1" and "direction more than a goal" in coach["text"]
    assert "&lt;!channel&gt;" in json.dumps(coach["blocks"]) and "<!channel>" not in coach["text"]
    event = {**event, "text": "Run 2 customer demos on my own", "ts": "2.2", "event_ts": "2.2"}
    await post(session, port, event_body(event, "EvGoal2"), content_type="application/json")
    await fake.wait_calls("chat.postMessage", 2)
    assert "question 2 of 7" in fake.calls_to("chat.postMessage")[-1]["text"]


async def test_resuming_from_a_channel_points_to_the_dm(served, fake, bot):
    """A slash command can come from any channel, so a resumed question goes to the DM."""
    await command(served, fake, "join mentee")
    await command(served, fake, "goal")
    reply = await command(served, fake, "conversation continue")
    assert "I've sent you a DM" in reply["text"] and "question 1" not in reply["text"]
    with transaction(bot.engine) as s:
        resumed = s.exec(
            select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith("conv:1:resume"))
        ).one()
    assert "Picking up *Set a SMART goal*" in Message.from_json(resumed.payload).plain()


# -- announcements ------------------------------------------------------------------------
def _state(text: str, *, mode="both", ping="yes", when="now") -> dict:
    return {
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "audience": {"value": {"type": "static_select", "selected_option": {"value": "everyone"}}},
        "mode": {"value": {"type": "static_select", "selected_option": {"value": mode}}},
        "when": {"value": {"type": "plain_text_input", "value": when}},
        "ping": {"value": {"type": "static_select", "selected_option": {"value": ping}}},
    }


async def test_announce_form_preview_send_and_a_ping_that_was_allowed(served, fake, bot):
    _, port, session = served
    await command(served, fake, "join mentee")  # U1 alice
    await command(served, fake, "join mentee", user="U2", name="bob")
    await command(served, fake, "admin program set channel C-news", user="UADMIN", name="boss")

    status, _ = await post(session, port, command_body(fake, "admin announce", "UADMIN", "boss"))
    assert status == 200
    await fake.wait_calls("views.open")
    view = fake.calls_to("views.open")[-1]["view"]
    assert view["callback_id"] == "form:announce"
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == ["text", "audience", "mode", "when", "ping"]

    # Someone who is not an admin cannot submit the form (a forged view_submission).
    status, body = await post(session, port, _submission(view, _state("@here hi"), user="U1"))
    assert status == 200
    await fake.wait_calls("chat.postMessage")
    assert "Only program admins" in fake.calls_to("chat.postMessage")[-1]["text"]
    with transaction(bot.engine) as s:
        assert s.exec(select(Announcement)).all() == []

    # The admin's submission: the preview arrives by DM with Send / Edit / Cancel.
    before = len(fake.calls_to("chat.postMessage"))
    status, body = await post(
        session, port, _submission(view, _state("Town hall at 5 @here"), user="UADMIN")
    )
    assert status == 200 and body == ""
    await fake.wait_for(lambda: len(fake.calls_to("chat.postMessage")) > before)
    preview = fake.calls_to("chat.postMessage")[-1]
    assert "Preview of announcement #1" in preview["text"]
    buttons = [
        e["value"] for b in preview["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["admin announce send 1", "admin announce edit 1", "admin announce cancel 1"]

    responses = len(fake.responses)
    status, _ = await post(session, port, click_body(fake, buttons[0], "UADMIN", "boss"))
    assert status == 200
    await fake.wait_responses(responses + 1)
    assert "2 DMs queued" in text_of(fake.responses[responses])

    # The outbox sends it through slack-sdk: the channel post pings, the DMs don't.
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    dispatcher = build_dispatcher(bot, {"slack": SlackSender(client)})
    await dispatcher.dispatch_all()
    posts = [
        p
        for p in fake.calls_to("chat.postMessage")
        if "Town hall" in p["text"] and "Preview" not in p["text"]
    ]
    channel = [p for p in posts if p["channel"] == "C-news"]
    dms = [p for p in posts if p["channel"] != "C-news"]
    assert len(channel) == 1 and len(dms) == 2
    assert "<!here>" in channel[0]["text"] and "<!here>" in json.dumps(channel[0]["blocks"])
    assert all("<!here>" not in p["text"] for p in dms)
    assert "<!here>" not in preview["text"]  # the admin's preview doesn't ping anyone
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("announce:"))
        ).all()  # type: ignore[union-attr]
    assert {r.status for r in rows} == {"sent"}


async def test_export_is_uploaded_to_the_dm_with_files_upload_v2(served, fake):
    """The ephemeral answer can't carry a file: it is uploaded to the person's DM."""
    await command(served, fake, "join mentee")
    reply = await command(served, fake, "export")
    assert "everything I store about you" in reply["text"]
    await fake.wait_calls("files.completeUploadExternal")
    (upload,) = fake.uploads.values()
    assert upload["filename"].endswith(".json")
    assert upload["channel"].startswith("D")  # the DM conversations.open gave
    data = json.loads(upload["content"])
    assert data["person"]["platform_user_id"] == "U1"
    assert data["person"]["timezone"] == "Europe/London"


async def test_admin_report_answers_with_figures_and_uploads_the_page_and_chart(served, fake, bot):
    """`/mentor admin report`: the key figures in the ephemeral answer; the HTML page and the
    meetings chart uploaded to the admin's DM with files_upload_v2."""
    from fakes.outcomes import generate

    generate(bot.engine, people=40, weeks=3, platform="slack", workspace="T1")
    reply = await command(served, fake, "admin report", user="UADMIN", name="boss")
    assert "program report" in reply["text"]
    assert re.search(r"\d+% of planned meetings held", text_of(reply))
    await fake.wait_calls("files.completeUploadExternal", 2)
    uploads = sorted(fake.uploads.values(), key=lambda u: u["filename"])
    assert [u["filename"][:17] for u in uploads] == ["meetings-per-cycl", "mentorbot-report-"]
    chart, page = uploads
    assert chart["content"][:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        page["content"].startswith(b"<!doctype html>")
        and b"Generated &lt;program&gt;" in page["content"]
    )
    assert chart["channel"] == page["channel"] and page["channel"].startswith("D")


async def test_claim_button_first_one_wins(served, fake):
    """A request's Claim button through bolt: the first click takes it, the second is thanked."""
    _, port, session = served
    await command(served, fake, "join mentee")  # U1 alice
    await command(served, fake, "join mentor", user="U2", name="bob")
    await command(served, fake, "profile set skills python", user="U2", name="bob")
    await command(served, fake, "join mentor", user="U3", name="cy")
    asked = await command(served, fake, "request python packaging help")
    assert "Request #1 is out" in text_of(asked)

    async def click(user: str, name: str) -> str:
        before = len(fake.responses)
        status, _ = await post(session, port, click_body(fake, "request claim 1", user, name))
        assert status == 200
        await fake.wait_responses(before + 1)
        return text_of(fake.responses[before])

    assert "It's yours: alice asked about" in await click("U2", "bob")
    assert "bob already picked this one up" in await click("U3", "cy")


def _signed(raw: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


@pytest.mark.parametrize(
    ("raw", "headers", "expected"),
    [
        (b"text=\xff\xfe", None, 400),  # signed, but not UTF-8
        (b"payload=%7Bnot", None, 400),  # signed, payload isn't JSON
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"text=hi", {"X-Slack-Request-Timestamp": "abc"}, 401),  # no signature at all
        (b"text=hi", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}, 401),
        (b"\xff" * 100, {}, 401),
        (b"x" * (5 * 1024 * 1024), {}, 413),
    ],
)
async def test_malformed_requests_are_4xx_never_500(served, fake, caplog, raw, headers, expected):
    """Checked on the raw bytes before bolt parses anything: one log line, no body, and the
    endpoint keeps serving."""
    import logging

    _, port, session = served
    if headers is None or headers == "application/json":
        sent = _signed(raw, headers or "application/x-www-form-urlencoded")
    else:
        sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    with caplog.at_level(logging.DEBUG):
        async with session.post(
            f"http://127.0.0.1:{port}/slack/events", data=raw, headers=sent
        ) as response:
            assert response.status == expected
    assert "Traceback" not in caplog.text and "not json" not in caplog.text
    assert "xxxxxxxxxx" not in caplog.text
    assert "Europe/London" in text_of(await command(served, fake, "join mentee"))


async def test_a_replayed_signed_command_runs_once(served, fake, bot):
    """A captured signed request sent again inside Slack's 5 minutes does nothing."""
    _, port, session = served
    body = command_body(fake, "join mentee")
    headers = signed_headers(SECRET, body)
    for _ in range(2):
        async with session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
        ) as response:
            assert response.status == 200
    await fake.wait_responses(1)
    await command(served, fake, "status")  # a later request proves the replay was dropped
    assert len(fake.responses) == 2
    with transaction(bot.engine) as s:
        assert len(s.exec(select(Member)).all()) == 1


async def test_retry_after_holds_every_concurrent_send(bot, fake):
    """Eight sends hit a 429 with Retry-After 1 at once: nothing more reaches Slack until that
    second has passed (no SDK retries of their own, the rest of the batch held), then every
    message goes once, none parked, no attempt used by the storm."""
    from bot.app import build_dispatcher

    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret=SECRET, api_url=fake.url + "/api/"
    )
    now = bot.clock.now()
    from bot.outbox import enqueue

    with transaction(bot.engine) as s:
        for k in range(16):
            enqueue(
                s,
                dedupe_key=f"m{k}",
                target=Target("slack", "T1", "channel", (f"C{k}",)),
                message=Message((Section(Text.trusted(f"m{k}")),)),
                not_before=now,
                now=now,
            )
    for _ in range(8):
        fake.fail_next(
            "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        )
    dispatcher = build_dispatcher(bot, {"slack": adapter.sender}, concurrency=8)
    stats = await dispatcher.dispatch_due()
    assert stats.parked == 0
    calls = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert len(calls) == 8  # the eight in flight; the other eight were held, not sent
    bot.clock.advance(timedelta(milliseconds=500))
    await dispatcher.dispatch_all()
    assert len([c for c in fake.calls if c.method == "chat.postMessage"]) == 8  # still inside
    bot.clock.advance(timedelta(seconds=1))
    await dispatcher.dispatch_all()
    calls = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert len(calls) == 24  # every message delivered once after the storm
    assert len({c.params["text"] for c in calls[8:]}) == 16
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    await adapter.close()


async def test_replays_and_event_retries_are_caught_across_a_restart(bot, fake):
    """What was handled is recorded in the database: a second process (or the same one after
    a restart) ignores a replayed command and a retried event too."""
    body = command_body(fake, "join mentee")
    headers = signed_headers(SECRET, body)
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": "status",
        "channel": "D1",
        "ts": "1.1",
    }
    events = event_body(event, "EvRestart")
    for round_ in range(2):  # two adapters, one after the other, on the same database
        adapter = SlackAdapter(
            bot, token="xoxb-test", signing_secret=SECRET, api_url=fake.url + "/api/"
        )
        port = await adapter.start_http("127.0.0.1", 0)
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
            ) as response:
                assert response.status == 200
            async with session.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=events.encode(),
                headers=signed_headers(SECRET, events, content_type="application/json"),
            ) as response:
                assert response.status == 200
        if round_ == 0:
            await fake.wait_responses(1)
            await fake.wait_calls("chat.postMessage")
        await adapter.close()
    await asyncio.sleep(0.3)
    assert len(fake.responses) == 1  # the command ran once
    assert len(fake.calls_to("chat.postMessage")) == 1  # the event was answered once
    with transaction(bot.engine) as s:
        assert len(s.exec(select(Member)).all()) == 1


async def test_a_post_that_timed_out_after_slack_had_it_is_found_not_posted_again(bot, fake):
    """Every outbox post carries its delivery id in message metadata; a retry first looks for
    it in the conversation's history, so a post whose answer never came is counted once."""
    from slack_sdk.web.async_client import AsyncWebClient

    from fakes.programs import queue_text

    user = Target("slack", "T1", "user", ("U1",))
    queue_text(bot.engine, "k-slow", user, "hello", due=bot.clock.now())
    fake.post_delay = 1.0  # Slack has the post, its answer is late
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/", timeout=0.3)
    dispatcher = build_dispatcher(bot, {"slack": SlackSender(client)})
    first = await dispatcher.dispatch_all()
    assert first.sent == 0 and first.retried == 1  # a timeout: we can't know it was posted
    posts = fake.calls_to("chat.postMessage")
    assert len(posts) == 1
    assert posts[0]["metadata"]["event_type"] == "mentorbot_delivery"
    delivery_id = posts[0]["metadata"]["event_payload"]["delivery_id"]

    fake.post_delay = 0.0
    bot.clock.advance(timedelta(minutes=10))  # past the retry's back-off
    second = await dispatcher.dispatch_all()
    assert second.sent == 1
    assert len(fake.calls_to("chat.postMessage")) == 1  # found in the history, not re-posted
    history = fake.calls_to("conversations.history")
    assert history and history[0]["include_all_metadata"] in (True, "true", "1")
    with transaction(bot.engine) as s:
        row = s.exec(select(OutboxMessage)).one()
    (posted,) = fake.posted[posts[0]["channel"]]
    assert row.status == "sent" and row.platform_message_id == posted["ts"]
    assert delivery_id == f"mentorbot-{row.id}"

    # Without the history scopes the retry can't look: it posts again (and says so once).
    with transaction(bot.engine) as s:
        row = s.exec(select(OutboxMessage)).one()
        row.status, row.attempts = "pending", 1
        s.add(row)
    fake.history_error = "missing_scope"
    assert (await dispatcher.dispatch_all()).sent == 1
    assert len(fake.calls_to("chat.postMessage")) == 2


async def test_the_weekly_digest_uploads_its_chart_with_files_upload_v2(bot, fake):
    """The digest goes out through the outbox: its text with the change since last week, and
    the meetings-per-cycle chart uploaded as a PNG beside it (files_upload_v2)."""
    from bot.checkins.digest import weekly_digest
    from bot.outbox import enqueue
    from fakes.outcomes import generate
    from storage.models import Program

    truth = generate(bot.engine, people=40, weeks=12, platform="slack", workspace="T1")
    now = bot.clock.now()
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        enqueue(
            s,
            dedupe_key="digest:test",
            target=Target("slack", "T1", "user", ("U1",)),
            message=weekly_digest(s, program, bot.prompts, bot.settings, now=now),
            not_before=now,
            now=now,
            program_id=truth.program_id,
        )
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    (post,) = fake.calls_to("chat.postMessage")
    assert "vs last week" in post["text"]
    await fake.wait_calls("files.completeUploadExternal")
    (upload,) = fake.uploads.values()
    assert upload["filename"].startswith("meetings-per-cycle-") and upload["filename"].endswith(
        ".png"
    )
    assert upload["content"][:8] == b"\x89PNG\r\n\x1a\n"
    assert upload["channel"] == post["channel"]


async def test_the_digest_buttons_act_on_a_pair_at_risk(served, fake, bot):
    """The digest's Nudge / End / Rematch buttons carry `admin pair-... <id>` on Slack; an
    admin's click asks to confirm and names who is told, the confirm acts; others are refused."""
    from bot.checkins.digest import weekly_digest
    from bot.outbox import enqueue
    from storage.models import Pair, Program
    from tests.engagement.helpers import ghosting_pair

    _, port, session = served
    _, pair_id = ghosting_pair(bot, a="U1", b="U2", platform="slack", workspace="T1")
    now = bot.clock.now()
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        enqueue(
            s,
            dedupe_key="digest:test",
            target=Target("slack", "T1", "user", ("UADMIN",)),
            message=weekly_digest(s, program, bot.prompts, bot.settings, now=now),
            not_before=now,
            now=now,
            program_id=program.id,
        )
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    (posted,) = fake.calls_to("chat.postMessage")
    values = [e["value"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == [
        f"admin pair-nudge {pair_id}",
        f"admin pair-end {pair_id}",
        f"admin pair-rematch {pair_id}",
    ]
    await post(session, port, click_body(fake, f"admin pair-nudge {pair_id}", user="U1"))
    await fake.wait_responses(1)
    assert "Only program admins" in fake.responses[0]["text"]
    body = click_body(fake, f"admin pair-nudge {pair_id}", user="UADMIN", name="admin")
    await post(session, port, body)
    await fake.wait_responses(2)
    asked = fake.responses[1]
    assert "Who will be told: U2" in asked["text"]
    confirm = [e["value"] for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert confirm[0] == f"admin pair-nudge {pair_id} confirm"
    await post(session, port, click_body(fake, confirm[0], user="UADMIN", name="admin"))
    await fake.wait_responses(3)
    assert "on its way to U2" in fake.responses[2]["text"]
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).status == "active"
        keys = s.exec(select(OutboxMessage.dedupe_key, OutboxMessage.target_ids)).all()
    assert [ids for key, ids in keys if key.startswith(f"engage:{pair_id}:")] == [["U2"]]
