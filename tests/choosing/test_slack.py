"""Choosing through real slack-bolt against the fake Slack on loopback: the mentee's Ask
button, the mentor's DM delivered by the dispatcher, and its Accept button pressed."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from bot.app import build_dispatcher
from storage.engine import transaction
from storage.models import Pair, PairStatus
from tests.adapters.test_slack import (  # noqa: F401 (fixtures)
    click_body,
    command,
    fake,
    post,
    served,
    text_of,
)


async def click(served, fake, value: str, user: str, name: str) -> str:  # noqa: F811
    _, port, session = served
    before = len(fake.responses)
    status, _ = await post(session, port, click_body(fake, value, user, name))
    assert status == 200
    await fake.wait_responses(before + 1)
    return text_of(fake.responses[before])


def button_values(blocks: object) -> list[str]:
    return re.findall(r'"value": "([^"]+)"', json.dumps(blocks))


async def test_the_mentor_presses_accept_in_slack(served, fake, bot):  # noqa: F811
    """alice asks bob with her button; bob's DM carries Accept, and pressing it pairs them."""
    adapter = served[0]
    await command(served, fake, "admin program set choose on", user="UADMIN", name="boss")
    await command(served, fake, "join mentee")  # U1 alice
    await command(served, fake, "profile set wants python")
    await command(served, fake, "join mentor", user="U2", name="bob")
    await command(served, fake, "profile set skills python", user="U2", name="bob")
    shown = await command(served, fake, "choose")
    ask = [v for v in button_values(shown.get("blocks")) if v.startswith("choose ask ")]
    assert len(ask) == 1 and "bob can help with python" in text_of(shown)
    assert "I've asked *bob*" in await click(served, fake, ask[0], "U1", "alice")

    await build_dispatcher(bot, {"slack": adapter.sender}).dispatch_all()
    cards = [
        p for p in fake.calls_to("chat.postMessage") if "would like you as their mentor" in str(p)
    ]
    assert len(cards) == 1
    values = button_values(
        json.loads(cards[0]["blocks"])
        if isinstance(cards[0]["blocks"], str)
        else cards[0]["blocks"]
    )
    assert values == ["choose accept 1", "choose decline 1"]

    answer = await click(served, fake, values[0], "U2", "bob")
    assert "You and *alice* are paired!" in answer
    with transaction(bot.engine) as s:
        pairs = s.exec(select(Pair)).all()
    assert [p.status for p in pairs] == [PairStatus.ACTIVE]
    await build_dispatcher(bot, {"slack": adapter.sender}).dispatch_all()
    posted = json.dumps(fake.calls_to("chat.postMessage"))
    assert "meet each other" in posted and "said yes" in posted, posted[-3000:]
