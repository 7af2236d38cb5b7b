"""Plain answers to "did you meet?": typed in the DM after a nudge ("not yet", "Yes!"), they
answer the latest open nudge, are said back in words, and someone with several partners
waiting for an answer is asked which. Through the console, on the fake clock.
"""

from __future__ import annotations

import pytest

from tests.conversations.helpers import Chat
from tests.scenarios.helpers import button_number, outcomes, pair_of

FIRST_CYCLE = "2026-12-01"  # the first Tuesday five days after pairing on Sun 22 Nov


async def nudged_pair(chat: Chat) -> str:
    """mia mentors ann (both in UTC); the clock moves to their first nudge (Tue 1 Dec)."""
    await chat.say("/mentor admin program set cadence weekly", who="admin")
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    return await chat.say("/time +9d", who="admin")


@pytest.mark.parametrize(
    ("typed", "stored", "said"),
    [
        ("not yet", "not_yet", "Not yet"),
        ("Not yet.", "not_yet", "Not yet"),
        ("yes", "met", "We met"),
        ("Yes!", "met", "We met"),
        ("no", "not_yet", "Not yet"),
        ("we met", "met", "We met"),
        ("didn't", "not_yet", "Not yet"),
        ("didn’t", "not_yet", "Not yet"),
        ("we did", "met", "We met"),
        ("nope", "not_yet", "Not yet"),
        ("NOPE", "not_yet", "Not yet"),
        ("rescheduled", "rescheduled", "Rescheduled"),
        ("skip", "skipped", "Skip this time"),
        ("met", "met", ""),  # the checkin command's own name: its answer, not a reading
    ],
)
async def test_a_plain_reply_answers_the_open_nudge(bot, typed, stored, said):
    """Each plain reply is recorded as its outcome for the nudge's cycle, and said back."""
    chat = Chat(bot)
    nudges = await nudged_pair(chat)
    assert "Hi ann! Time for your first check-in" in nudges
    reply = await chat.say(typed, who="ann")
    assert "I don't know" not in reply
    pair = pair_of(bot, "ann", "mia")
    assert outcomes(bot, "ann") == {(pair, FIRST_CYCLE): stored}
    if said:
        assert f'I took "{typed}" as *{said}* for your check-in of {FIRST_CYCLE} with mia.' in (
            reply
        )
    assert outcomes(bot, "mia") == {(pair, FIRST_CYCLE): "pending"}


async def test_without_an_open_nudge_a_plain_reply_is_told_nothing_waits(bot):
    """Before any nudge, once it is answered, and after the program ended, "not yet", "no" and
    "yes" are told kindly that no check-in waits for an answer, not taken for a command."""
    waiting = "There's no check-in waiting for an answer right now"
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    early = await chat.say("not yet", who="ann")
    assert waiting in early and "`/mentor checkin`" in early and "I don't know" not in early
    assert outcomes(bot, "ann") == {}
    await chat.say("/time +9d", who="admin")
    assert "I took" in await chat.say("yes", who="ann")
    again = await chat.say("no", who="ann")
    assert waiting in again and "I don't know" not in again
    assert list(outcomes(bot, "ann").values()) == ["met"]
    assert "I don't know `/mentor maybe`" in await chat.say("maybe", who="ann")


async def test_a_mentor_with_two_mentees_is_asked_which(bot):
    """Open nudges for two mentees: a plain "yes" asks which partner, and the button records
    it for that pair's cycle only.
    """
    chat = Chat(bot)
    await chat.say("/mentor admin program set cadence weekly", who="admin")
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor profile set capacity 2", who="mia")
    for mentee in ("ann", "bea"):
        await chat.say("/mentor join mentee", who=mentee)
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    await chat.say("/time +9d", who="admin")
    asked = await chat.say("yes", who="mia")
    assert "more than one partner (ann, bea)" in asked
    await chat.say(f"/click {button_number(asked, 'more than one partner', 'bea')}", who="mia")
    assert outcomes(bot, "mia") == {
        (pair_of(bot, "ann", "mia"), FIRST_CYCLE): "pending",
        (pair_of(bot, "bea", "mia"), FIRST_CYCLE): "met",
    }
    # One open nudge left: the next plain reply is about it, without asking.
    done = await chat.say("not yet", who="mia")
    assert f"for your check-in of {FIRST_CYCLE} with ann" in done
    assert outcomes(bot, "mia")[(pair_of(bot, "ann", "mia"), FIRST_CYCLE)] == "not_yet"


async def test_in_a_guided_conversation_a_plain_reply_stays_its_answer(bot):
    """Setting a goal with a nudge open: "yes" answers the conversation's question, and the
    check-in stays open.
    """
    chat = Chat(bot)
    await nudged_pair(chat)
    started = await chat.say("/mentor goal", who="ann")
    reply = await chat.say("yes", who="ann")
    assert "I took" not in reply and "I don't know" not in reply
    assert reply.strip() and reply != started
    assert outcomes(bot, "ann") == {(pair_of(bot, "ann", "mia"), FIRST_CYCLE): "pending"}
