"""Re-engagement keeps to the person's working days: the "haven't heard from you" reminder
never arrives on a day they also get a check-in nudge (it moves to their next working day),
and an offer due on one of the program's closed days waits for the next working day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from adapters.surfaces import surfaces
from bot.app import build_bot
from tests.checkins.helpers import Recorder, make_pair, make_program
from tests.checkins.test_checkins import pulse_for
from tests.engagement.test_engagement import OFFER, REMINDER, weeks_alice_answers

MADRID = ZoneInfo("Europe/Madrid")
CLOSED = date(2026, 12, 17)  # the Thursday bob's silence reaches the offer's 14 days


def _local_days(recorder: Recorder, who: str, words: str | None = None) -> list[date]:
    """The Madrid dates messages reached ``who`` (containing ``words``; nudges when None)."""
    sent = recorder.nudges() if words is None else recorder.sent
    return [
        at.astimezone(MADRID).date()
        for at, target, message in sent
        if target.ids == (who,) and (words is None or words in message.plain())
    ]


async def _bob_silent(settings, clock, engine) -> Recorder:
    """Weekly Thursday check-ins in Madrid, 17 December closed; alice answers every nudge
    until Sunday 20 December, bob none."""
    program_settings = replace(settings.program, closed_days=(CLOSED.isoformat(),))
    bot = build_bot(
        replace(settings, program=program_settings), clock=clock, engine=engine, surfaces=surfaces()
    )
    program = make_program(bot, cadence="weekly", weekday=3, hour=10)
    make_pair(bot, program, "alice", "bob", zone_a="Europe/Madrid", zone_b="Europe/Madrid")
    recorder = Recorder(bot.clock)
    await weeks_alice_answers(bot, pulse_for(bot, recorder), recorder, 4)
    return recorder


async def test_the_reminder_never_comes_with_a_checkin_nudge(settings, clock, engine):
    """Bob's reminder, due the day of his next check-in nudge, comes the next working day."""
    recorder = await _bob_silent(settings, clock, engine)
    reminders = _local_days(recorder, "bob", REMINDER)
    nudged = set(_local_days(recorder, "bob"))
    assert len(reminders) == 1, reminders
    assert reminders[0] not in nudged, (reminders, sorted(nudged))
    assert reminders[0].weekday() == 4 and reminders[0] - timedelta(days=1) in nudged


async def test_an_offer_due_on_a_closed_day_waits_for_the_next_working_day(settings, clock, engine):
    """Alice's offer, due on the closed Thursday, comes on the Friday, with the check-ins."""
    recorder = await _bob_silent(settings, clock, engine)
    offers = _local_days(recorder, "alice", OFFER)
    assert offers == [CLOSED + timedelta(days=1)], offers
    assert CLOSED not in set(_local_days(recorder, "bob")) | set(_local_days(recorder, "alice"))
