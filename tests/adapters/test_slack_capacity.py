"""Capacity planning through real slack-bolt and slack-sdk against the fake Slack: the
preview's "Ask mentors to raise their capacity" button DMs the full mentors, whose "Take one
more" raises their capacity.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from adapters.slack.delivery import SlackSender
from bot.app import build_dispatcher
from storage.engine import transaction
from storage.models import Member, Person
from tests.adapters.test_slack import click_body, command, fake, post, served, text_of

__all__ = ["fake", "served"]  # the fixtures this module uses


def values(message: dict[str, Any]) -> list[str]:
    """The commands the buttons of a Slack message carry."""
    return [e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def click(served, fake, value: str, user: str, name: str) -> str:
    _, port, session = served
    before = len(fake.responses)
    status, _ = await post(session, port, click_body(fake, value, user=user, name=name))
    assert status == 200
    await fake.wait_responses(before + 1)
    return text_of(fake.responses[before])


async def test_the_capacity_button_asks_full_mentors_on_slack(served, fake, bot):
    """Two mentors with one place each, three mentees: the preview says one can't be placed;
    a mentee's press is refused, the admin's DMs both mentors once, and U1's "Take one more"
    raises U1's capacity to 2.
    """
    people = [("U1", "alice", "mentor"), ("U2", "bob", "mentor")]
    people += [("U3", "cy", "mentee"), ("U4", "di", "mentee"), ("U5", "ed", "mentee")]
    for user, name, role in people:
        await command(served, fake, f"join {role}", user=user, name=name)
    preview = await command(served, fake, "admin match", user="UADMIN", name="boss")
    assert "3 mentees waiting, 2 free mentor places; 1 mentee can't be placed" in text_of(preview)
    (ask,) = [v for v in values(preview) if v.startswith("admin capacity ask ")]

    assert "Only program admins" in await click(served, fake, ask, "U3", "cy")
    assert "Asked 2 mentors at capacity" in await click(served, fake, ask, "UADMIN", "boss")
    assert "Asked 0 mentors" in await click(served, fake, ask, "UADMIN", "boss")

    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
    dms = [p for p in fake.calls_to("chat.postMessage") if "Could you take one more" in p["text"]]
    assert sorted(fake.dm_of[p["channel"]] for p in dms) == ["U1", "U2"]
    (to_alice,) = [p for p in dms if fake.dm_of[p["channel"]] == "U1"]
    more = [v for v in values(to_alice) if v.startswith("capacity more ")]
    assert len(more) == 1 and any(v.startswith("capacity notnow ") for v in values(to_alice))

    assert "You can now mentor up to 2 mentees" in await click(served, fake, more[0], "U1", "alice")
    with transaction(bot.engine) as s:
        capacity = dict(s.exec(select(Person.platform_user_id, Member.capacity).join(Member)).all())
    assert capacity["U1"] == 2 and capacity["U2"] == 1
