"""`/mentor meet`: friendly errors, a choice between partners, and the check-in that follows."""

from __future__ import annotations

import pytest

from tests.conversations.helpers import Chat
from tests.meetings.test_invites import introduced_on_the_console


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/mentor meet", "Tell me which time: `/mentor meet 2` books the second time"),
        ("/mentor meet 9", "There's no time 9 to book: your introduction suggested 3."),
        ("/mentor meet banana", "I need a time of day too, e.g. `/mentor meet banana 17:30`."),
        ("/mentor meet <b>someday</b> 17:30", 'I couldn\'t read "<b>someday</b>" as a day.'),
        (
            "/mentor meet 2026-10-01 10:00",
            "Thu 1 Oct 2026, 10:00 (Europe/Madrid) has already passed.",
        ),
        ("/mentor meet 2027-12-01 10:00", "That's more than 180 days away."),
    ],
)
async def test_meet_explains_what_it_could_not_book(bot, line, expected):
    """Bad input, a time in the past or too far ahead: a friendly sentence, nothing booked."""
    chat, _ = await introduced_on_the_console(bot)
    out = await chat.say(line, who="amy")
    assert expected in out, out
    assert "Booked" not in out and "Traceback" not in out


async def test_meet_reads_a_day_and_time_in_the_persons_zone(bot):
    """`meet friday 5pm` is Friday 17:00 where the person is (Madrid), shown to the mentor
    in São Paulo's time."""
    chat, _ = await introduced_on_the_console(bot)
    out = await chat.say("/mentor meet fri 5 pm", who="amy")
    assert "Booked for *Fri 23 Oct 2026, 17:00* (Europe/Madrid)" in out
    assert "[DM to cat] Your meeting with amy is booked for *Fri 23 Oct 2026, 12:00*" in out


async def test_meet_without_a_partner_and_with_several(bot):
    """Nobody to meet: said so. A mentor with two mentees is asked which, one button each."""
    chat = Chat(bot, user="cat")
    for who, line in [
        ("amy", "/mentor join mentee"),
        ("amy", "/mentor profile set wants python"),
        ("bea", "/mentor join mentee"),
        ("bea", "/mentor profile set wants python"),
        ("cat", "/mentor join mentor"),
        ("cat", "/mentor profile set skills python"),
        ("cat", "/mentor profile set capacity 2"),
    ]:
        await chat.say(line, who=who)
    assert "You don't have a partner right now" in await chat.say("/mentor meet 1", who="cat")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    which = await chat.say("/mentor meet 1", who="cat")
    assert "You have more than one partner (amy, bea)" in which
    picked = await chat.click("bea", which)
    assert "sent you and bea the same calendar invite" in picked


async def test_the_next_checkin_asks_about_the_booked_meeting(bot):
    """After `meet 2`, the first check-in due after that meeting asks about it by its time in
    each person's zone, instead of the generic "did you meet since the last one?"."""
    chat, _ = await introduced_on_the_console(bot)
    await chat.say("/mentor meet 2", who="amy")
    out = await chat.say("/time +30d", who="amy")
    assert (
        "[DM to amy] Hi amy! Did you and cat meet on Mon 26 Oct 2026, 13:00 (Europe/Madrid)" in out
    )
    assert (
        "[DM to cat] Hi cat! Did you and amy meet on Mon 26 Oct 2026, 09:00 (America/Sao_Paulo)"
        in out
    )
    # Only the first check-in after the meeting asks about it; the next one is the usual.
    assert out.count("as you booked?") == 2, out
    later = out[out.index("as you booked?") :]
    assert "[DM to amy] Hi amy! Time for a quick check-in: did you and cat meet since" in later


async def test_a_booked_meeting_is_in_both_peoples_export(bot):
    """`/mentor export` lists the pair's booked meeting (its start in UTC)."""
    import json
    import re

    chat, _ = await introduced_on_the_console(bot)
    await chat.say("/mentor meet 2", who="amy")
    for who in ("amy", "cat"):
        out = await chat.say("/mentor export", who=who)
        data = json.loads(out[out.index("{") : out.rindex("}") + 1])
        (meeting,) = data["meetings"]
        assert re.match(r"2026-10-26T12:00:00(\+00:00)?$", meeting["starts_at"])
