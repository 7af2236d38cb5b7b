"""Check-ins: local-time nudges through a simulated year, restarts, failures, stalled pairs."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from adapters.surfaces import CONSOLE, surfaces
from bot.app import build_bot, build_dispatcher
from bot.delivery import DeliveryResult
from bot.events import Action, Actor
from bot.outbox import Pacer, Pacing
from bot.pulse import Pulse
from bot.time.clock import FakeClock
from bot.time.holidays import region_from_zone
from bot.time.nudges import LocalRules, nudge_instant, weekend_from
from fakes.programs import queue_text
from storage.engine import transaction
from storage.models import CheckIn, OutboxMessage, Pair
from tests.checkins.helpers import Recorder, button_commands, make_pair, make_program
from tests.conftest import run, text_of

ZONES = [
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kathmandu",
    "America/New_York",
    "Europe/London",
]


def pulse_for(bot, recorder: Recorder) -> Pulse:
    return Pulse(bot, build_dispatcher(bot, {"console": recorder}))


async def simulate(
    bot,
    pulse: Pulse,
    until: datetime,
    *,
    step=timedelta(hours=24),
    answer=True,
    recorder: Recorder | None = None,
) -> None:
    """Move the fake clock to every due instant (dispatching) and every ``step`` (a full tick)."""
    answered = 0
    next_full = bot.clock.now()
    while bot.clock.now() < until:
        if bot.clock.now() >= next_full:
            await pulse.tick()
            next_full = bot.clock.now() + step
        else:
            await pulse.dispatch()
        if answer and recorder is not None:
            for _, target, message in recorder.nudges()[answered:]:
                who = Actor("console", target.ids[0], target.ids[0], "console", surface=CONSOLE)
                bot.handle(Action(who, button_commands(message)[0]))
            answered = len(recorder.nudges())
        due = pulse.next_due(bot.clock.now())  # queued, or planned and not queued yet
        nxt = next_full
        if due is not None and due < nxt:
            nxt = due
        bot.clock.set(min(nxt, until))
    await pulse.tick()


def _working_day(day: date, zone: str) -> date:
    """The first day from ``day`` that is no weekend and no public holiday of the zone's country."""
    region = region_from_zone(zone)
    off = holidays.country_holidays(region) if region else {}
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return day


@pytest.mark.slow
async def test_a_year_of_weekly_nudges_lands_on_local_time_once(bot):
    """Pairs across tricky zones: every nudge at Tuesday 10:00 local (the next working day
    when that Tuesday is a public holiday of their zone's country), once per cycle.
    """
    program = make_program(bot, cadence="weekly", weekday=1, hour=10)
    for k, (za, zb) in enumerate(zip(ZONES, ZONES[1:] + ZONES[:1], strict=True)):
        make_pair(bot, program, f"a{k}", f"b{k}", zone_a=za, zone_b=zb)
    recorder = Recorder(bot.clock)
    start = bot.clock.now()
    end = start + timedelta(days=365)
    await simulate(bot, pulse_for(bot, recorder), end, recorder=recorder)

    nudges = recorder.nudges()
    per_person = Counter(t.ids[0] for _, t, _ in nudges)
    zone_of = {f"a{k}": za for k, za in enumerate(ZONES)}
    zone_of |= {f"b{k}": zb for k, zb in enumerate(ZONES[1:] + ZONES[:1])}
    seen = set()
    for sent_at, target, message in nudges:
        person = target.ids[0]
        local = sent_at.astimezone(ZoneInfo(zone_of[person]))
        cycle = button_commands(message)[0].split()[-1]
        expected = _working_day(date.fromisoformat(cycle), zone_of[person])
        assert (local.date(), local.hour, local.minute) == (expected, 10, 0), (person, local)
        assert (person, cycle) not in seen
        seen.add((person, cycle))
    # The first Tuesday is too soon after the pair started; every other Tuesday counts.
    assert set(per_person.values()) == {51}
    assert len(per_person) == 12
    with transaction(bot.engine) as s:
        rows = s.exec(select(CheckIn)).all()
    assert Counter(c.outcome for c in rows if c.due_at <= end) == {"met": len(nudges)}
    assert all(c.due_at > end for c in rows if c.outcome == "pending")


