"""One reader for every date people type: a table of phrasings, day-first by default, the
other order on request, and ambiguous readings said back in words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.time.parse import BadDate, parse_clock, parse_until, read_day
from tests.conftest import run

TODAY = date(2026, 11, 22)  # a Sunday

# (typed, expected day, ambiguous)
PHRASINGS = [
    ("2027-03-31", date(2027, 3, 31), False),
    ("2027/3/31", date(2027, 3, 31), False),
    ("31/12", date(2026, 12, 31), False),
    ("25/12", date(2026, 12, 25), False),
    ("31.12.", date(2026, 12, 31), False),
    ("31-12-2027", date(2027, 12, 31), False),
    ("12/31", date(2026, 12, 31), False),  # only one reading is a day
    ("10/11", date(2027, 11, 10), True),  # day-first; 10 November 2026 has passed
    ("3/4", date(2027, 4, 3), True),
    ("3/4/27", date(2027, 4, 3), True),
    ("05/05", date(2027, 5, 5), False),  # both orders agree
    ("1/1/2027", date(2027, 1, 1), False),
    ("29/2", date(2028, 2, 29), False),  # the next leap day
    ("31 March", date(2027, 3, 31), False),
    ("march 31", date(2027, 3, 31), False),
    ("mar 31st 2027", date(2027, 3, 31), False),
    ("1st of may", date(2027, 5, 1), False),
    ("the 1st of may", date(2027, 5, 1), False),
    ("May 1", date(2027, 5, 1), False),
    ("dec 5", date(2026, 12, 5), False),
    ("5 december", date(2026, 12, 5), False),
    ("23 nov", date(2026, 11, 23), False),
    ("22 nov", date(2026, 11, 22), False),  # today
    ("21 nov", date(2027, 11, 21), False),  # passed: next year
    ("10 January 2027", date(2027, 1, 10), False),
    ("jan 10", date(2027, 1, 10), False),
    ("sept 9", date(2027, 9, 9), False),
    ("5", date(2026, 12, 5), False),  # the next 5th
    ("5th", date(2026, 12, 5), False),
    ("22nd", date(2026, 11, 22), False),
    ("30", date(2026, 11, 30), False),
    ("31", date(2026, 12, 31), False),  # November has no 31st
    ("friday 13", date(2027, 8, 13), False),  # the next Friday the 13th
    ("fri 13 august", date(2027, 8, 13), False),
    ("monday 23 november", date(2026, 11, 23), False),
    ("friday", date(2026, 11, 27), False),
    ("fri", date(2026, 11, 27), False),
    ("mon", date(2026, 11, 23), False),
    ("tues", date(2026, 11, 24), False),
    ("thurs", date(2026, 11, 26), False),
    ("sunday", date(2026, 11, 29), False),  # a weekday means the next one, not today
    ("next friday", date(2026, 11, 27), False),
    ("this wednesday", date(2026, 11, 25), False),
    ("on tuesday", date(2026, 11, 24), False),
    ("until friday", date(2026, 11, 27), False),
    ("till 2027-01-10", date(2027, 1, 10), False),
    ("by 31/12", date(2026, 12, 31), False),
    ("today", date(2026, 11, 22), False),
    ("tomorrow", date(2026, 11, 23), False),
    ("  Tomorrow ", date(2026, 11, 23), False),
    ("in 2 weeks", date(2026, 12, 6), False),
    ("2 weeks", date(2026, 12, 6), False),
    ("in 3 days", date(2026, 11, 25), False),
    ("a fortnight", date(2026, 12, 6), False),
    ("in a fortnight", date(2026, 12, 6), False),
    ("two weeks", date(2026, 12, 6), False),
    ("a month", date(2026, 12, 22), False),
    ("in 1 month", date(2026, 12, 22), False),
    ("next week", date(2026, 11, 29), False),
    ("next month", date(2026, 12, 22), False),
    ("10d", date(2026, 12, 2), False),
    ("3w", date(2026, 12, 13), False),
]


@pytest.mark.parametrize(("typed", "day", "ambiguous"), PHRASINGS)
def test_phrasings(typed, day, ambiguous):
    reading = read_day(typed, today=TODAY)
    assert (reading.day, reading.ambiguous) == (day, ambiguous)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("32", "unparsed"),  # not the year 2032
        ("13/13", "unparsed"),
        ("31/11/2027", "unparsed"),
        ("friday 14 august 2027", "weekday_mismatch"),
        ("someday", "unparsed"),
        ("", "unparsed"),
        ("0", "unparsed"),
        ("march", "unparsed"),
    ],
)
def test_what_is_not_a_date(typed, reason):
    with pytest.raises(BadDate) as info:
        read_day(typed, today=TODAY)
    assert info.value.reason == reason


def test_month_first_order_on_request():
    assert read_day("10/11", today=TODAY, day_first=False).day == date(2027, 10, 11)
    assert read_day("31/12", today=TODAY, day_first=False).day == date(2026, 12, 31)
    assert read_day("12/25", today=TODAY, day_first=False).ambiguous is False


def test_pause_takes_the_same_phrasings_and_hours():
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert parse_until("in 2 weeks", now=now, tz=UTC).at == datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert parse_until("3 hours", now=now, tz=UTC).at == datetime(2026, 11, 22, 15, tzinfo=UTC)
    assert parse_until("a fortnight", now=now, tz=UTC).at.day == 6
    assert parse_until("fri", now=now, tz=UTC).at == datetime(2026, 11, 27, tzinfo=UTC)


def test_an_ambiguous_pause_date_is_said_back_in_words(bot):
    run(bot, "join mentee")
    reply = run(bot, "pause until 10/11/2027")
    assert 'I read "until 10/11/2027" as Wednesday 10 November 2027' in reply
    run(bot, "resume")
    assert "I read" not in run(bot, "pause until 31/12")
    run(bot, "resume")
    assert "isn't the weekday you named" in run(bot, "pause until friday 14 august 2027")


def test_goals_read_dates_the_same_way():
    from bot.conversations.answers import parse_goal_date

    assert parse_goal_date("31/12", today=TODAY) == date(2026, 12, 31)
    assert parse_goal_date("fri", today=TODAY) == date(2026, 11, 27)
    assert parse_goal_date("in a fortnight", today=TODAY) == date(2026, 12, 6)


def test_month_first_reaches_pauses_goals_and_announcements(bot):
    """[program] date_order = "month-first" is honoured by every place a date is typed."""
    from dataclasses import replace

    from sqlmodel import select

    from bot.events import DirectMessage
    from storage.engine import transaction
    from storage.models import Goal
    from tests.conftest import actor

    bot.settings = replace(
        bot.settings, program=replace(bot.settings.program, date_order="month-first")
    )
    run(bot, "join mentee", who="ann")
    assert "Monday 11 October 2027" in run(bot, "pause until 10/11/2027", who="ann")
    run(bot, "resume", who="ann")
    preview = run(bot, "admin announce --at 3/4/2027 09:00 hi", who="admin")
    assert "Thu 04 Mar 09:00" in preview
    for answer in ("goal", "Give a 10 minute talk at the team demo", "talk given", "3/4/2027"):
        bot.handle(DirectMessage(actor("ann"), answer))
    for answer in ("skip", "skip", "no", "no"):
        bot.handle(DirectMessage(actor("ann"), answer))
    with transaction(bot.engine) as s:
        assert [g.due_on for g in s.exec(select(Goal)).all()] == [date(2027, 3, 4)]


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("mañana", "es", date(2026, 12, 4)),
        ("manana", "es", date(2026, 12, 4)),
        ("pasado mañana", "es", date(2026, 12, 5)),
        ("ayer", "es", date(2026, 12, 2)),  # a past day stays past: the caller says so
        ("amanhã", "pt-BR", date(2026, 12, 4)),
        ("sexta", "pt-BR", date(2026, 12, 4)),
        ("terca-feira", "pt-BR", date(2026, 12, 8)),
        ("morgen", "de", date(2026, 12, 4)),
        ("demain", "fr", date(2026, 12, 4)),
        ("aujourd'hui", "fr", date(2026, 12, 3)),
        ("viernes", "es", date(2026, 12, 4)),
        ("tomorrow", "es", date(2026, 12, 4)),  # English always works too
    ],
)
def test_near_days_and_weekdays_in_the_persons_language(text, locale, expected):
    """CLDR's words for days near today and weekday names (and Portuguese "sexta")."""
    assert read_day(text, today=date(2026, 12, 3), locale=locale).day == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10h", "10:00"), ("10h30", "10:30"), ("17 h", "17:00"), ("17 Uhr", "17:00"),
     ("5 pm", "17:00"), ("17:30", "17:30"), ("25h", None), ("h", None)],
)  # fmt: skip
def test_clock_times_as_people_write_them(text, expected):
    """The local ways to write a time of day: "10h30" (fr, pt), "17 Uhr" (de), "5 pm"."""
    assert parse_clock(text) == expected
