"""What to ask before booking a typed time: a day off of either person (their public holiday
or the program's closed day, each on their own local date) or an hour outside the partner's
sensible hours (their availability; 08:00-20:00 their time when they set none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.matching.profiles import Candidate, intervals
from bot.time.holidays import DaysOff
from bot.time.zones import get_zone

SENSIBLE_HOURS = (time(8), time(20))  # local, for someone who set no availability


@dataclass(frozen=True)
class Concern:
    """One reason to ask first: ``kind`` is "holiday", "closed" or "hour"; ``who`` the
    person it concerns; ``holiday`` the holiday's name (for "holiday").
    """

    kind: str
    who: Candidate
    holiday: str | None = None


def concerns(
    people: list[Candidate],
    start: datetime,
    minutes: int,
    days_off: DaysOff,
    language: str | None = None,
) -> list[Concern]:
    """Why booking ``start`` for ``people`` (the one booking first) deserves a question;
    holidays are named in ``language`` when the ``holidays`` package has it.
    """
    found: list[Concern] = []
    for who in people:
        day = start.astimezone(get_zone(who.timezone)).date()
        holiday = days_off.holiday(who.holiday_region, day, language)
        if holiday is not None:
            found.append(Concern("holiday", who, holiday))
        elif day in days_off.closed and not any(c.kind == "closed" for c in found):
            found.append(Concern("closed", who))
    end = start + timedelta(minutes=minutes)
    found.extend(Concern("hour", who) for who in people[1:] if not _sensible(who, start, end))
    return found


def _sensible(who: Candidate, start: datetime, end: datetime) -> bool:
    """Whether ``start``-``end`` lies within one of ``who``'s sensible windows."""
    tz = get_zone(who.timezone)
    if not who.has_availability:
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        first, last = SENSIBLE_HOURS
        return (
            local_start.date() == local_end.date()
            and first <= local_start.time()
            and local_end.time() <= last
        )
    day = start.astimezone(tz).date()
    return any(begin <= start and end <= until for begin, until in intervals(who, day, 1))
