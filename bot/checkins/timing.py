"""When one person's nudge for one check-in falls: local hour, quiet hours, weekends, DST.

The program's occurrence is a local wall time (say Tuesday 10:00). For each person it is read
in their own zone; if that lands on one of their weekend days it moves to their next working
day, and if it lands in their quiet hours it moves to the end of them. Only then does the wall
time become an instant (:func:`bot.localtime.localize`), so daylight-saving changes never skip
or double a nudge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.localtime import localize
from bot.timezones import get_zone

DEFAULT_WEEKEND = frozenset({5, 6})


class PersonFacts(Protocol):
    """What timing needs to know about a person."""

    @property
    def timezone(self) -> str | None:
        """Their IANA zone (or ``UTC+05:30``), if set."""

    @property
    def quiet_start(self) -> str | None:
        """Start of their quiet hours, local ``HH:MM``."""

    @property
    def quiet_end(self) -> str | None:
        """End of their quiet hours, local ``HH:MM``."""

    @property
    def availability(self) -> Sequence[dict[str, Any]]:
        """Their availability windows (days and local hours)."""


@dataclass(frozen=True)
class LocalRules:
    """What matters for timing a person's nudges; hashable so results can be cached."""

    timezone: str
    quiet_start: str | None = None
    quiet_end: str | None = None
    weekend: frozenset[int] = DEFAULT_WEEKEND

    @classmethod
    def of(
        cls,
        timezone: str | None,
        quiet_start: str | None,
        quiet_end: str | None,
        availability: Sequence[dict[str, Any]] | None,
        *,
        default_timezone: str,
    ) -> LocalRules:
        """A person's rules from their stored profile (zone falls back to the default)."""
        return cls(
            timezone or default_timezone, quiet_start, quiet_end, weekend_from(availability or [])
        )

    @classmethod
    def for_person(cls, person: PersonFacts, *, default_timezone: str) -> LocalRules:
        """The rules of anyone with a zone, quiet hours and availability (a Person, or a row
        read for one): the one place a person's timing rules are built.
        """
        return cls.of(
            person.timezone,
            person.quiet_start,
            person.quiet_end,
            person.availability,
            default_timezone=default_timezone,
        )


def weekend_from(availability: Sequence[dict[str, Any]]) -> frozenset[int]:
    """Days with no availability window are the person's weekend (Sat+Sun if none given)."""
    if not availability:
        return DEFAULT_WEEKEND
    working = {d for window in availability for d in window["days"]}
    return frozenset(set(range(7)) - working)


def _minutes(clock: str) -> int:
    h, m = clock.split(":")
    return int(h) * 60 + int(m)


def in_quiet(minute_of_day: int, start: str, end: str) -> bool:
    """Whether a minute of the day is in the quiet hours ``start``-``end`` (may wrap midnight)."""
    a, b = _minutes(start), _minutes(end)
    if a < b:
        return a <= minute_of_day < b
    return minute_of_day >= a or minute_of_day < b  # crosses midnight


def nudge_wall(occurrence: datetime, rules: LocalRules) -> datetime:
    """Adjust a naive local occurrence for the person's weekend and quiet hours."""
    wall = occurrence
    for _ in range(14):  # weekend and quiet moves can chain; a fortnight always settles it
        moved = False
        if wall.weekday() in rules.weekend and len(rules.weekend) < 7:
            wall += timedelta(days=1)
            moved = True
        elif (
            rules.quiet_start
            and rules.quiet_end
            and in_quiet(wall.hour * 60 + wall.minute, rules.quiet_start, rules.quiet_end)
        ):
            end = _minutes(rules.quiet_end)
            target = wall.replace(hour=end // 60 % 24, minute=end % 60)
            if end == 24 * 60 or target <= wall:
                target += timedelta(days=1)
            wall = target
            moved = True
        if not moved:
            return wall
    return wall


def nudge_instant(occurrence: datetime, rules: LocalRules) -> datetime:
    """The UTC instant of a person's nudge for a program occurrence (a naive wall time)."""
    return localize(nudge_wall(occurrence, rules), get_zone(rules.timezone))


DAY_START_HOUR = 8
DAY_END_HOUR = 20


def next_sensible(now: datetime, rules: LocalRules) -> datetime:
    """The first instant from ``now`` that is daytime, not quiet and not a weekend for them."""
    tz = get_zone(rules.timezone)
    local = now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    minute = local.hour * 60 + local.minute
    daytime = DAY_START_HOUR * 60 <= minute < DAY_END_HOUR * 60
    quiet = bool(rules.quiet_start and rules.quiet_end) and in_quiet(
        minute, rules.quiet_start or "", rules.quiet_end or ""
    )
    if daytime and not quiet and local.weekday() not in rules.weekend:
        return now
    start = local.replace(hour=DAY_START_HOUR + 1, minute=0)
    if local >= start:
        start += timedelta(days=1)
    return localize(nudge_wall(start, rules), tz)
