"""The end of a program on the console's clock: one wrap-up per person that fits what the
program was for them, the end survey offered once (people in Los Angeles and Tokyo alike),
``status`` and ``admin pairs`` saying it ended, and one final digest instead of weekly ones
forever."""

from __future__ import annotations

import re

import pytest

from tests.closure.helpers import keys, mentor_and_mentees, message_to
from tests.conversations.helpers import Chat

ENDS = "2026-12-16"  # a Wednesday; the fake clock starts on Sunday 22 Nov 2026
PEOPLE = ("ann", "bea", "cal", "dan", "mia")


async def _program_that_ends(bot) -> tuple[Chat, str, str]:
    """mia mentors two of ann (Tokyo), bea (Los Angeles) and cal (Berlin); dan joins after
    the round; the program ends on ``ENDS``. Returns the chat, who was left out, and what
    the console printed up to two days after the end."""
    chat = Chat(bot)
    published = await mentor_and_mentees(
        chat,
        [("ann", "Asia/Tokyo"), ("bea", "America/Los_Angeles"), ("cal", "Europe/Berlin")],
        capacity=2,
    )
    [left_out] = re.findall(r"\[DM to (\w+)\] This round of \*Mentorship program\*", published)
    await chat.say("/mentor join mentee", who="dan")
    await chat.say(f"/mentor admin program set ends {ENDS}", who="admin")
    return chat, left_out, await chat.say("/time +26d")


async def test_the_end_survey_is_offered_once_in_every_zone(bot):
    """Each person hears of the end survey once (its invitation on the last day); the wrap-up
    after it does not offer it again, in Los Angeles as in Tokyo."""
    _chat, _left_out, out = await _program_that_ends(bot)
    for who in PEOPLE:
        invited = out.count(f"[DM to {who}] Hi {who}! *Mentorship program* is at its end-of")
        assert invited == 1, (who, out)
        assert out.count(f"[DM to {who}] Hi {who}! *Mentorship program* has come to an end") == 1
    assert "end-of-program survey is open" not in out


async def test_each_person_gets_a_wrap_up_that_fits(bot):
    """Paired people close their pair in the wrap-up; someone left out by the last round
    hears why; someone who joined later just that no match was found. Nobody reads "keep in
    touch with your partner" without one, "0 meetings held (with -)" or "0 of 0 goals"."""
    _chat, left_out, out = await _program_that_ends(bot)
    paired = [p for p in ("ann", "bea", "cal") if p != left_out]
    for who in paired:
        wrap = message_to(out, who, f"Hi {who}! *Mentorship program* has come to an end")
        assert "*With mia*" in wrap and "Rate and close" in wrap and "Keep in touch" in wrap
    mia = message_to(out, "mia", "Hi mia! *Mentorship program* has come to an end")
    assert all(f"*With {who}*" in mia for who in paired)
    for who in (left_out, "dan"):
        wrap = message_to(out, who, f"Hi {who}! *Mentorship program* has come to an end")
        assert "we're sorry we couldn't find you a match this time" in wrap
        assert "partner" not in wrap.lower() and "meetings held" not in wrap
    why = "Why: in the last matching round, more mentees than mentor places."
    assert why in message_to(out, left_out, f"Hi {left_out}! *Mentorship program* has come")
    assert "Why:" not in message_to(out, "dan", "Hi dan! *Mentorship program* has come")
    for bad in ("0 of 0", "(with -)", "(with ,", "Keep in touch with your partner"):
        assert bad not in out
    assert len(keys(bot, "closure:")) == 0  # the wrap-up is the closing message: no second one


async def test_status_and_admin_pairs_say_the_program_ended(bot):
    """After the end ``status`` says the program is finished (not "active, not matched yet")
    and ``admin pairs`` how many pairs there were (not "no active pairs yet")."""
    chat, left_out, _out = await _program_that_ends(bot)
    for who in ("ann", left_out):
        status = await chat.say("/mentor status", who=who)
        assert f"finished: the program ended on {ENDS}" in status
        assert "not matched yet" not in status and "active" not in status
    pairs = await chat.say("/mentor admin pairs", who="admin")
    assert f"The program ended on {ENDS}: 2 pairs took part" in pairs
    assert "no active pairs yet" not in pairs


async def test_one_final_digest_then_none(bot):
    """After the last day no weekly digest goes out ("Active pairs", "vs last week"): one
    final digest a week later, then nothing, however long the bot runs; wrap-ups are not
    sent twice."""
    chat, _left_out, _out = await _program_that_ends(bot)
    later = await chat.say("/time +60d")
    digests = re.findall(r"\[DM to admin\] \*Mentorship program\*.*\n(?:  .*\n?)+", later)
    assert len(digests) == 1, later
    [final] = digests
    assert f"*Mentorship program* ended on {ENDS}: the final numbers" in final
    assert "2 pairs in all, 0 of them ended early" in final
    assert "Active pairs" not in later and "vs last week" not in later
    assert "has come to an end" not in later and "Your pairing with" not in later


async def test_a_forgotten_partner_leaves_no_blank_in_the_wrap_up(bot):
    """mia's partner ann asked to be forgotten and cal was paired with her too: the wrap-up
    never shows a blank where ann's name was ("(with , cal)"), it says "a partner who left"."""
    chat = Chat(bot)
    await mentor_and_mentees(chat, [("ann", "Asia/Tokyo"), ("cal", "Europe/Berlin")], capacity=2)
    await chat.say(f"/mentor admin program set ends {ENDS}", who="admin")
    await chat.say("/mentor forget confirm", who="ann")
    await chat.say("/mentor leave confirm", who="cal")
    out = await chat.say("/time +26d")
    wrap = message_to(out, "mia", "Hi mia! *Mentorship program* has come to an end")
    assert "a partner who left" in wrap and "cal" in wrap
    assert "(with ," not in wrap and ", )" not in wrap and "(with -)" not in wrap
    assert "0 of 0" not in wrap and "Keep in touch with your partner" not in wrap


@pytest.mark.slow
async def test_a_second_cohort_in_the_same_program_ends_for_everyone_again(bot):
    """The guide's way to run another cohort (new ``ends``, then ``starts``, match again):
    when it ends, everyone in it gets a wrap-up again (about this cohort's pairs only) and the
    admins one final digest counting only this cohort's pairs."""
    chat, _left_out, _out = await _program_that_ends(bot)
    await chat.say("/time +10d")  # the first cohort's final digest has gone out
    await chat.say("/mentor admin program set ends 2027-02-10", who="admin")
    await chat.say("/mentor admin program set starts 2027-01-11", who="admin")
    await chat.say("/time +5d")  # 2027-01-11
    await chat.say("/mentor admin match", who="admin")
    published = await chat.say("/mentor admin publish", who="admin")
    assert "2 pairs matched" in published, published
    out = await chat.say("/time +60d")
    ended = [w for w in PEOPLE if f"[DM to {w}] Hi {w}! *Mentorship program* has come" in out]
    assert sorted(ended) == sorted(PEOPLE), out
    mia = message_to(out, "mia", "Hi mia! *Mentorship program* has come to an end")
    now = set(re.findall(r"\[group DM to (\w+), mia\]", published))
    assert len(now) == 2, published
    for who in ("ann", "bea", "cal", "dan"):  # this cohort's partners, not the first's too
        assert (who in mia) == (who in now), (who, now, mia)
    digests = re.findall(
        r"\[DM to admin\] \*Mentorship program\* ended on 2027-02-10.*\n(?:  .*\n?)+", out
    )
    assert len(digests) == 1, out
    assert "2 pairs in all" in digests[0]
