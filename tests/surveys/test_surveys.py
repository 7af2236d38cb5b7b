"""Surveys end to end through the console adapter and the fake clock: invitations at each
person's local hour, results anonymous."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

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
