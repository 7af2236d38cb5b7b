"""Suggested meeting times skip either person's public holidays (on their own local date) and
the program's closed days: a mentee in Madrid and a mentor in São Paulo, directly and through
the console (profile, intro, admin card)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.console import ConsoleSession
from adapters.slack.blocks import blocks
from bot.app import build_bot
from bot.events import Command
from bot.matching.profiles import Candidate
from bot.matching.slots import suggest_slots
from bot.replies import Message
from bot.time.holidays import DaysOff, region_of
from tests.conftest import actor, run
from tests.matching.test_rounds import admin, join, outbox

# 14:00-18:00 in Madrid and 10:00-14:00 in São Paulo are both 13:00-17:00 UTC in December.
MADRID = [{"days": [0, 1, 2, 3, 4], "start": "14:00", "end": "18:00"}]
SAO_PAULO = [{"days": [0, 1, 2, 3, 4], "start": "10:00", "end": "14:00"}]


def person(
    member_id: int, role: str, zone: str, availability: list, country: str | None = None
) -> Candidate:
    return Candidate(
        member_id=member_id,
        person_id=member_id,
        name=f"p{member_id}",
        role=role,
        platform_user_id=f"p{member_id}",
        timezone=zone,
        availability=availability,
        holiday_region=region_of(country, zone),
    )


def slot_days(
    after: datetime, *, mentee_country: str | None = None, closed: set[date] | None = None
) -> list[date]:
    mentee = person(1, "mentee", "Europe/Madrid", MADRID, mentee_country)
    mentor = person(2, "mentor", "America/Sao_Paulo", SAO_PAULO)
    slots = suggest_slots([mentee, mentor], after=after, days_off=DaysOff(closed or ()))
    madrid = {s.astimezone(ZoneInfo("Europe/Madrid")).date() for s in slots}
    sao_paulo = {s.astimezone(ZoneInfo("America/Sao_Paulo")).date() for s in slots}
    assert madrid == sao_paulo  # afternoons in Madrid are mornings in São Paulo: same dates
    return sorted(madrid)


@pytest.mark.parametrize(
    ("after", "country", "closed", "expected"),
    [
        # Spain's 8 December (Inmaculada Concepción) is skipped; the zone says Spain.
        (datetime(2026, 12, 6, 12, tzinfo=UTC), None, None, [(12, 7), (12, 9), (12, 10)]),
        # Set to Madrid: Madrid's 7 December goes too.
        (datetime(2026, 12, 6, 12, tzinfo=UTC), "ES-MD", None, [(12, 9), (12, 10), (12, 11)]),
        # Brazil's 20 November (Consciência Negra) is skipped for both.
        (datetime(2026, 11, 18, 12, tzinfo=UTC), None, None, [(11, 19), (11, 23), (11, 24)]),
        # Christmas (both), and the program closed on the 24th and the 28th.
        (
            datetime(2026, 12, 22, 12, tzinfo=UTC),
            None,
            {date(2026, 12, 24), date(2026, 12, 28)},
            [(12, 23), (12, 29), (12, 30)],
        ),
    ],
)
def test_no_slot_on_either_persons_holiday_or_a_closed_day(after, country, closed, expected):
    """Three slots on days that are working days for both and open for the program."""
    assert slot_days(after, mentee_country=country, closed=closed) == [
        date(2026, m, d) for m, d in expected
    ]


def test_a_holiday_is_read_on_each_persons_own_local_date():
    """London's Sunday and Monday evenings are Auckland's Monday and Tuesday mornings. Skipped:
    Sun 27 Dec (Auckland's Mon 28th, Boxing Day observed in New Zealand), Mon 28 Dec (London's
    own Boxing Day substitute), Sun 3 Jan (Auckland's Mon 4th, 2 January observed); the first
    slot is Mon 4 January in London, Tue 5 January in Auckland."""
    evenings = [{"days": [6, 0], "start": "19:00", "end": "21:00"}]
    mornings = [{"days": [0, 1], "start": "08:00", "end": "10:00"}]
    london = person(1, "mentee", "Europe/London", evenings)
    auckland = person(2, "mentor", "Pacific/Auckland", mornings)
    after = datetime(2026, 12, 26, 0, tzinfo=UTC)
    first = suggest_slots([london, auckland], after=after, days_off=DaysOff(), count=1)
    assert first == [datetime(2027, 1, 4, 19, 0, tzinfo=UTC)]
    nowhere = [replace(p, holiday_region=None) for p in (london, auckland)]
    plain = suggest_slots(nowhere, after=after, days_off=DaysOff(), count=1)
    assert plain == [datetime(2026, 12, 27, 19, 0, tzinfo=UTC)]


def intro_of(bot, mentee: str) -> str:
    rows = [r for r in outbox(bot, "intro:") if mentee in r.target_ids]
    assert len(rows) == 1
    return Message.from_json(rows[0].payload).plain()


def test_intro_in_the_console_skips_spanish_and_brazilian_holidays(bot):
    """A Madrid mentee and a São Paulo mentor matched on Sunday 6 December: the intro's times
    are the 9th-11th, never Madrid's 7th (she keeps Madrid's holidays) or Spain's 8th."""
    bot.clock.set(datetime(2026, 12, 6, 12, tzinfo=UTC))
    join(
        bot,
        "ana",
        "mentee",
        "wants python",
        "timezone Europe/Madrid",
        "availability mon-fri 14:00-18:00",
        "country es-md",
    )
    join(
        bot,
        "bia",
        "mentor",
        "skills Python",
        "timezone America/Sao_Paulo",
        "availability mon-fri 10:00-14:00",
    )
    admin(bot, "match")
    admin(bot, "publish")
    body = intro_of(bot, "ana")
    for day in ("Wed 9 Dec 2026", "Thu 10 Dec 2026", "Fri 11 Dec 2026"):
        assert day in body
    assert "Mon 7 Dec" not in body and "Tue 8 Dec" not in body


