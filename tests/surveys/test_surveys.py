"""Surveys end to end through the console adapter and the fake clock: invitations at each
person's local hour, results anonymous."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.pulse import Pulse
from tests.checkins.helpers import make_pair, make_program
from tests.conversations.helpers import Chat, outbox


async def test_survey_invitations_arrive_at_local_hour_and_results_stay_anonymous(bot, clock):
    program = make_program(bot, hour=10)
    make_pair(bot, program, "alice", "bob", zone_a="America/New_York", zone_b="Asia/Tokyo")
    make_pair(bot, program, "carol", "dan", zone_a="Europe/Berlin", zone_b="UTC")
    chat = Chat(bot, user="admin")
    start = clock.now().date()
    await chat.say(f"/mentor admin program set ends {(start + timedelta(weeks=12)).isoformat()}")
    pulse = Pulse(bot, chat.session.dispatcher)
    assert pulse.run("surveys") == 0  # nothing due yet
    assert "opens on 2027-01-03" in await chat.say("/mentor survey mid", who="alice")
    clock.advance(timedelta(weeks=6) - timedelta(hours=14))  # the day before mid, 22:00 UTC
    assert pulse.run("surveys") == 4
    assert pulse.run("surveys") == 0  # idempotent
    for row in outbox(bot, "survey:"):
        zone = {"alice": "America/New_York", "bob": "Asia/Tokyo", "carol": "Europe/Berlin"}.get(
            row.target_ids[0], "UTC"
        )
        local = row.not_before.astimezone(ZoneInfo(zone))
        assert (local.date(), local.hour) == (date(2027, 1, 4), 10), row.target_ids  # Monday
        assert "survey mid" in str(row.payload)

    clock.advance(timedelta(days=1, hours=12))
    answers = {"alice": "1", "bob": "4", "carol": "5"}
    for who, scale in answers.items():
        reply = await chat.say("/mentor survey", who=who)
        assert "The mid-program survey" in reply and "belong" in reply
        for _ in range(6):  # belonging, social, academic, confidence, continue, value
            await chat.say(scale)
        thanks = await chat.say(f"OPEN-{who}")
        assert "Thank you for answering" in thanks
        if who == "alice":
            assert "already answered" in await chat.say("/mentor survey mid", who="alice")
            few = await chat.say("/mentor admin survey mid", who="admin")
            assert "1 so far" in few and "/ 5" not in few
    results = await chat.say("/mentor admin survey mid", who="admin")
    assert re.search(r"people who answered\s+3", results)
    assert "3.3 / 5" in results and "1 of 3 (33%)" in results
    assert "OPEN-" not in results
    own = await chat.say("/mentor survey mine", who="bob")
    assert "Your answers to the mid-program survey" in own and "OPEN-bob" in own
    assert "OPEN-alice" not in own
    assert "Only program admins" in await chat.say("/mentor admin survey mid", who="bob")


NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


async def _open_mid_survey(bot, clock) -> tuple[Chat, str]:
    """A pair in a 12-week program, at the mid-program survey; alice's invitation."""
    program = make_program(bot, hour=10)
    make_pair(bot, program, "alice", "bob")
    chat = Chat(bot, user="admin")
    ends = clock.now().date() + timedelta(weeks=12)
    await chat.say(f"/mentor admin program set ends {ends.isoformat()}")
    out = await chat.say("/time +6w2d")  # mid falls on a Sunday: invited on Monday
    dms = re.findall(r"^\[DM to alice\] (.*?)(?=^\[|\Z)", out, re.M | re.S)
    invitations = [m for m in dms if "Start the survey" in m]
    assert len(invitations) == 1, out
    return chat, invitations[0]


async def test_the_invitation_never_miscounts_the_questions(bot, clock):
    """The invitation names no number of questions other than the survey asks (seven)."""
    chat, invitation = await _open_mid_survey(bot, clock)
    first = await chat.say("/mentor survey", who="alice")
    total = int(re.search(r"question 1 of (\d+)", first).group(1))  # type: ignore[union-attr]
    assert total == 7
    # "five quick questions", "7 questions": the count, if the invitation gives one
    counts = re.findall(r"\b(\w+)\s+(?:\w+\s+)?questions\b", invitation.lower())
    named = [c for c in counts if c in NUMBER_WORDS or c.isdigit()]
    assert all(c in (NUMBER_WORDS[total - 1], str(total)) for c in named), invitation


@pytest.mark.parametrize(
    "answers",
    [
        ["strongly agree", "Agree", "neutral.", "DISAGREE", "very likely", "very valuable"],
        ["strongly disagree", "5", "agree", "strongly agree", "not sure", "not at all"],
    ],
)
async def test_the_words_of_the_legend_are_answers(bot, clock, answers):
    """The words the scale's legend shows (any case) are taken as its numbers."""
    chat, _ = await _open_mid_survey(bot, clock)
    first = await chat.say("/mentor survey", who="alice")
    assert "1 = strongly disagree · 2 = disagree · 3 = neutral · 4 = agree" in first
    for answer in answers:
        reply = await chat.say(answer)
        assert "Please answer with a number" not in reply, (answer, reply)
    assert "Thank you for answering" in await chat.say("skip")
    own = await chat.say("/mentor survey mine", who="alice")
    numbers = {"strongly disagree": 1, "disagree": 2, "neutral": 3, "agree": 4,
               "strongly agree": 5, "5": 5, "very likely": 5, "not sure": 3,
               "very valuable": 5, "not at all": 1}  # fmt: skip
    expected = [numbers[a.lower().strip(".")] for a in answers]
    assert re.findall(r"(\d)/5", own) == [str(n) for n in expected]
