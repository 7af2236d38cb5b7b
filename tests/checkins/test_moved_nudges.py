"""Nudges moved by days (a weekend, or availability on a few days, plus a zone far behind
UTC, or a public holiday of the zone's country) are planned and sent once per cycle at the
intended local time; checked against times computed here from zoneinfo and the holidays
package, not from the planner's helpers."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.time.holidays import region_from_zone
from tests.checkins.helpers import Recorder, button_commands, make_pair, make_program
from tests.checkins.test_checkins import pulse_for, simulate

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def windows(days: list[int]) -> list[dict[str, object]]:
    return [{"days": sorted(days), "start": "08:00", "end": "18:00"}]


def expected_local(occurrence: date, hour: int, available: set[int], zone: str) -> tuple[date, int]:
    """The first available day on or after the program's day that is no public holiday of
    the zone's country, at the program's hour.
    """
    region = region_from_zone(zone)
    off = holidays.country_holidays(region) if region else {}
    day = occurrence
    while day.weekday() not in available or day in off:
        day += timedelta(days=1)
    return day, hour


async def run_weeks(bot, *, zone: str, available: list[int], weekday: int, hour: int, weeks: int):
    program = make_program(bot, cadence="weekly", weekday=weekday, hour=hour)
    make_pair(
        bot, program, "ann", "bob", zone_a=zone, zone_b="UTC", availability=windows(available)
    )
    recorder = Recorder(bot.clock)
    start = bot.clock.now()
    await simulate(
        bot,
        pulse_for(bot, recorder),
        start + timedelta(weeks=weeks),
        step=timedelta(hours=24),
        recorder=recorder,
    )
    return [(sent, msg) for sent, target, msg in recorder.nudges() if target.ids[0] == "ann"]


def check(
    nudges, *, zone: str, available: list[int], weekday: int, hour: int, start: datetime, weeks: int
):
    tz = ZoneInfo(zone)
    cycles = Counter(button_commands(m)[0].split()[-1] for _, m in nudges)
    assert all(n == 1 for n in cycles.values()), cycles
    for sent, message in nudges:
        cycle = date.fromisoformat(button_commands(message)[0].split()[-1])
        assert cycle.weekday() == weekday
        day, h = expected_local(cycle, hour, set(available), zone)
        local = sent.astimezone(tz)
        assert (local.date(), local.hour, local.minute) == (day, h, 0), (zone, cycle, local)
    # Every cycle from the pair's first, to the end: the first at which both are asked five
    # days after the pair started (bob, in UTC and free on weekdays, at the program's hour).
    first_local = start.astimezone(tz).date()
    expected_cycles = []
    day = first_local - timedelta(days=7)
    while day <= first_local + timedelta(weeks=weeks):
        if day.weekday() == weekday:
            target_day, h = expected_local(day, hour, set(available), zone)
            instant = datetime(target_day.year, target_day.month, target_day.day, h, tzinfo=tz)
            bobs = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC"))
            if start + timedelta(days=5) <= min(instant, bobs) and instant <= start + timedelta(
                weeks=weeks
            ):
                expected_cycles.append(day.isoformat())
        day += timedelta(days=1)
    assert sorted(cycles) == expected_cycles


async def test_pago_pago_available_monday_to_wednesday_hears_on_monday(bot):
    """Weekly Thursday 10:00: someone in Pago Pago (UTC-11) available Mon-Wed is asked on
    Monday 10:00 their time, every week."""
    start = bot.clock.now()
    nudges = await run_weeks(
        bot, zone="Pacific/Pago_Pago", available=[0, 1, 2], weekday=3, hour=10, weeks=6
    )
    assert len(nudges) >= 4  # the first cycle is the pair's: both asked 5 days in
    check(
        nudges,
        zone="Pacific/Pago_Pago",
        available=[0, 1, 2],
        weekday=3,
        hour=10,
        start=start,
        weeks=6,
    )


async def test_berlin_available_only_on_tuesdays(bot):
    start = bot.clock.now()
    nudges = await run_weeks(bot, zone="Europe/Berlin", available=[1], weekday=3, hour=10, weeks=6)
    assert len(nudges) >= 4  # the first cycle is the pair's: both asked 5 days in
    check(nudges, zone="Europe/Berlin", available=[1], weekday=3, hour=10, start=start, weeks=6)


ALL_ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    zone=st.sampled_from(ALL_ZONES),
    available=st.sets(st.integers(0, 6), min_size=1, max_size=4),
    weekday=st.integers(0, 6),
    hour=st.integers(9, 17),  # daytime: DST changes happen at night, checked elsewhere
)
def test_any_zone_and_availability_one_nudge_per_cycle_at_the_moved_time(
    zone, available, weekday, hour
):
    import asyncio
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from adapters.surfaces import surfaces
    from bot.app import build_bot
    from bot.config import load_settings
    from bot.time.clock import FakeClock
    from tests.conftest import START

    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings(None, env={})
        config = replace(base, bot=replace(base.bot, data_dir=str(Path(tmp))))
        bot = build_bot(config, clock=FakeClock(START), surfaces=surfaces())
        days = sorted(available)
        nudges = asyncio.run(
            run_weeks(bot, zone=zone, available=days, weekday=weekday, hour=hour, weeks=3)
        )
        check(nudges, zone=zone, available=days, weekday=weekday, hour=hour, start=START, weeks=3)
        bot.engine.dispose()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    zone=st.sampled_from(ALL_ZONES),
    available=st.sets(st.integers(0, 6), min_size=1, max_size=5),
    quiet=st.sampled_from([None, ("22:00", "07:00"), ("09:00", "12:00")]),
    cadence=st.sampled_from(["weekly", "biweekly", "monthly"]),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    days_in=st.integers(0, 20),
)
def test_status_shows_the_nudge_that_will_be_sent(
    zone, available, quiet, cadence, weekday, hour, days_in
):
    """For random people, zones and programs: the next check-in `status` shows is the one the
    planner then sends."""
    import asyncio
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from adapters.surfaces import surfaces
    from bot.app import build_bot
    from bot.checkins.upcoming import next_checkin_of
    from bot.config import load_settings
    from bot.time.clock import FakeClock
    from storage.engine import transaction
    from storage.models import Member, Person, Program
    from tests.conftest import START

    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings(None, env={})
        config = replace(base, bot=replace(base.bot, data_dir=str(Path(tmp))))
        bot = build_bot(config, clock=FakeClock(START), surfaces=surfaces())
        program_id = make_program(bot, cadence=cadence, weekday=weekday, hour=hour)
        extra = {"availability": windows(sorted(available))}
        if quiet:
            extra |= {"quiet_start": quiet[0], "quiet_end": quiet[1]}
        make_pair(bot, program_id, "ann", "bob", zone_a=zone, **extra)
        recorder = Recorder(bot.clock)
        pulse = pulse_for(bot, recorder)
        asked_at = START + timedelta(days=days_in, hours=7)
        asyncio.run(simulate(bot, pulse, asked_at, step=timedelta(hours=24), recorder=recorder))
        already = len([1 for _, t, _ in recorder.nudges() if t.ids[0] == "ann"])
        with transaction(bot.engine) as s:
            program = s.get(Program, program_id)
            person = s.exec(select(Person).where(Person.platform_user_id == "ann")).one()
            member = s.exec(select(Member).where(Member.person_id == person.id)).one()
            shown = next_checkin_of(
                s,
                program,
                member,
                person,
                now=bot.clock.now(),
                default_timezone="UTC",
                first_after=timedelta(days=bot.settings.checkins.first_checkin_after_days),
            )
        assert shown is not None
        asyncio.run(
            simulate(
                bot, pulse, shown + timedelta(hours=1), step=timedelta(hours=24), recorder=recorder
            )
        )
        sent = [at for at, t, _ in recorder.nudges() if t.ids[0] == "ann"][already:]
        assert sent and sent[0] == shown, (shown, sent[:2])
        bot.engine.dispose()