def test_closed_days_from_the_config_reach_the_intro(settings, clock, engine):
    """``[program] closed_days`` takes those days out of the intro's suggestions."""
    program = replace(settings.program, closed_days=("2026-11-19",))
    bot = build_bot(replace(settings, program=program), clock=clock, engine=engine)
    bot.clock.set(datetime(2026, 11, 18, 12, tzinfo=UTC))
    join(
        bot,
        "ana",
        "mentee",
        "wants python",
        "timezone Europe/Madrid",
        "availability mon-fri 14:00-18:00",
    )
    join(
        bot, "bia", "mentor", "skills Python", "tz America/Sao_Paulo", "availability mon-fri 10-14"
    )
    admin(bot, "match")
    admin(bot, "publish")
    body = intro_of(bot, "ana")
    assert "Mon 23 Nov 2026" in body and "Wed 25 Nov 2026" in body
    assert "Thu 19 Nov" not in body  # closed
    assert "Fri 20 Nov" not in body  # Consciência Negra, bia's holiday


def test_country_in_the_profile_and_the_admin_card(bot):
    """Set, shown, cleared back to the zone's country; bad codes say how to write one."""
    run(bot, "join mentee", who="ana")
    run(bot, "timezone Europe/Madrid", who="ana")
    assert "ES (from the time zone)" in run(bot, "profile", who="ana")
    assert "ES (from the time zone)" in run(bot, "admin person ana", who="admin")
    assert "Saved your country (for holidays): ES-MD" in run(
        bot, "profile set country es-md", who="ana"
    )
    assert "ES-MD" in run(bot, "profile", who="ana")
    assert "ES-MD" in run(bot, "admin person ana", who="admin")
    bad = run(bot, "profile set country ES-Narnia", who="ana")
    assert "ES-MD" in bad and "ES-CT" in bad and "just `ES`" in bad
    assert "two-letter ISO country code" in run(bot, "profile set country XX", who="ana")
    reply = bot.handle(Command(actor("ana"), "profile set country <!here>"))
    assert isinstance(reply, Message)
    rendered = json.dumps(blocks(reply))
    assert "isn't a country code" in rendered
    assert "<!here>" not in rendered and "&lt;!here&gt;" in rendered
    run(bot, "profile clear country", who="ana")
    assert "ES (from the time zone)" in run(bot, "profile", who="ana")
    run(bot, "timezone UTC", who="ana")
    assert "(from the time zone)" not in run(bot, "profile", who="ana")


async def test_the_console_profile_form_takes_a_country(bot):
    """In the terminal console the profile form has a country field; a bad one is named."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/mentor profile edit")
    await session.handle_line("/submit country=ES-Narnia")
    assert "has no region" in out.getvalue()
    await session.handle_line("/mentor profile edit")
    await session.handle_line("/submit country=br-sp")
    await session.handle_line("/mentor profile")
    assert "BR-SP" in out.getvalue().split("/submit country=br-sp")[-1]
