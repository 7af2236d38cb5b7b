"""When one person's nudge for one check-in falls: local hour, quiet hours, weekends, DST.

The program's occurrence is a local wall time (say Tuesday 10:00). For each person it is read
in their own zone; if that lands on one of their weekend days, one of their public holidays or
one of the program's closed days (:mod:`bot.time.holidays`) it moves to their next working
day, and if it lands in their quiet hours it moves to the end of them. Only then does the wall
time become an instant (:func:`bot.time.wall.localize`), so daylight-saving changes never skip
or double a nudge.

None is sent before the pair's first check-in (:func:`pair_takes_cycle`: the first occurrence
at which everyone in the pair is nudged ``first_checkin_after_days`` after it started, so all of
them start with the same cycle), during a break, or for an occurrence after the program's last
day: the one rule the planner, ``status`` and App Home share (:func:`nudge_due`,
:func:`next_nudge`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.time.cadence import ProgramSchedule, program_rule
from bot.time.holidays import DaysOff, region_of
from bot.time.wall import localize
from bot.time.zones import get_zone

DEFAULT_WEEKEND = frozenset({5, 6})

# How far a person's weekend, availability and quiet hours can move a nudge after the program's
# wall time: past six unavailable days at the program's hour, which can be quiet on the
# seventh; out of it at the end of the quiet hours, the next morning, which can be unavailable
# again: six more days. Status and the planner both look this far back.
MAX_MOVE = timedelta(days=14)
# No zone is further ahead of UTC than this (Kiribati): a wall time is nowhere earlier.
MAX_AHEAD = timedelta(hours=14)


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
    """What matters for timing a person's nudges; hashable so results can be cached
    (``days_off``: whose holidays and closed days count, shared by everyone planned together;
    None: none).
    """

    timezone: str
    quiet_start: str | None = None
    quiet_end: str | None = None
    weekend: frozenset[int] = DEFAULT_WEEKEND
    region: str | None = None  # whose public holidays they keep ("ES", "ES-MD")
    days_off: DaysOff | None = field(default=None, compare=False, hash=False)

    @classmethod
    def of(
        cls,
        timezone: str | None,
        quiet_start: str | None,
        quiet_end: str | None,
        availability: Sequence[dict[str, Any]] | None,
        *,
        default_timezone: str,
        country: str | None = None,
        days_off: DaysOff | None = None,
    ) -> LocalRules:
        """A person's rules from their stored profile (zone falls back to the default; their
        holiday region is ``country``, else their zone's).
        """
        zone = timezone or default_timezone
        return cls(
            zone,
            quiet_start,
            quiet_end,
            weekend_from(availability or []),
            region_of(country, zone) if days_off is not None else None,
            days_off,
        )

    @classmethod
    def for_person(
        cls, person: PersonFacts, *, default_timezone: str, days_off: DaysOff | None = None
    ) -> LocalRules:
        """The rules of anyone with a zone, quiet hours and availability (a Person, or a row
        read for one): the one place a person's timing rules are built.
        """
        return cls.of(
            person.timezone,
            person.quiet_start,
            person.quiet_end,
            person.availability,
            default_timezone=default_timezone,
            country=getattr(person, "country", None),  # rows read without it: their zone's
            days_off=days_off,
        )

    def off_on(self, wall: datetime) -> bool:
        """Whether the local date of ``wall`` is a holiday of theirs or a closed day."""
        return self.days_off is not None and self.days_off.is_off(self.region, wall.date())


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
    """Adjust a naive local occurrence for the person's weekend, days off and quiet hours."""
    wall = occurrence
    for _ in range(14):  # weekend and quiet moves can chain; a fortnight always settles it
        moved = False
        if (wall.weekday() in rules.weekend and len(rules.weekend) < 7) or rules.off_on(wall):
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


