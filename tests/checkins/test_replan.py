"""Edits re-plan queued nudges in the same transaction: one nudge per person per cycle, at
the new time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from storage.engine import transaction
from storage.models import CheckIn, Member, Person
from tests.checkins.helpers import Recorder, make_pair, make_program
from tests.checkins.test_checkins import pulse_for, simulate
from tests.conftest import run


def planned(bot) -> list[tuple[str, datetime]]:
    """(person, instant) of every nudge planned and still to come (a pending check-in; its
    nudge enters the outbox shortly before that instant).
    """
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(Person.platform_user_id, CheckIn.due_at)
            .join(Member, Member.id == CheckIn.member_id)
            .join(Person, Person.id == Member.person_id)
            .where(CheckIn.outcome == "pending", CheckIn.due_at > bot.clock.now())
        ).all()
    return sorted((user, due) for user, due in rows)


async def planned_week(bot, *, weekday=1, hour=10, zone="UTC"):
    """A weekly program (Tuesday 10:00 by default) whose pair started 8 days ago; the clock
    at Monday noon UTC with Tuesday's nudges planned."""
    program = make_program(bot, cadence="weekly", weekday=weekday, hour=hour)
    make_pair(bot, program, "ann", "bob", zone_a=zone, started=bot.clock.now() - timedelta(days=8))
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    bot.clock.set(datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("UTC")))  # Monday
    await pulse.tick()
    return program, recorder, pulse


async def test_changing_the_weekday_on_monday_moves_the_nudge(bot):
    _, recorder, pulse = await planned_week(bot)
    before = dict(planned(bot))
    assert before["ann"].weekday() == 1  # Tuesday's, planned
    run(bot, "admin program set weekday wednesday", who="admin")
    assert planned(bot) == []  # Tuesday's withdrawn; Wednesday's is beyond the horizon yet
    await simulate(
        bot, pulse, bot.clock.now() + timedelta(days=4), step=timedelta(hours=6), recorder=recorder
    )
    sent = [(t.ids[0], at.weekday()) for at, t, _ in recorder.nudges()]
    assert sorted(sent) == [("ann", 2), ("bob", 2)]  # Wednesday's only, once each


async def test_changing_the_hour_moves_queued_nudges(bot):
    await planned_week(bot)
    assert "Updated" in run(bot, "admin program set hour 15", who="admin")
    assert {(t.hour, t.minute) for _, t in planned(bot)} == {(15, 0)}


async def test_a_new_zone_moves_that_persons_nudge_only(bot):
    await planned_week(bot)
    run(bot, "timezone Asia/Tokyo", who="ann")
    after = dict(planned(bot))
    assert after["ann"].astimezone(ZoneInfo("Asia/Tokyo")).hour == 10
    assert after["bob"].hour == 10  # bob's (UTC) is untouched
    with transaction(bot.engine) as s:
        rows = s.exec(select(CheckIn)).all()
    assert len(rows) == 2  # one check-in per person per cycle


async def test_quiet_hours_and_availability_re_plan(bot):
    await planned_week(bot)
    run(bot, "profile set quiet 09:00-12:00", who="ann")
    assert dict(planned(bot))["ann"].hour == 12
    run(bot, "profile set availability thu-fri 09:00-17:00", who="ann")
    # Moved to Thursday, beyond the planning horizon for now: Tuesday's is withdrawn.
    assert [due for who, due in planned(bot) if who == "ann"] == []
    run(bot, "profile clear availability", who="ann")
    ann = [due for who, due in planned(bot) if who == "ann"]
    assert [(due.weekday(), due.hour) for due in ann] == [(1, 12)]