@settings(max_examples=80, deadline=None)
@given(
    zone=st.sampled_from(sorted(z for z in available_timezones() if "/" in z)),
    year=st.integers(2024, 2030),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_dst_days_never_skip_or_double_a_nudge(zone, year, hour, minute):
    """On every DST transition day of any zone: one nudge that day, at the wall time or the
    first valid minute after a gap, and later than the day before's."""
    tz = ZoneInfo(zone)
    rules = LocalRules(zone, weekend=frozenset())
    day = date(year, 1, 1)
    previous = datetime(year, 1, 1, 12, tzinfo=UTC).astimezone(tz).utcoffset()
    transitions = []
    while day.year == year:
        offset = datetime(day.year, day.month, day.day, 23, 59, tzinfo=tz).utcoffset()
        if offset != previous:
            transitions.append(day)
        previous = offset
        day += timedelta(days=1)
    for d in transitions:
        instants = []
        for delta in (-1, 0, 1):
            wall = datetime(d.year, d.month, d.day, hour, minute) + timedelta(days=delta)
            instant = nudge_instant(wall, rules)
            shown = instant.astimezone(tz).replace(tzinfo=None)
            assert shown >= wall and shown - wall <= timedelta(hours=3)
            if shown != wall:
                assert (instant - timedelta(minutes=1)).astimezone(tz).replace(tzinfo=None) < wall
            instants.append(instant)
        assert instants[0] < instants[1] < instants[2]
        local_days = [i.astimezone(tz).date() for i in instants]
        assert len(set(local_days)) == 3


@pytest.mark.parametrize(
    ("quiet", "availability", "weekday", "expected"),
    [
        (("08:00", "12:00"), [], 1, (1, 12, 0)),  # quiet morning: after it ends
        (("22:00", "11:00"), [], 1, (1, 11, 0)),  # quiet across midnight
        (None, [{"days": [6, 0, 1, 2, 3], "start": "09:00", "end": "17:00"}], 4, (6, 10, 0)),
        (None, [], 5, (0, 10, 0)),  # default weekend: Saturday moves to Monday
        (None, [], 2, (2, 10, 0)),
    ],
)
def test_quiet_hours_and_weekends_move_the_nudge(quiet, availability, weekday, expected):
    """A nudge in someone's quiet hours or weekend moves to their next good time."""
    wall = datetime(2026, 11, 23, 10) + timedelta(days=weekday)  # 2026-11-23 is a Monday
    rules = LocalRules("Europe/Berlin", *(quiet or (None, None)), weekend_from(availability))
    local = nudge_instant(wall, rules).astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == expected


async def test_restart_and_downtime_lose_and_duplicate_nothing(settings, engine):
    """Stop the pulse, come back later with a new process: no duplicates, short gaps caught up,
    nudges too stale to be useful are dropped."""
    clock = FakeClock(datetime(2026, 11, 22, 12, tzinfo=UTC))
    bot = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    program = make_program(bot, cadence="weekly", weekday=1, hour=10)
    make_pair(bot, program, "ann", "bo", zone_a="Asia/Kathmandu", zone_b="America/St_Johns")
    recorder = Recorder(clock)
    await simulate(
        bot, pulse_for(bot, recorder), datetime(2027, 1, 1, tzinfo=UTC), recorder=recorder
    )
    before = len(recorder.nudges())
    # Down from Tuesday 2027-01-05 00:00 UTC to 06:00 UTC: ann's 10:00 Kathmandu nudge
    # (04:15 UTC) was due meanwhile and is caught up on start.
    clock.set(datetime(2027, 1, 5, 6, tzinfo=UTC))
    restarted = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    await simulate(
        restarted,
        pulse_for(restarted, recorder),
        datetime(2027, 1, 10, tzinfo=UTC),
        recorder=recorder,
    )
    caught = [s for s in recorder.nudges()[before:] if s[1].ids == ("ann",)]
    assert caught and caught[0][0] == datetime(2027, 1, 5, 6, tzinfo=UTC)
    # Down for three whole days across the next Tuesday: those nudges are dropped, not sent late.
    clock.set(datetime(2027, 1, 14, 12, tzinfo=UTC))
    again = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    count = len(recorder.nudges())
    await simulate(
        again, pulse_for(again, recorder), datetime(2027, 1, 22, tzinfo=UTC), recorder=recorder
    )
    late = recorder.nudges()[count:]
    assert all(sent - datetime(2027, 1, 12, tzinfo=UTC) > timedelta(days=5) for sent, _, _ in late)
    keys = Counter((t.ids, button_commands(m)[0]) for _, t, m in recorder.nudges())
    assert max(keys.values()) == 1
    with transaction(engine) as s:
        assert (
            s.exec(
                select(OutboxMessage).where(
                    OutboxMessage.status == "pending", OutboxMessage.not_before < clock.now()
                )
            ).all()
            == []
        )


async def test_rate_limits_and_errors_lose_nothing_and_park_permanent_failures(bot):
    """429s and transient errors are retried until sent; a permanent failure is parked."""
    program = make_program(bot)
    for k in range(6):
        make_pair(bot, program, f"p{k}", f"q{k}", zone_a="Europe/London")
    make_pair(bot, program, "gone", "stays")
    rng = random.Random(5)

    class Flaky(Recorder):
        async def send(self, target, message):
            if target.ids == ("gone",):
                return DeliveryResult("permanent", error="user_not_found")
            roll = rng.random()
            if roll < 0.3:
                return DeliveryResult("rate_limited", retry_after=2)
            if roll < 0.5:
                return DeliveryResult("transient", error="timeout")
            return await super().send(target, message)

    recorder = Flaky(bot.clock)
    await simulate(
        bot, pulse_for(bot, recorder), bot.clock.now() + timedelta(days=22), recorder=recorder
    )
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("nudge:%"))).all()
    sent_keys = Counter((t.ids, button_commands(m)[0]) for _, t, m in recorder.nudges())
    assert max(sent_keys.values()) == 1
    end = bot.clock.now()
    rows = [r for r in rows if r.not_before <= end - timedelta(minutes=30)]
    statuses = Counter(r.status for r in rows)
    assert statuses["pending"] == 0 and statuses["claimed"] == 0
    parked = [r for r in rows if r.status == "parked"]
    assert parked and all(r.target_ids == ["gone"] for r in parked)
    assert statuses["sent"] == len(recorder.nudges()) == len(rows) - len(parked)
    reply = run(bot, "admin digest", who="admin")
    assert "could not be delivered" in reply and "user_not_found" in reply


