"""The program's own record, tried as a coordinator would: through the console adapter, with
the fake clock moved by the console's own ``/time``.

Check-in answers are never guessed, a mentor with several mentees answers for each pair, the
digest counts every check-in whatever path it took, and the console lets a newcomer try it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conversation_helpers import Chat
from tests.program_helpers import button_number, mentor_with_three_mentees, outcomes, pair_of


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("checkin not yet", "not_yet"),
        ("checkin didnt meet", "not_yet"),
        ("checkin didn't meet", "not_yet"),
        ("checkin did not meet", "not_yet"),
        ("checkin not-yet", "not_yet"),
        ("checkin rescheduled", "rescheduled"),
        ("checkin skip", "skipped"),
        ("checkin met", "met"),
        ("checkin", "met"),
    ],
)
async def test_checkin_words_mean_what_they_say(bot, typed, stored):
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    reply = await chat.say(f"/mentor {typed}", who="ann")
    assert list(outcomes(bot, "ann").values()) == [stored]
    if stored != "met":
        assert "logged your meeting" not in reply


@pytest.mark.parametrize("typed", ["maybe", "banana", "perhaps we did"])
async def test_unknown_checkin_answers_are_refused_with_the_choices(bot, typed):
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    reply = await chat.say(f"/mentor checkin {typed}", who="ann")
    assert "isn't one of the answers" in reply and "didn't record anything" in reply
    assert "[1] We met  [2] Not yet  [3] Rescheduled  [4] Skip this time" in reply
    assert outcomes(bot, "ann") == {}
    # the offered buttons work and name the pair
    done = await chat.say("/click 2")
    assert "No worries" in done
    assert list(outcomes(bot, "ann").values()) == ["not_yet"]


async def test_checkin_dates_before_the_pair_or_in_the_future_are_refused(bot):
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")  # paired on Sun 22 Nov 2026
    before = await chat.say("/mentor checkin met 2026-11-10", who="ann")
    assert "You were paired on 2026-11-22" in before
    future = await chat.say("/mentor checkin met 2026-12-20", who="ann")
    assert "hasn't happened yet" in future
    assert outcomes(bot, "ann") == {}
    await chat.say("/time +2d")
    ok = await chat.say("/mentor checkin met 2026-11-23", who="ann")
    assert "logged your meeting with mia" in ok
    assert list(outcomes(bot, "ann").items()) == [
        ((pair_of(bot, "ann", "mia"), "2026-11-23"), "met")
    ]


async def test_a_mentor_with_three_mentees_answers_for_each_pair(bot):
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    ann, bea, cal = (pair_of(bot, x, "mia") for x in ("ann", "bea", "cal"))
    out = await chat.say("/time +10d")  # Tuesday 1 December's nudges arrive
    # one nudge per pair, each naming the partner, each button naming the pair
    for name in ("ann", "bea", "cal"):
        assert f"[DM to mia] Hi mia! Time for a quick check-in: did you and {name} meet" in out
    # mia presses "We met" on the nudge about bea (the second mentee)
    number = button_number(out, "did you and bea meet", "We met")
    reply = await chat.say(f"/click {number}")
    assert "logged your meeting with bea" in reply
    assert "(you are now mia" in reply
    mine = outcomes(bot, "mia")
    assert {k: v for k, v in mine.items() if k[1] == "2026-12-01"} == {
        (ann, "2026-12-01"): "pending",
        (bea, "2026-12-01"): "met",
        (cal, "2026-12-01"): "pending",
    }
    # typed without a name: asked which, with a button per partner
    ask = await chat.say("/mentor checkin met")
    assert "more than one partner" in ask
    assert "[1] ann  [2] bea  [3] cal" in ask
    assert await chat.say("/click 3") and outcomes(bot, "mia")[(cal, "2026-12-01")] == "met"
    # by name, with a note
    named = await chat.say("/mentor checkin not yet Ann she was travelling")
    assert "No worries" in named and "ann" in named
    assert outcomes(bot, "mia")[(ann, "2026-12-01")] == "not_yet"
    # feedback asks which pair too, and the fit question is about the one chosen
    ask = await chat.say("/mentor feedback")
    assert "[1] ann  [2] bea  [3] cal" in ask
    started = await chat.say("/click 2")
    assert "bea" in started
    await chat.say("cancel")
    # a button for a pair mia is not in is refused
    other = await chat.say(f"/mentor checkin met pair:{ann + bea + cal}")
    assert "no longer in" in other


async def test_old_nudge_buttons_without_a_pair_still_find_theirs(bot):
    """Nudges queued by an earlier version carry only the cycle: the cycle finds the pair."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/time +10d")
    reply = await chat.say("/mentor checkin met 2026-12-01", who="ann")
    assert "logged your meeting with mia" in reply
    # for mia the cycle alone does not say which mentee: asked, not guessed
    ask = await chat.say("/mentor checkin met 2026-12-01", who="mia")
    assert "more than one partner" in ask
    assert set(outcomes(bot, "mia").values()) == {"pending"}


async def test_the_digest_counts_typed_checkins(bot):
    """Five people log meetings with /mentor checkin (no nudge yet): the digest shows them."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor join mentor", who="dan")
    await chat.say("/mentor join mentee", who="eve")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    await chat.say("/time +1d")
    for who in ("ann", "bea", "cal", "eve"):
        assert "logged your meeting" in await chat.say("/mentor checkin met", who=who)
    await chat.say("/mentor checkin met bea", who="mia")
    digest = await chat.say("/mentor admin digest", who="admin")
    assert "Meetings            5 of 5 check-ins said they met (100%)" in digest
    assert "Pairs that met      4 of 4" in digest
    pairs = await chat.say("/mentor admin pairs", who="admin")
    assert "ann & mia" in pairs or "mia & ann" in pairs
    assert pairs.count("meetings held: 1") == 4


async def test_console_time_runs_the_program_and_numbers_every_button(bot):
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    shown = await chat.say("/time")
    assert "(the bot's clock: Sun 22 Nov 2026 12:00 UTC)" in shown
    bad = await chat.say("/time soon")
    assert "usage: /time +N" in bad
    out = await chat.say("/time +1w3d")
    assert "(the bot's clock: Wed 02 Dec 2026 12:00 UTC)" in out
    numbers = [int(n) for n in __import__("re").findall(r"\[(\d+)\] ", out)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 24
    assert bot.clock.now() - (bot.clock.now() - timedelta(days=10)) == timedelta(days=10)
