"""When a program's check-ins fall, in each person's own zone.

A program meets weekly, every two weeks or monthly (first chosen weekday of the month) at a
local hour. A program with recurring rounds follows its rounds instead (:func:`round_rule`):
one check-in per round, on the program's check-in weekday when it falls well inside the round,
else a working day about halfway through a weekly round. Occurrences are generated as wall
times with dateutil's rrule and only then turned into instants with
:func:`bot.time.wall.localize`, so daylight-saving changes never move a check-in off its local
hour, skip it or double it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

from bot.time.wall import localize


def occurrences(*, cadence: str, weekday_index: int, hour: int, anchor: date) -> rrule:
    """The rule of local wall times, counting weeks from the Monday of ``anchor``'s week."""
    start = datetime.combine(anchor, time(hour))  # a wall time: naive until localized
    start -= timedelta(days=start.weekday())
    day = weekday(weekday_index)
    if cadence == "weekly":
        return rrule(WEEKLY, interval=1, byweekday=day, dtstart=start)
    if cadence == "biweekly":
        return rrule(WEEKLY, interval=2, byweekday=day, dtstart=start)
    if cadence == "monthly":
        return rrule(MONTHLY, byweekday=day(+1), dtstart=start.replace(day=1))
    raise ValueError(f"unknown cadence {cadence!r}")


def next_occurrence(
    *, cadence: str, weekday_index: int, hour: int, anchor: date, tz: tzinfo, after: datetime
) -> datetime:
    """The first check-in instant strictly after ``after`` (aware), at ``hour`` local time."""
    rule = occurrences(cadence=cadence, weekday_index=weekday_index, hour=hour, anchor=anchor)
    # Start a little before "after" in wall time: zone offsets differ by at most a day.
    cursor = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=2)
    while True:
        wall = rule.after(cursor, inc=False)
        if wall is None:  # pragma: no cover - rules here are unbounded
            raise ValueError("cadence has no further occurrences")
        instant = localize(wall, tz)
        if instant > after:
            return instant
        cursor = wall


class ProgramSchedule(Protocol):
    """The fields of a program that define when its check-ins fall."""

    cadence: str
    checkin_weekday: int
    checkin_hour: int
    starts_on: date | None
    created_at: datetime


# A round's check-in comes at least this many days after the round's day and before the day
# the next round comes (with a spare day, so a nudge moved off a weekend still lands in it).
ROUND_GAP_DAYS = 2
ROUND_FALLBACK_DAYS = (3, 2, 4)  # tried in turn when the check-in weekday doesn't fit a round
# Pairs of a round are asked if they started at least this long before the nudge (a round's
# pairs start on its day; wider than the rounds' zone to everyone's own zone).
ROUND_FIRST_AFTER = timedelta(days=1)


def round_checkin_offset(*, round_weekday: int, every_weeks: int, checkin_weekday: int) -> int:
    """Days from a round's day to its check-in: the program's check-in weekday when it falls
    :data:`ROUND_GAP_DAYS` or more after the round's day and a spare day more before the next
    round's; else three days after the round (two, or four, when that is a Saturday or Sunday).
    """
    period = 7 * every_weeks
    for days in range(ROUND_GAP_DAYS, period - ROUND_GAP_DAYS):
        if (round_weekday + days) % 7 == checkin_weekday:
            return days
    return next(d for d in ROUND_FALLBACK_DAYS if (round_weekday + d) % 7 < 5)


def round_checkin_weekday(program: Any) -> int | None:
    """The weekday a program's check-ins fall on (None: it has no recurring rounds, so its
    own check-in weekday holds).
    """
    every = getattr(program, "rounds_every_weeks", None)
    if not every:
        return None
    offset = round_checkin_offset(
        round_weekday=program.rounds_weekday,
        every_weeks=every,
        checkin_weekday=program.checkin_weekday,
    )
    return int((program.rounds_weekday + offset) % 7)


def round_rule(program: Any) -> rrule:
    """One check-in per round, counted from the program's first round (or the first of its
    rounds' weekdays from when it was made) at its check-in hour.
    """
    every = int(program.rounds_every_weeks)
    first: date | None = program.rounds_from
    if first is None:
        made = program.created_at.date()
        first = made + timedelta(days=(program.rounds_weekday - made.weekday()) % 7)
    offset = round_checkin_offset(
        round_weekday=program.rounds_weekday,
        every_weeks=every,
        checkin_weekday=program.checkin_weekday,
    )
    start = datetime.combine(first + timedelta(days=offset), time(program.checkin_hour))
    return rrule(WEEKLY, interval=every, dtstart=start)


def first_checkin_after(program: Any, days: int) -> timedelta:
    """How long after a pair starts its first check-in may come: ``days`` (the setting), or
    :data:`ROUND_FIRST_AFTER` in a program with recurring rounds, whose pairs live one round.
    """
    if getattr(program, "rounds_every_weeks", None):
        return ROUND_FIRST_AFTER
    return timedelta(days=days)


def program_rule(program: ProgramSchedule) -> rrule:
    """A program's check-ins as local wall times, counted from its start date (or its
    rounds: :func:`round_rule`).
    """
    if getattr(program, "rounds_every_weeks", None):
        return round_rule(program)
    return occurrences(
        cadence=program.cadence,
        weekday_index=program.checkin_weekday,
        hour=program.checkin_hour,
        anchor=program.starts_on or program.created_at.date(),
    )


def next_program_checkin(program: ProgramSchedule, *, tz: tzinfo, after: datetime) -> datetime:
    """A program's next check-in after ``after`` at its hour in zone ``tz``."""
    return next_occurrence(
        cadence=program.cadence,
        weekday_index=program.checkin_weekday,
        hour=program.checkin_hour,
        anchor=program.starts_on or program.created_at.date(),
        tz=tz,
        after=after,
    )