def superseded(wall: datetime, next_wall: datetime | None, rules: LocalRules) -> bool:
    """Whether a person's nudge for the occurrence ``wall``, once moved, would land on or
    after their nudge for the next occurrence ``next_wall`` (None: there is none): that
    cycle is then skipped for them.
    """
    if next_wall is None:
        return False
    return nudge_instant(wall, rules) >= nudge_instant(next_wall, rules)


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
    if daytime and not quiet and local.weekday() not in rules.weekend and not rules.off_on(local):
        return now
    start = local.replace(hour=DAY_START_HOUR + 1, minute=0)
    if local >= start:
        start += timedelta(days=1)
    return localize(nudge_wall(start, rules), tz)


def pair_takes_cycle(
    wall: datetime,
    everyone: Sequence[LocalRules],
    *,
    started_at: datetime | None,
    first_after: timedelta,
) -> bool:
    """Whether the occurrence ``wall`` is one of the pair's cycles: from the first at which
    every one of ``everyone`` (the pair's people) is nudged ``first_after`` after the pair
    started. The cycle is the pair's, not a person's: people east and west of UTC start
    with the same one, each at their own local hour.
    """
    if started_at is None:
        return False
    ready = started_at + first_after
    if wall.replace(tzinfo=UTC) - MAX_AHEAD >= ready:  # everyone's nudge is later than that
        return True
    return all(nudge_instant(wall, rules) >= ready for rules in everyone)


def nudge_due(
    wall: datetime,
    rules: LocalRules,
    *,
    started_at: datetime | None,
    first_after: timedelta,
    partners: Sequence[LocalRules] = (),
    paused_until: datetime | None = None,
    paused: bool = False,
    instant: datetime | None = None,
    next_wall: datetime | None = None,
) -> datetime | None:
    """The instant of a person's nudge for one occurrence, or None when none is sent
    (``partners``: the rules of the others in the pair, who start with the same cycle;
    ``instant``: the occurrence's moved instant when the caller already has it;
    ``next_wall``: the next occurrence, whose nudge a moved one must stay before).
    """
    due = instant if instant is not None else nudge_instant(wall, rules)
    if superseded(wall, next_wall, rules):
        return None
    if not pair_takes_cycle(
        wall, (rules, *partners), started_at=started_at, first_after=first_after
    ):
        return None
    if paused and (paused_until is None or paused_until > due):
        return None
    return due


def next_nudge(
    program: ProgramSchedule,
    rules: LocalRules,
    *,
    after: datetime,
    started_at: datetime | None,
    first_after: timedelta,
    partners: Sequence[LocalRules] = (),
    paused_until: datetime | None = None,
    paused: bool = False,
    skip_cycles: frozenset[str] = frozenset(),
) -> tuple[datetime, str] | None:
    """(instant, cycle) of the first nudge after ``after``; cycles in ``skip_cycles`` (already
    answered) don't count (``partners``: the others in the pair). None when the program ends
    first.
    """
    rule = program_rule(program)
    ends_on = getattr(program, "ends_on", None)
    cursor = (after - MAX_MOVE - timedelta(days=2)).replace(tzinfo=None)
    best: tuple[datetime, str] | None = None
    following = rule.after(cursor, inc=False)
    for _ in range(200):  # a few years of weekly cycles at most
        wall, following = following, rule.after(following, inc=False) if following else None
        if wall is None or (ends_on is not None and wall.date() > ends_on):
            break
        if following is not None and ends_on is not None and following.date() > ends_on:
            following = None
        # Moves only go forward, and no zone is more than a day from UTC: an occurrence a day
        # after the best instant can't beat it.
        if best is not None and wall - timedelta(days=1) > best[0].astimezone(UTC).replace(
            tzinfo=None
        ):
            break
        cycle = wall.date().isoformat()
        if cycle in skip_cycles:
            continue
        due = nudge_due(
            wall,
            rules,
            started_at=started_at,
            first_after=first_after,
            partners=partners,
            paused_until=paused_until,
            paused=paused,
            next_wall=following,
        )
        if due is not None and due > after and (best is None or due < best[0]):
            best = (due, cycle)
    return best
