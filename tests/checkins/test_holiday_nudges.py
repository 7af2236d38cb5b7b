"""A check-in due on someone's public holiday (their local date) moves to their next working
day, as a weekend day does; the program's closed days move everyone's; ``status`` agrees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.surfaces import surfaces
from bot.app import build_bot
from tests.checkins.helpers import Recorder, button_commands, make_pair, make_program
from tests.checkins.test_checkins import pulse_for, simulate
from tests.conftest import run


def local_nudges(recorder: Recorder, zones: dict[str, str]) -> dict[tuple[str, str], datetime]:
    """(person, cycle) -> when their nudge arrived, in their own zone."""
    out = {}
    for sent, target, message in recorder.nudges():
        who = target.ids[0]
        cycle = button_commands(message)[0].split()[-1]
        out[(who, cycle)] = sent.astimezone(ZoneInfo(zones[who])).replace(tzinfo=None)
    return out


async def test_a_nudge_on_a_holiday_waits_for_the_next_working_day(bot):
    """Tuesday 8 December, Spain's Inmaculada: Madrid hears on Wednesday at 10:00, São Paulo
    on the Tuesday at 10:00 as usual; and status told Madrid so beforehand."""
    program = make_program(bot, cadence="weekly", weekday=1, hour=10)
    zones = {"ana": "Europe/Madrid", "bia": "America/Sao_Paulo"}
    make_pair(bot, program, "ana", "bia", zone_a=zones["ana"], zone_b=zones["bia"])
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await simulate(bot, pulse, datetime(2026, 12, 7, 12, tzinfo=UTC), recorder=recorder)
    assert "Wed 9 Dec 2026, 10:00" in run(bot, "status", who="ana")
    await simulate(bot, pulse, datetime(2026, 12, 10, tzinfo=UTC), recorder=recorder)
    got = local_nudges(recorder, zones)
    assert got[("ana", "2026-12-01")] == datetime(2026, 12, 1, 10)
    assert got[("ana", "2026-12-08")] == datetime(2026, 12, 9, 10)
    assert got[("bia", "2026-12-08")] == datetime(2026, 12, 8, 10)


async def test_a_set_region_and_closed_days_move_nudges(settings, clock, engine):
    """Madrid's own 7 December (set as ES-MD) moves Monday's nudge past Spain's 8th to the
    9th; a closed 14 December moves everyone's to the 15th."""
    program_settings = replace(settings.program, closed_days=("2026-12-14",))
    bot = build_bot(
        replace(settings, program=program_settings), clock=clock, engine=engine, surfaces=surfaces()
    )
    program = make_program(bot, cadence="weekly", weekday=0, hour=10)
    zones = {"ana": "Europe/Madrid", "bia": "America/Sao_Paulo"}
    make_pair(bot, program, "ana", "bia", zone_a=zones["ana"], zone_b=zones["bia"], country="ES-MD")
    recorder = Recorder(bot.clock)
    until = datetime(2026, 12, 16, tzinfo=UTC)
    await simulate(bot, pulse_for(bot, recorder), until, recorder=recorder)
    got = local_nudges(recorder, zones)
    assert got[("ana", "2026-12-07")] == datetime(2026, 12, 9, 10)
    assert got[("bia", "2026-12-07")] == datetime(2026, 12, 7, 10)
    assert got[("ana", "2026-12-14")] == datetime(2026, 12, 15, 10)
    assert got[("bia", "2026-12-14")] == datetime(2026, 12, 15, 10)
    monday = date(2026, 11, 30)
    assert got[("ana", monday.isoformat())] == datetime(2026, 11, 30, 10)
    assert all(when.hour == 10 for when in got.values()), got
    assert max(got.values()) < datetime(2026, 12, 16) + timedelta(days=1)