async def test_pause_skips_nudges_and_resume_brings_them_back(bot):
    """No nudges while paused; after the pause they come again."""
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=10), recorder=recorder)
    assert "Enjoy your break" in run(bot, "pause 3 weeks", who="alice")
    mark = len(recorder.nudges())
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=20), recorder=recorder)
    assert [t.ids for _, t, _ in recorder.nudges()[mark:]] == [("bob",)] * 3
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=14), recorder=recorder)
    assert ("alice",) in [t.ids for _, t, _ in recorder.nudges()[mark:]]


async def weeks_of_not_yet(bot, pulse, recorder: Recorder, weeks: int) -> None:
    """``weeks`` weeks in which both answer every nudge "not yet", then three days more."""
    answered = len(recorder.nudges())
    for _ in range(weeks):
        await simulate(
            bot, pulse, bot.clock.now() + timedelta(days=7), recorder=recorder, answer=False
        )
        for _, target, message in recorder.nudges()[answered:]:
            who = Actor("console", target.ids[0], target.ids[0], "console", surface=CONSOLE)
            not_yet = button_commands(message)[1]
            assert "No worries" in text_of(bot.handle(Action(who, not_yet)))
        answered = len(recorder.nudges())
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=3), recorder=recorder, answer=False)


async def test_stalled_pairs_get_one_gentle_nudge_and_show_in_the_digest(bot):
    """Two check-ins without meeting flags the pair once, worded for a pair that never met; a
    reported meeting clears it; a later stall says it has been a while since they met."""
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_of_not_yet(bot, pulse, recorder, 3)
    with transaction(bot.engine) as s:
        pair = s.get(Pair, pair_id)
        assert pair.stalled_since is not None and pair.stall_reason == "no_meeting"
    first = [m.plain() for _, t, m in recorder.sent if "first meeting" in m.plain()]
    assert len(first) == 1 and "haven't had your first meeting yet" in first[0]
    assert not [m for _, t, m in recorder.sent if "been a while" in m.plain()]
    assert "alice & bob" in run(bot, "admin digest", who="admin")
    assert "logged your meeting with bob" in run(bot, "checkin", who="alice")
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).stalled_since is None
    assert "No pairs at risk" in run(bot, "admin digest", who="admin")
    await weeks_of_not_yet(bot, pulse, recorder, 3)
    again = [m for _, t, m in recorder.sent if "been a while since you two met" in m.plain()]
    assert len(again) == 1


