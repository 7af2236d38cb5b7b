"""A whole program on the console's clock: a mentor with three mentees in three zones for
twelve weeks, answering by button and by typing. The digest and ``admin pairs`` must count
exactly what the script did, and the program must end on its end date."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tests.conversations.helpers import Chat
from tests.scenarios.helpers import button_number, mentor_with_three_mentees

LABEL = {"met": "We met", "not_yet": "Not yet", "skipped": "Skip this time"}


def plan(cycle: int) -> dict[tuple[str, str], tuple[str, str] | None]:
    """What each person does about each pair's nudge in cycle ``cycle``:
    (who, partner) -> (how, outcome) with how "button" or "typed", or None (ignored)."""
    return {
        # ann meets mia every week; mia always answers, ann only every other week
        ("mia", "ann"): ("button", "met"),
        ("ann", "mia"): ("button", "met") if cycle % 2 == 0 else None,
        # bea meets every third week, and types it; mia answers the rest "not yet"
        ("mia", "bea"): ("button", "met" if cycle % 3 == 0 else "not_yet"),
        ("bea", "mia"): ("typed", "met") if cycle % 3 == 0 else None,
        # cal never meets: mia skips twice, then nobody answers
        ("mia", "cal"): ("button", "skipped") if cycle < 2 else None,
        ("cal", "mia"): None,
    }


@pytest.mark.slow
async def test_twelve_weeks_of_a_mentor_with_three_mentees(bot):
    # Re-engagement off: cal & mia never answer and would close after 28 days of silence;
    # this scenario counts twelve weeks of their nudges (tests/engagement covers the closing).
    bot.settings = replace(bot.settings, engagement=replace(bot.settings.engagement, enabled=False))
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)  # Sun 22 Nov 2026
    await chat.say("/mentor admin program set cadence weekly", who="admin")
    ends = date(2027, 2, 14)
    await chat.say(f"/mentor admin program set ends {ends.isoformat()}", who="admin")
    await chat.say("/mentor goal", who="ann")
    for answer in ("Give a 10 minute talk at the team demo", "talk given", "in 6 weeks"):
        await chat.say(answer, who="ann")
    for answer in ("skip", "skip", "no", "no"):
        await chat.say(answer, who="ann")

    ledger: dict[tuple[date, str, str], str] = {}  # (cycle, who, partner) -> outcome
    digests: list[str] = []
    cycle = 0
    for week in range(12):
        out = await chat.say("/time +7d")
        digests += re.findall(
            r"\[DM to admin\] \*Mentorship program\*: this week\n(?:  .*\n?)+", out
        )
        nudges = re.findall(
            r"\[DM to (\w+)\] Hi \w+! Time for (?:a quick|your first) check-in: did you and "
            r"(\w+) meet",
            out,
        )
        if not nudges:
            assert week == 0  # the first Tuesday is too soon after the introductions
            continue
        assert sorted(nudges) == sorted(
            [
                ("mia", "ann"),
                ("mia", "bea"),
                ("mia", "cal"),
                ("ann", "mia"),
                ("bea", "mia"),
                ("cal", "mia"),
            ]
        ), out
        day = date(2026, 12, 1) + timedelta(weeks=cycle)
        for (who, partner), action in plan(cycle).items():
            ledger[(day, who, partner)] = "pending"
            if action is None:
                continue
            how, outcome = action
            if how == "button":
                which = "your first" if cycle == 0 else "a quick"
                heading = (
                    f"[DM to {who}] Hi {who}! Time for {which} check-in: did you and {partner}"
                )
                number = button_number(out, heading, LABEL[outcome])
                reply = await chat.say(f"/click {number}")
            else:
                reply = await chat.say(f"/mentor checkin {outcome}", who=who)
            assert "logged your meeting" in reply or outcome != "met", reply
            ledger[(day, who, partner)] = outcome
        cycle += 1

    # admin pairs: meetings held per pair = cycles in which anyone in it said "met"
    pairs = await chat.say("/mentor admin pairs", who="admin")
    for mentee in ("ann", "bea", "cal"):
        held = {d for (d, w, p), o in ledger.items() if o == "met" and mentee in (w, p)}
        line = next(x for x in pairs.splitlines() if mentee in x and "mia" in x)
        assert f"meetings held: {len(held)}" in line, (mentee, line)
    assert cycle == 11

    # the weekly digest the admin got counts exactly the week's nudges and answers
    checked = 0
    for text, monday in zip(digests, _mondays(len(digests)), strict=True):
        week = {k: v for k, v in ledger.items() if monday - timedelta(days=7) < k[0] < monday}
        if not week:
            continue
        counts = Counter(week.values())
        met, planned = counts["met"], len(week)
        answered = planned - counts["pending"]
        assert f"{met} of {planned} check-ins said they met" in text, (monday, text, week)
        assert re.search(rf"Check-ins answered\s+{answered}/{planned}", text), text
        checked += 1
    assert checked >= 9
    # cal & mia stopped meeting: flagged as stalled in the digest
    assert "cal & mia" in digests[-1] or "mia & cal" in digests[-1]

    # the end: pairs close, no more nudges, and everyone hears what they did
    end = await chat.say("/time +3d")
    assert "did you and" not in end
    assert "[DM to ann] Hi ann! *Mentorship program* has come to an end" in end
    ann_meetings = len({d for (d, w, p), o in ledger.items() if o == "met" and "ann" in (w, p)})
    assert f"*With mia*: {ann_meetings} meetings held, 1 goal set." in end
    for mentee in ("ann", "bea", "cal"):  # mia's one wrap-up closes each of her pairs
        held = len({d for (d, w, p), o in ledger.items() if o == "met" and mentee in (w, p)})
        line = f"*With {mentee}*: {held} meetings held" if held else f"*With {mentee}*\n"
        assert line in end, (mentee, end)
    assert "0 of 0" not in end and "(with -)" not in end
    for who in ("ann", "bea", "cal", "mia"):  # the end survey is offered once, by its invitation
        assert end.count(f"[DM to {who}] Hi {who}! *Mentorship program* is at its end-of") == 1
        assert end.count(f"[DM to {who}] Hi {who}! *Mentorship program* has come to an end") == 1
    assert "end-of-program survey is open" not in end
    ended = await chat.say("/mentor admin pairs", who="admin")
    assert "The program ended on 2027-02-14: 3 pairs took part" in ended
    later = await chat.say("/time +14d")
    assert "did you and" not in later and "has come to an end" not in later
    refused = await chat.say("/mentor admin match", who="admin")
    assert "This program ended on 2027-02-14" in refused


def _mondays(count: int) -> list[date]:
    """The Mondays the digests went out, from the first one after the program began (a week
    whose digest fell due before the program existed gets none)."""
    first = date(2026, 11, 23)
    return [first + timedelta(weeks=k) for k in range(count)]


async def test_program_dates_are_checked(bot):
    chat = Chat(bot)
    await chat.say("/mentor join mentee", who="ann")
    early = await chat.say("/mentor admin program set starts 1900-01-01", who="admin")
    assert "more than a hundred years ago" in early
    past = await chat.say("/mentor admin program set ends 2026-11-01", who="admin")
    assert "has already passed" in past
    await chat.say("/mentor admin program set ends 2026-12-31", who="admin")
    after = await chat.say("/mentor admin program set starts 2027-01-05", who="admin")
    assert "has to end after it starts" in after
    bad = await chat.say("/mentor admin program set ends soon", who="admin")
    assert "should look like `2027-06-30`" in bad and "valid ends" not in bad


async def test_program_hour_with_minutes_is_refused_not_rounded(bot):
    chat = Chat(bot)
    await chat.say("/mentor join mentee", who="ann")
    refused = await chat.say("/mentor admin program set hour 02:30", who="admin")
    assert "whole hour" in refused and "Updated" not in refused
    assert "Updated: hour is now 14:00" in await chat.say(
        "/mentor admin program set hour 14:00", who="admin"
    )
