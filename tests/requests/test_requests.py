"""Requests for help through the console on the fake clock: who is told, the first claim
wins (also under 50 concurrent claimers), closing with a rating, escalation, the digest."""

from __future__ import annotations

import threading

from sqlmodel import select

from bot.events import Action
from storage.engine import transaction
from storage.models import MentorRequest
from tests.conftest import actor
from tests.conversations.helpers import Chat, outbox


async def program(chat: Chat) -> None:
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor profile set skills python, sql", who="mia")
    await chat.say("/mentor join mentor", who="max")
    await chat.say("/mentor profile set skills design", who="max")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor join mentee", who="bea")
    await chat.say("/mentor admin program set mentors C-mentors", who="admin")


async def test_matching_mentors_hear_first_claim_wins_and_it_closes_with_a_rating(bot):
    chat = Chat(bot)
    await program(chat)
    asked = await chat.say("/mentor request how do I speed up this SQL query?", who="ann")
    assert "Request #1 is out: 1 mentor whose skills match was told" in asked
    out = asked  # the console delivers queued messages after each line
    assert "[DM to mia] 🙋 *ann* asks for help (normal)" in out
    assert "[#C-mentors] 🙋 *ann* asks for help" in out
    assert "[DM to max]" not in out  # design isn't named in the request
    # A mentee can't pick it up; the asker can't claim their own.
    assert "picked up by mentors" in await chat.say("/mentor request claim 1", who="bea")
    assert "your own request" in await chat.say("/mentor request claim 1", who="ann")
    listing = await chat.say("/mentor requests", who="max")
    assert "#1 how do I speed up this SQL query?" in listing and "Claim #1" in listing
    won = await chat.click("Claim #1", listing)
    assert "It's yours: ann asked about" in won
    assert "[DM to ann] max picked up your request" in won
    late = await chat.say("/mentor request claim 1", who="mia")
    assert "Thanks for offering! max already picked this one up." in late
    assert "You already picked up request #1" in await chat.say(
        "/mentor request claim 1", who="max"
    )
    assert "Only the person who asked" in await chat.say("/mentor request close 1", who="mia")
    ask = await chat.say("/mentor request close 1", who="ann")
    assert "did this help?" in ask
    assert "Closed request #1" in await chat.click("4", ask)
    with transaction(bot.engine) as s:
        row = s.exec(select(MentorRequest)).one()
    assert (row.status, row.helped) == ("closed", 4)
    assert "already closed" in await chat.say("/mentor request close 1 5", who="ann")
    mine = await chat.say("/mentor requests", who="ann")
    assert "#1 how do I speed up" in mine and "closed" in mine


async def test_form_and_bad_input(bot):
    chat = Chat(bot)
    await program(chat)
    form = await chat.say("/mentor request", who="ann")
    assert "[form] Ask for help" in form
    bad = await chat.say('/submit topic="help with go" urgency=yesterday', who="ann")
    assert "isn't an urgency" in bad
    ok = await chat.say(
        '/submit topic="help with sql joins" details="the slow one" urgency=high', who="ann"
    )
    assert "Request #1 is out" in ok and "within 4 hours" in ok
    assert "Say what you'd like help with" in await chat.say("/mentor request ''", who="ann")
    assert "There's no request #9" in await chat.say("/mentor request claim 9", who="mia")
    assert "not in the program yet" in await chat.say("/mentor request hi", who="zed")


async def test_unclaimed_requests_go_to_the_admins_once(bot):
    chat = Chat(bot)
    await program(chat)
    await chat.say("/mentor request career advice please", who="ann")
    await chat.say("/mentor request prod is down", who="bea")
    await chat.say("/mentor request", who="bea")
    await chat.say('/submit topic="prod is really down" urgency=high', who="bea")
    out = await chat.say("/time +5h")
    assert out.count("[DM to admin] Request #3 from bea has waited 5 hours") == 1
    assert "Request #1" not in out  # normal requests wait 24 hours
    out = await chat.say("/time +1d")
    assert "[DM to admin] Request #1 from ann has waited" in out
    assert "Request #3" not in out  # told once
    digest = await chat.say("/mentor admin digest", who="admin")
    assert (
        "*Requests for help*: 3 opened, 0 claimed (median - to pick up), 3 waiting now." in digest
    )


def test_fifty_concurrent_claimers_one_winner(bot):
    from tests.conftest import run

    run(bot, "join mentee", who="ann")
    mentors = [f"m{k:02d}" for k in range(50)]
    for name in mentors:
        run(bot, "join mentor", who=name)
    run(bot, "request help with anything", who="ann")
    start = threading.Barrier(len(mentors))
    answers: dict[str, str] = {}

    def claim(name: str) -> None:
        start.wait()
        reply = bot.handle(Action(actor(name), "request claim 1"))
        answers[name] = reply.plain()  # type: ignore[union-attr]

    threads = [threading.Thread(target=claim, args=(n,)) for n in mentors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [n for n, a in answers.items() if a.startswith("It's yours")]
    assert len(answers) == 50 and len(winners) == 1
    assert all("already picked this one up" in a for n, a in answers.items() if n != winners[0])
    with transaction(bot.engine) as s:
        row = s.exec(select(MentorRequest)).one()
    assert row.status == "claimed"
    assert len([r for r in outbox(bot, "claimed:")]) == 1  # the asker is told once
