"""A mentor away until a date, through the console on the fake clock: each mentee is told until
when in their own zone, their pair's check-ins pause, the requests the mentor picked up open
again, admins see it, and the mentees hear when the mentor is back."""

from __future__ import annotations

import re

from storage.engine import transaction
from storage.models import MentorRequest
from tests.conversations.helpers import Chat
from tests.scenarios.helpers import mentor_with_three_mentees


def _dms(out: str, who: str) -> list[str]:
    """The first line of every DM to ``who`` in the console output."""
    return re.findall(rf"^\[DM to {who}\] (.*)$", out, flags=re.MULTILINE)


def _nudged(out: str) -> list[str]:
    """Who got a check-in nudge in the console output."""
    return re.findall(
        r"^\[DM to (\w+)\] Hi \w+! Time for (?:a quick|your first) check-in", out, re.MULTILINE
    )


async def _program_with_a_claimed_request(chat: Chat) -> None:
    """mia mentors ann (Tokyo), bea (New York) and cal (Berlin); ann's request #1 is mia's;
    max, a second mentor who knows python, joined after the matching."""
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor join mentor", who="max")
    await chat.say("/mentor profile set skills python", who="max")
    assert "Request #1 is out" in await chat.say("/mentor request python review", who="ann")
    assert "It's yours" in await chat.say("/mentor request claim 1", who="mia")


async def test_a_mentor_away_tells_mentees_pauses_their_checkins_and_hands_back_requests(bot):
    """Each mentee hears until when (a day in their zone), no check-in for those pairs while
    she is away, her claimed request is open again (asker and helpers told), admin pairs shows
    it, and the mentees hear she is back on the day."""
    chat = Chat(bot)
    await _program_with_a_claimed_request(chat)
    await chat.say("/mentor timezone Tokyo", who="mia")
    out = await chat.say("/mentor pause until 2027-01-10", who="mia")
    assert "Enjoy your break" in out and "Sun 10 Jan 2027" in out
    # Everyone reads the day mia chose (midnight in Tokyo is still Saturday in New York and
    # in the admin's zone): nobody is told a different day.
    away = "mia, your mentor, is away until Sun 10 Jan 2027."
    for mentee in ("ann", "bea", "cal"):
        assert away in " ".join(_dms(out, mentee)), mentee
    # the request mia picked up is open again: ann is told, max (python) is asked
    assert "your request *python review* (#1) is open again" in " ".join(_dms(out, "ann"))
    assert "request #1 from *ann* is open again" in " ".join(_dms(out, "max"))
    with transaction(bot.engine) as s:
        request = s.get(MentorRequest, 1)
        assert request is not None and request.status == "open"
        assert request.claimed_by_member_id is None
    assert "#1 python review" in await chat.say("/mentor requests", who="max")
    pairs = await chat.say("/mentor admin pairs", who="admin")
    assert pairs.count("mia (away until Sun 10 Jan 2027)") == 3
    # six weeks without a check-in for any of mia's pairs
    quiet = await chat.say("/time +6w")
    assert _nudged(quiet) == [] and "is back" not in quiet
    back = await chat.say("/time +2w")  # 10 January passes
    for mentee in ("ann", "bea", "cal"):
        assert _dms(back, mentee)[0].startswith("mia, your mentor, is back.")
    assert {"ann", "bea", "cal", "mia"} <= set(_nudged(back))  # check-ins start again
    assert "away until" not in await chat.say("/mentor admin pairs", who="admin")


async def test_a_mentor_back_early_is_announced_at_once_and_only_once(bot):
    """resume before the date: mentees hear it now, and not again on the date."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor pause 3 weeks", who="mia")
    await chat.say("/time +1w")
    out = await chat.say("/mentor resume", who="mia")
    assert "Welcome back" in out
    for mentee in ("ann", "bea", "cal"):
        assert [d for d in _dms(out, mentee) if "is back" in d] == [
            "mia, your mentor, is back. Check-ins for your pair start again with the next one."
        ]
    later = await chat.say("/time +4w")
    assert "is back" not in later
    assert {"ann", "bea", "cal", "mia"} <= set(_nudged(later))


async def test_a_pair_ended_during_the_break_gets_no_back_notice(bot):
    """A mentee who ends the pair while the mentor is away is not told she is back."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor pause 2 weeks", who="mia")
    await chat.say("/mentor leave confirm", who="ann")
    later = await chat.say("/time +3w")
    assert [d for d in _dms(later, "ann") if "is back" in d] == []
    assert [d for d in _dms(later, "bea") if "is back" in d]


async def test_the_back_notice_waits_for_each_mentees_daytime(bot):
    """A break ends at midnight in the mentor's zone; each mentee hears she is back in their
    own daytime (midnight UTC is 09:00 in Tokyo and 19:00 in New York, but 01:00 in Berlin:
    cal hears it at 09:00 her time)."""
    from zoneinfo import ZoneInfo

    from sqlmodel import select

    from storage.models import OutboxMessage

    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor pause until 2027-01-13", who="mia")
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("back:"))
        ).all()
        due = {r.target_ids[0]: r.not_before for r in rows}
    zones = {"ann": "Asia/Tokyo", "bea": "America/New_York", "cal": "Europe/Berlin"}
    assert set(due) == set(zones)
    assert due["cal"].astimezone(ZoneInfo("Europe/Berlin")).hour == 9
    for who, zone in zones.items():
        local = due[who].astimezone(ZoneInfo(zone))
        assert 8 <= local.hour < 20 and local.weekday() < 5, (who, local)


async def test_a_mentees_status_says_the_mentor_is_away_and_shows_no_check_in_meanwhile(bot):
    """While mia is away, ann's status names the break and its end and promises no check-in
    before it (none is sent then); the next one shown comes after mia is back."""
    from datetime import date, datetime

    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor pause until 2027-01-10", who="mia")
    status = await chat.say("/mentor status", who="ann")
    assert "mia is away until Sun 10 Jan 2027: your check-ins wait until then" in status
    [when] = re.findall(r"Next check-in\s+\w+ (\d+ \w+ \d{4})", status)
    shown = datetime.strptime(when, "%d %b %Y").date()  # noqa: DTZ007 (a day, no time)
    assert shown >= date(2027, 1, 10), status
