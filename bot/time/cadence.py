"""When a program's check-ins fall, in each person's own zone.

A program meets weekly, every two weeks or monthly (first chosen weekday of the month) at a
local hour. Occurrences are generated as wall times with dateutil's rrule and only then turned
into instants with :func:`bot.time.wall.localize`, so daylight-saving changes never move a
check-in off its local hour, skip it or double it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

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


def program_rule(program: ProgramSchedule) -> rrule:
    """A program's check-ins as local wall times, counted from its start date."""
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
