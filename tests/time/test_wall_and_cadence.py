"""Wall times to instants (DST gaps and folds), durations and dates, check-in cadences."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.time.cadence import next_occurrence
from bot.time.parse import BadDate, parse_day, parse_duration, parse_until
from bot.time.wall import localize

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


@pytest.mark.parametrize(
    ("zone", "wall", "expected_local"),
    [
        # Spring forward in New York: 02:00-03:00 does not exist on 2026-03-08.
        ("America/New_York", datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 3, 0)),
        ("America/New_York", datetime(2026, 3, 8, 2, 0), datetime(2026, 3, 8, 3, 0)),
        ("America/New_York", datetime(2026, 3, 8, 3, 0), datetime(2026, 3, 8, 3, 0)),
        # Lord Howe springs forward by 30 minutes: 02:00-02:30 does not exist on 2026-10-04.
        ("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 15), datetime(2026, 10, 4, 2, 30)),
        # Chatham (UTC+12:45/13:45): 02:45-03:45 does not exist on 2026-09-27.
        ("Pacific/Chatham", datetime(2026, 9, 27, 3, 0), datetime(2026, 9, 27, 3, 45)),
        # Ordinary times are untouched.
        ("Asia/Kathmandu", datetime(2026, 6, 1, 9, 0), datetime(2026, 6, 1, 9, 0)),
    ],
)
def test_gap_moves_to_first_valid_minute(zone, wall, expected_local):
    """A wall time in a spring-forward gap becomes the first valid minute after it."""
    tz = ZoneInfo(zone)
    instant = localize(wall, tz)
    assert instant.astimezone(tz).replace(tzinfo=None) == expected_local


def test_fold_takes_first_occurrence():
    """An ambiguous fall-back wall time means its first occurrence (the earlier instant)."""
    instant = localize(datetime(2026, 11, 1, 1, 30), NY)
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    london = localize(datetime(2026, 10, 25, 1, 30), LONDON)
    assert london == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("SystemV"))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    wall=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
)
def test_localize_property(zone, wall):
    """For any zone and wall time: the result shows that wall time, or the first minute after
    a gap (never earlier, and no later than the gap's end)."""
    tz = ZoneInfo(zone)
    wall = wall.replace(second=0, microsecond=0)
    instant = localize(wall, tz)
    shown = instant.astimezone(tz).replace(tzinfo=None)
    assert shown >= wall
    assert shown - wall <= timedelta(hours=3)
    if shown != wall:  # a gap: the minute before the result must be before the wall time
        assert (instant - timedelta(minutes=1)).astimezone(tz).replace(tzinfo=None) < wall


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("2 weeks", 14),
        ("a week", 7),
        ("10 days", 10),
        ("for 3 weeks", 21),
        ("1w", 7),
        ("two weeks", 14),
        ("5d", 5),
        ("next week", 7),
    ],
)
def test_parse_duration(text, days):
    """Durations people type."""
    delta = parse_duration(text)
    assert delta is not None
    assert datetime(2026, 1, 1) + delta == datetime(2026, 1, 1) + timedelta(days=days)


def test_parse_duration_months_and_nonsense():
    """Months are calendar months; anything else is not a duration."""
    assert datetime(2026, 1, 31) + parse_duration("1 month") == datetime(2026, 2, 28)
    assert parse_duration("banana") is None
    assert parse_duration("2027-01-10") is None


TODAY = date(2026, 11, 22)  # Sunday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-10", date(2027, 1, 10)),
        ("until 2027-01-10", date(2027, 1, 10)),
        ("jan 10", date(2027, 1, 10)),
        ("10 January 2027", date(2027, 1, 10)),
        ("dec 24", date(2026, 12, 24)),
        ("friday", date(2026, 11, 27)),
        ("next sunday", date(2026, 11, 29)),
        ("tomorrow", date(2026, 11, 23)),
    ],
)
def test_parse_day(text, expected):
    """Dates people type, relative to today."""
    assert parse_day(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["soon", "whenever", "the 45th", "2027-13-45"])
def test_parse_day_rejects_nonsense(text):
    """Text that is no date raises BadDate."""
    with pytest.raises(BadDate):
        parse_day(text, today=TODAY)


def test_parse_until_date_is_local_midnight():
    """'until <date>' ends the pause when that day starts in the person's zone."""
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    end = parse_until("until 2027-01-10", now=now, tz=NY).at
    assert end == datetime(2027, 1, 10, 5, tzinfo=UTC)


def test_parse_until_duration_keeps_local_clock_across_dst():
    """'2 weeks' from before a DST change ends at the same local clock time."""
    now = datetime(2026, 10, 20, 16, tzinfo=UTC)  # 17:00 in London (BST)
    end = parse_until("2 weeks", now=now, tz=LONDON).at
    assert end.astimezone(LONDON).hour == 17
    assert end == datetime(2026, 11, 3, 17, tzinfo=UTC)  # GMT by then


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2020-01-01", "past"),
        ("today", "past"),
        ("2 years", "too_far"),
        ("400 days", "too_far"),
        ("someday", "unparsed"),
    ],
)
def test_parse_until_errors(text, reason):
    """Past dates, pauses longer than a year and nonsense are each told apart."""
    with pytest.raises(BadDate) as info:
        parse_until(text, now=datetime(2026, 11, 22, 12, tzinfo=UTC), tz=UTC)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("cadence", "after", "expected_local"),
    [
        # Program anchored on Sun 2026-11-22; check-ins on Tuesdays at 10:00.
        ("weekly", datetime(2026, 11, 22, 12, tzinfo=UTC), datetime(2026, 11, 24, 10)),
        ("biweekly", datetime(2026, 11, 22, 12, tzinfo=UTC), datetime(2026, 12, 1, 10)),
        ("biweekly", datetime(2026, 12, 1, 16, tzinfo=UTC), datetime(2026, 12, 15, 10)),
        ("monthly", datetime(2026, 11, 22, 12, tzinfo=UTC), datetime(2026, 12, 1, 10)),
        ("monthly", datetime(2026, 12, 2, 12, tzinfo=UTC), datetime(2027, 1, 5, 10)),
    ],
)
def test_next_occurrence(cadence, after, expected_local):
    """Cadences land on the program weekday at the local hour."""
    when = next_occurrence(
        cadence=cadence, weekday_index=1, hour=10, anchor=date(2026, 11, 22), tz=NY, after=after
    )
    assert when.astimezone(NY).replace(tzinfo=None) == expected_local


def test_weekly_checkins_keep_local_hour_through_a_year_of_dst():
    """A year of weekly check-ins in Lord Howe (30-minute DST) all fall at 09:00 local, once."""
    after = datetime(2026, 1, 1, tzinfo=UTC)
    seen = []
    for _ in range(53):
        after = next_occurrence(
            cadence="weekly",
            weekday_index=6,
            hour=9,
            anchor=date(2026, 1, 1),
            tz=LORD_HOWE,
            after=after,
        )
        seen.append(after)
    local = [s.astimezone(LORD_HOWE) for s in seen]
    assert all((d.hour, d.minute, d.weekday()) == (9, 0, 6) for d in local)
    assert len({d.date() for d in local}) == 53
    assert all(
        b - a in (timedelta(days=7), timedelta(days=7, minutes=30), timedelta(days=7, minutes=-30))
        for a, b in itertools.pairwise(seen)
    )
