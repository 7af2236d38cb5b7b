"""The program picker on Slack, through real slack-bolt against the fake Slack on loopback:
the buttons come back as Block Kit, pressing one opens the join form for that program, and
its answers join that program."""

from __future__ import annotations

import json
import urllib.parse

from sqlmodel import select

from storage.engine import transaction
from storage.models import Member, Program
from tests.adapters.test_slack import click_body, command, fake, post, served, text_of

__all__ = ["fake", "served"]  # the fixtures, shared with the Slack adapter's tests


async def test_pressing_a_picker_button_on_slack_joins_that_program(served, fake, bot):
    """`/mentor join` in a workspace with two programs asks which; the pressed button opens
    the join modal for coffee, and submitting it joins coffee as a peer."""
    _, port, session = served
    await command(served, fake, "admin program", user="UADMIN", name="admin")
    created = await command(
        served, fake, "admin program new coffee peer Coffee chats", user="UADMIN", name="admin"
    )
    assert "Created *Coffee chats*" in text_of(created)
    asked = await command(served, fake, "join", user="U1", name="alice")
    assert "Which program is this for?" in text_of(asked)
    actions = [b for b in asked["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions[0]["elements"]] == ["join default", "join coffee"]

    status, _ = await post(session, port, click_body(fake, "join coffee", user="U1", name="alice"))
    assert status == 200
    await fake.wait_calls("views.open")
    view = fake.calls_to("views.open")[-1]["view"]
    assert view["callback_id"] == "form:join@coffee"
    assert "role" not in [b.get("block_id") for b in view["blocks"]]  # a peer program

    state = {
        "timezone": {"value": {"type": "plain_text_input", "value": "Lisbon"}},
        "skills": {"value": {"type": "plain_text_input", "value": None}},
        "wants": {"value": {"type": "plain_text_input", "value": "tea"}},
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
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    status, answer = await post(session, port, body)
    assert status == 200 and answer == ""
    with transaction(bot.engine) as s:
        rows = s.exec(select(Member, Program).join(Program)).all()
    assert [(p.slug, m.role, m.skills_wanted) for m, p in rows] == [("coffee", "peer", ["tea"])]
