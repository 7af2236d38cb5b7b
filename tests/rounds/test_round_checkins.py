"""Check-ins in a program with recurring rounds: one per round, inside the round, at each
person's local hour, answered and counted in the digest; and a digest due with a round counts
that round's pairs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.pulse import Pulse
from bot.time.cadence import round_checkin_offset
from storage.engine import transaction
from storage.models import Member, Pair, PairMember, Person
from tests.checkins.helpers import Recorder, button_commands
from tests.conftest import run
from tests.rounds.test_rounds import MONDAY, admin, peer_program, press, pulse_of

ZONES = {"ann": "Asia/Tokyo", "bob": "America/New_York"}  # everyone else: UTC


async def run_until(bot, pulse: Pulse, end: datetime, recorder: Recorder) -> None:
    """Move the clock to ``end`` as the console's ``/time`` does: every job at least every
    three hours and exactly when a message falls due; each nudge's first person in the pair
    answers "met" as it arrives."""
    answered = len(recorder.sent)
    while bot.clock.now() < end:
        now = bot.clock.now()
        due = pulse.next_due(now)
        target = min(now + timedelta(hours=3), end, *([due] if due and due > now else []))
        bot.clock.set(target)
        await pulse.tick()
        for _, target_, message in recorder.sent[answered:]:
            commands = [c for c in button_commands(message) if c.startswith("checkin met")]
            if commands and target_.ids[0] == first_of_pair(bot, commands[0]):
                press(bot, target_.ids[0], commands[0])
        answered = len(recorder.sent)


def first_of_pair(bot, command: str) -> str:
    """The pair member (by user id, alphabetically first) who answers the check-in."""
    pair_id = int(command.split("pair:")[1].split()[0])
    return min(members_of(bot)[pair_id])


def members_of(bot) -> dict[int, set[str]]:
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(PairMember.pair_id, Person.platform_user_id)
            .join(Member, Member.id == PairMember.member_id)
            .join(Person, Person.id == Member.person_id)
        ).all()
    found: dict[int, set[str]] = {}
    for pair_id, who in rows:
        found.setdefault(pair_id, set()).add(who)
    return found


def pairs_started(bot) -> dict[int, datetime]:
    with transaction(bot.engine) as s:
        return {p.id: p.started_at for p in s.exec(select(Pair)).all() if p.id is not None}


@pytest.mark.slow
async def test_each_rounds_pairs_are_asked_once_inside_the_round(bot):
    """Three weekly Monday rounds, the program's check-in weekday (Tuesday) the day after each:
    every person of every round's pair gets exactly one nudge for it, on the Thursday of the
    round at 10:00 their time, before the next round; the answers count in `admin digest` and
    in the weekly digest sent with the next round, which counts that round's pairs."""
    peer_program(bot, "weekly at monday 09:00 auto")
    for who, zone in ZONES.items():
        run(bot, f"timezone {zone}", who=who)
    shown = admin(bot, "program")
    assert "once per round" in shown and "tuesday is too close to a round's day" in shown
    assert "Thu 3 Dec 2026, 10:00" in run(bot, "status", who="cal")  # status knows it too
    pulse, recorder = pulse_of(bot)
    weeks = 3
    await run_until(bot, pulse, MONDAY + timedelta(weeks=weeks) - timedelta(hours=1), recorder)

    started = pairs_started(bot)
    members = members_of(bot)
    rounds = [MONDAY + timedelta(weeks=w) for w in range(weeks)]
    assert sorted(set(started.values())) == rounds  # every pair came from a round
    nudges: dict[tuple[int, str], list[datetime]] = {}
    for when, target, message in recorder.nudges():
        command = next(c for c in button_commands(message) if c.startswith("checkin met"))
        pair_id = int(command.split("pair:")[1].split()[0])
        nudges.setdefault((pair_id, target.ids[0]), []).append(when)
    expected = {(pair, who) for pair, people in members.items() for who in people}
    assert set(nudges) == expected
    for (pair_id, who), sent in nudges.items():
        assert len(sent) == 1, (pair_id, who, sent)
        local = sent[0].astimezone(ZoneInfo(ZONES.get(who, "UTC")))
        assert (local.strftime("%A"), local.hour, local.minute) == ("Thursday", 10, 0), who
        began = started[pair_id]
        assert began + timedelta(days=2) < sent[0] < began + timedelta(weeks=1)  # in its round

    digests = [(w, m.plain()) for w, t, m in recorder.sent if "Active pairs" in m.plain()]
    digests = [(w, text) for w, text in digests if w >= MONDAY]
    assert [w.date() for w, _ in digests] == [r.date() for r in rounds]
    for k, (_, text) in enumerate(digests):
        assert "Active pairs: 4" in text, text
        if k:  # last week's round: 8 asked, the first of each pair said they met
            assert "4 of 8 check-ins said they met" in text, text
    now = admin(bot, "digest")
    assert "4 of 8 check-ins said they met" in now and "4/8" in now


@pytest.mark.parametrize(
    ("round_weekday", "every", "checkin_weekday", "offset"),
    [
        (0, 1, 1, 3),  # Monday rounds, Tuesday check-ins: too soon, so Thursday
        (0, 1, 3, 3),  # Thursday fits
        (0, 1, 2, 2),  # Wednesday fits (two days after)
        (0, 1, 4, 4),  # Friday fits (a spare working day before the next round)
        (0, 1, 5, 3),  # Saturday is too close to the next round: Thursday
        (2, 1, 1, 2),  # Wednesday rounds: Saturday is a weekend, so Friday
        (3, 1, 1, 4),  # Thursday rounds: Sunday and Saturday are weekends, so Monday
        (0, 2, 1, 8),  # Monday rounds every two weeks: the second week's Tuesday
        (4, 2, 4, 7),  # Friday rounds every two weeks, Friday check-ins: a week in
    ],
)
def test_the_check_in_day_of_a_round(round_weekday, every, checkin_weekday, offset):
    """A round's check-in: the program's weekday when it falls two days or more after the
    round and a spare day before the next, else a working day about halfway in."""
    found = round_checkin_offset(
        round_weekday=round_weekday, every_weeks=every, checkin_weekday=checkin_weekday
    )
    assert found == offset


def test_a_check_in_weekday_that_fits_the_rounds_is_kept(bot):
    """`admin program` says the check-ins follow the rounds, on the program's own weekday
    when it fits; switching rounds off brings the program's own cadence back."""
    admin(bot, "program set weekday wednesday")
    admin(bot, "program set rounds weekly at monday 09:00 auto")
    shown = admin(bot, "program")
    assert "once per round" in shown and "wednesday" in shown and "too close" not in shown
    admin(bot, "program set rounds off")
    shown = admin(bot, "program")
    assert "once per round" not in shown and "cadence: biweekly" in shown


async def test_the_digest_due_with_a_round_counts_its_pairs(bot):
    """The weekly digest falls due at the very minute of a round: it waits for the round
    and says 4 active pairs, not 0, and goes out once."""
    peer_program(bot, "weekly at monday 09:00 auto")
    pulse, recorder = pulse_of(bot)
    for when in (MONDAY - timedelta(hours=1), MONDAY, MONDAY + timedelta(minutes=15)):
        bot.clock.set(when)
        await pulse.tick()
    digests = [m.plain() for _, t, m in recorder.sent if "Active pairs" in m.plain()]
    assert len(digests) == 1 and "Active pairs: 4" in digests[0], digests