async def test_a_week_with_no_check_ins_due_says_so_in_the_digest(bot):
    """No check-in due: "No check-ins were due this week.", not "0 of 0 ... (-) (+0 ...)";
    once check-ins fall due the counts come back."""
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    empty = run(bot, "admin digest", who="admin")
    assert "Meetings: No check-ins were due this week." in empty
    assert "0 of 0" not in empty and "0/0" not in empty and "(-)" not in empty
    assert "Active pairs: 1" in empty
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=10), recorder=recorder, answer=True)
    week = run(bot, "admin digest", who="admin")
    assert "Meetings: 2 of 2 check-ins said they met (100%)" in week
    assert "No check-ins were due" not in week


async def test_ignored_nudges_flag_the_pair(bot):
    """One person answering "not yet" while the other ignores three nudges in a row: flagged
    as ghosting (not merely "no meeting"), the digest names who is silent."""
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    answered = 0
    for week in range(5):
        await simulate(
            bot, pulse, bot.clock.now() + timedelta(days=7), recorder=recorder, answer=False
        )
        for _, target, message in recorder.nudges()[answered:]:
            if target.ids == ("alice",):
                bot.handle(
                    Action(
                        Actor("console", "alice", "alice", "console", surface=CONSOLE),
                        button_commands(message)[1],
                    )
                )
        answered = len(recorder.nudges())
        with transaction(bot.engine) as s:
            reason = s.get(Pair, pair_id).stall_reason
        if week < 1:
            assert reason is None
    assert reason == "ghosting"
    digest = run(bot, "admin digest", who="admin")
    assert "ghosting" in digest and "bob silent since" in digest


async def test_checkin_command_answers_the_upcoming_nudge(bot):
    """Logging a meeting before the nudge withdraws it; not-yet offers meeting times."""
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob", zone_a="Europe/Paris", zone_b="Europe/Paris")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    bot.clock.advance(timedelta(days=8))  # Monday 30 Nov: Tuesday's nudge is planned
    await pulse.tick()
    assert "logged your meeting with bob" in run(bot, "checkin met great chat", who="alice")
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=2), recorder=recorder)
    assert [t.ids for _, t, _ in recorder.nudges()] == [("bob",)]
    reply = run(bot, "checkin not-yet", who="alice")
    assert "Times that suit you both" in reply and "(your time, Europe/Paris)" in reply
    assert "not in the program yet" in run(bot, "checkin", who="carol")
    assert "`/mentor checkin met`" in run(bot, "checkin help", who="alice")


async def test_pacer_spaces_sends_and_honours_retry_after():
    """Per-conversation spacing, an overall rate, and a pause after a 429, on a fake clock."""
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(
        {"slack": Pacing(per_second=10, per_target_seconds=1.0, burst_seconds=0.1)},
        monotonic=lambda: now[0],
        sleep=sleep,
    )
    from bot.delivery import Target

    a = Target("slack", "T", "user", ("a",))
    b = Target("slack", "T", "user", ("b",))
    await pacer.wait(a)
    await pacer.wait(b)  # other conversation: only the overall rate applies
    await pacer.wait(a)  # same conversation: one second after the first
    assert now[0] == pytest.approx(1.0)
    assert slept[0] == pytest.approx(0.1)
    pacer.pause("slack", 30)
    await pacer.wait(b)
    assert now[0] == pytest.approx(31.0)
    await pacer.wait(Target("console", "c", "user", ("x",)))  # unpaced platform
    assert now[0] == pytest.approx(31.0)


async def test_scheduler_runs_jobs_at_once_and_never_drops_misfires(bot):
    """The APScheduler pulse starts with a catch-up run and is configured not to drop runs."""
    import asyncio

    from bot.delivery import Target

    delivered = asyncio.Event()

    class Signal(Recorder):
        async def send(self, target, message):
            delivered.set()
            return await super().send(target, message)

    queue_text(
        bot.engine, "hello", Target("console", "console", "user", ("a",)), "hi", due=bot.clock.now()
    )
    pulse = pulse_for(bot, Signal(bot.clock))
    scheduler = pulse.start()
    try:
        await asyncio.wait_for(delivered.wait(), timeout=10)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {
            "plan",
            "dispatch",
            "stalled",
            "engagement",
            "digest",
            "conversations",
            "surveys",
            "wrapup",
            "closure",
            "requests",
            "mentor_choices",
            "rounds",
            "outbox_retention",
        }
        assert all(j.misfire_grace_time is None and j.coalesce for j in jobs.values())
    finally:
        pulse.shutdown()
