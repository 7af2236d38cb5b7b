"""Two closed Thursdays in a row for people free only on Thursdays and Fridays: the 24 Dec and
31 Dec nudges would both move onto Thu 7 Jan, on top of that week's own. A moved nudge never
lands on or after the next cycle's: those cycles are skipped, each person hears once on 7 Jan,
``status`` names that day, and the digests count what really happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import select

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.checkins.digest import numbers
from storage.engine import transaction
from storage.models import Person, Program
from tests.checkins.helpers import Recorder, make_pair, make_program
from tests.checkins.test_checkins import pulse_for, simulate
from tests.checkins.test_holiday_nudges import local_nudges
from tests.conftest import run

THU_FRI = [{"days": [3, 4], "start": "09:00", "end": "18:00"}]
ZONES = {"lucia": "Europe/Madrid", "joao": "America/Sao_Paulo"}


def _bot(settings, clock, engine):
    """A bot whose program is closed on 24 and 31 December."""
    program = replace(settings.program, closed_days=("2026-12-24", "2026-12-31"))
    return build_bot(
        replace(settings, program=program), clock=clock, engine=engine, surfaces=surfaces()
    )


def _thu_fri_pair(bot) -> int:
    """lucia (Madrid) and joao (São Paulo), both available Thursday and Friday only, nudged
    weekly on Thursdays at 10:00."""
    program = make_program(bot, cadence="weekly", weekday=3, hour=10)
    make_pair(bot, program, "lucia", "joao", zone_a=ZONES["lucia"], zone_b=ZONES["joao"])
    with transaction(bot.engine) as s:
        for person in s.exec(select(Person)).all():
            person.availability = THU_FRI
            s.add(person)
    return program


def _planned(bot, program_id: int, since: datetime, until: datetime) -> tuple[int, int]:
    """(check-ins planned, meetings) as the digest counts them for [since, until)."""
    with transaction(bot.engine) as s:
        program = s.get(Program, program_id)
        assert program is not None
        n = numbers(s, program, bot.prompts, bot.settings, since=since, now=until)
        return n.planned, n.met


async def test_closed_thursdays_do_not_pile_up_onto_the_next(settings, clock, engine):
    """Nothing on 24 or 31 December, one nudge each on Thu 7 January (the 7 January cycle),
    and no one is ever nudged twice on one day."""
    bot = _bot(settings, clock, engine)
    program = _thu_fri_pair(bot)
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await simulate(bot, pulse, datetime(2026, 12, 20, tzinfo=UTC), recorder=recorder)
    assert "Thu 7 Jan 2027, 10:00" in run(bot, "status", who="lucia")
    await simulate(bot, pulse, datetime(2027, 1, 9, tzinfo=UTC), recorder=recorder)
    got = local_nudges(recorder, ZONES)
    per_day = Counter((who, when.date()) for (who, _), when in got.items())
    assert max(per_day.values()) == 1, per_day
    for who in ZONES:
        cycles = sorted(cycle for person, cycle in got if person == who)
        assert "2026-12-24" not in cycles and "2026-12-31" not in cycles, cycles
        assert got[(who, "2027-01-07")] == datetime(2027, 1, 7, 10)
        assert got[(who, "2026-12-17")] == datetime(2026, 12, 17, 10)
    # The digests: nothing planned in the closed weeks, one check-in each on 7 January.
    christmas = _planned(
        bot, program, datetime(2026, 12, 21, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC)
    )
    assert christmas == (0, 0)
    assert _planned(
        bot, program, datetime(2027, 1, 4, tzinfo=UTC), datetime(2027, 1, 11, tzinfo=UTC)
    ) == (2, 2)
