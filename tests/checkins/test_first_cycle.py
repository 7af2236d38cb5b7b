"""A pair's first check-in is the pair's, not each person's: someone in Tokyo and someone in
Los Angeles are first asked about the same cycle, each at their own local hour, with the
first check-in's own wording; the digest counts that cycle over both of them. Through the
console, on the fake clock moved by ``/time``.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.config import Settings
from tests.conversations.helpers import Chat
from tests.scenarios.helpers import button_number, outcomes, pair_of


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Check-ins start two days after pairing (the fake clock starts on Sunday 22 Nov 12:00
    UTC, so Tuesday's 10:00 falls before that in Tokyo and after it in Los Angeles).
    """
    return replace(settings, checkins=replace(settings.checkins, first_checkin_after_days=2))


async def tokyo_and_los_angeles(chat: Chat) -> str:
    """mia (Tokyo) mentors ann (Los Angeles), weekly check-ins on Tuesday 10:00."""
    await chat.say("/mentor admin program set cadence weekly", who="admin")
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor timezone Tokyo", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor timezone Los Angeles", who="ann")
    await chat.say("/mentor admin match", who="admin")
    return await chat.say("/mentor admin publish", who="admin")


def nudges_in(output: str) -> list[tuple[str, str]]:
    """(who, first line) of every "did you meet?" DM the console printed."""
    return re.findall(r"\[DM to (\w+)\] (Hi \w+! Time for .*meet since .*)", output)


async def test_east_and_west_of_utc_start_with_the_same_cycle(bot):
    """Tokyo and Los Angeles: both first asked about the same cycle, each at 10:00 their time
    (Tokyo first), worded as the first check-in; the digest counts that cycle over both.
    """
    chat = Chat(bot)
    await tokyo_and_los_angeles(chat)
    pair = pair_of(bot, "ann", "mia")
    # Tue 1 Dec 12:00 UTC: 10:00 in Tokyo has passed, 10:00 in Los Angeles has not.
    tokyo = await chat.say("/time +9d", who="admin")
    assert nudges_in(tokyo) == [
        (
            "mia",
            "Hi mia! Time for your first check-in: did you and ann meet since you were introduced?",
        )
    ]
    assert outcomes(bot, "mia") == {(pair, "2026-12-01"): "pending"}
    assert outcomes(bot, "ann") == {(pair, "2026-12-01"): "pending"}  # planned for her 10:00

    await chat.say(f"/click {button_number(tokyo, 'Hi mia!', 'We met')}")
    digest = await chat.say("/mentor admin digest", who="admin")
    assert re.search(r"Check-ins answered\s+1/2\b", digest), digest  # not 1/1: ann is asked too

    los_angeles = await chat.say("/time +1d", who="admin")
    assert nudges_in(los_angeles) == [
        (
            "ann",
            "Hi ann! Time for your first check-in: did you and mia meet since you were introduced?",
        )
    ]
    assert outcomes(bot, "ann") == {(pair, "2026-12-01"): "pending"}


async def test_later_check_ins_ask_since_the_last_one(bot):
    """After the first cycle, the nudge asks about the time since the last check-in."""
    chat = Chat(bot)
    await tokyo_and_los_angeles(chat)
    await chat.say("/time +10d", who="admin")
    later = await chat.say("/time +7d", who="admin")
    assert [who for who, _ in nudges_in(later)] == ["mia", "ann"]
    assert all("since the last one?" in line for _, line in nudges_in(later))
