"""Meeting times that suit both people: inside both availabilities, on real upcoming dates,
never on a day off of either (their public holiday or the program's closed day, each read on
that person's own local date).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.matching.profiles import Candidate, intervals
from bot.time.holidays import DaysOff
from bot.time.zones import get_zone


def _intersect(
    a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            start, end = max(a0, b0), min(a1, b1)
            if end > start:
                out.append((start, end))
    return sorted(out)


def _working(
    person: Candidate, start_day: date, days: int, days_off: DaysOff
) -> list[tuple[datetime, datetime]]:
    """The person's availability windows (UTC) except those on one of their local days off."""
    tz = get_zone(person.timezone)
    return [
        (begin, end)
        for begin, end in intervals(person, start_day, days)
        if not days_off.is_off(person.holiday_region, begin.astimezone(tz).date())
    ]


def _round_up(instant: datetime, minutes: int = 30) -> datetime:
    floored = instant.replace(second=0, microsecond=0)
    extra = floored.minute % minutes
    if extra or instant != floored:
        floored += timedelta(minutes=minutes - extra)
    return floored


def suggest_slots(
    people: list[Candidate],
    *,
    after: datetime,
    days_off: DaysOff,
    count: int = 3,
    session_minutes: int = 30,
    horizon_days: int = 14,
) -> list[datetime]:
    """Up to ``count`` start instants (UTC), on different days, when everyone is available.

    Searches from the next day for ``horizon_days``; starts are on the hour or half hour;
    no day off of anyone's (``days_off``: holidays of their region, the program's closed days).
    """
    start_day = (after.astimezone(UTC) + timedelta(days=1)).date()
    common = _working(people[0], start_day, horizon_days, days_off)
    for person in people[1:]:
        common = _intersect(common, _working(person, start_day, horizon_days, days_off))
    earliest = after + timedelta(hours=12)
    length = timedelta(minutes=session_minutes)
    picked: list[datetime] = []
    used_days: set[tuple[int, int, int]] = set()
    for begin, end in common:
        slot = _round_up(max(begin, earliest))
        if slot + length > end:
            continue
        day = slot.timetuple()[:3]
        if day in used_days:
            continue
        used_days.add(day)  # type: ignore[arg-type]
        picked.append(slot)
        if len(picked) == count:
            break
    return picked
