"""When a program's rounds fall: reading ``every 2 weeks at monday 09:00 [auto|preview]`` and
turning the program's schedule into instants.

A round is due at ``rounds_time`` on ``rounds_weekday`` in the program's zone (its own, else
``[program] default_timezone``), every ``rounds_every_weeks`` weeks from ``rounds_from``,
daylight-saving safe (``bot.time.wall.localize``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.config import WEEKDAYS, Settings
from bot.errors import UserError
from bot.spans import Text
from bot.time.parse import parse_clock
from bot.time.wall import localize
from bot.time.zones import get_zone
from storage.models import Program, RoundPublish

NOTICE_BEFORE = timedelta(hours=24)  # people hear of a round this long before it
REMIND_AFTER = timedelta(hours=24)  # admins are reminded of an unpublished preview after this
OFF_WORDS = ("off", "none", "manual", "never")
_EVERY_WEEKS = {"weekly": 1, "biweekly": 2, "fortnightly": 2}
_FILLERS = ("at", "on", "every", "week", "weeks")


@dataclass(frozen=True)
class Rounds:
    """A parsed ``rounds`` setting: every N weeks at a weekday and time, auto or preview."""

    every_weeks: int
    weekday: int
    at: str  # "HH:MM"
    publish: str  # a RoundPublish


def parse_rounds(text: str, program: Program) -> Rounds | None:
    """The schedule in ``text`` (None for ``off``); what it leaves out keeps the program's
    current weekday, time and publishing. Raises a friendly :class:`UserError` otherwise.
    """
    words = text.lower().replace(",", " ").split()
    if not words:
        raise UserError("rounds.usage")
    if words == [words[0]] and words[0] in OFF_WORDS:
        return None
    every: int | None = None
    weekday, at, publish = program.rounds_weekday, program.rounds_time, program.rounds_publish
    for k, word in enumerate(words):
        if word in _EVERY_WEEKS:
            every = _EVERY_WEEKS[word]
        elif word.isdigit() and k + 1 < len(words) and words[k + 1].startswith("week"):
            every = int(word)
            if not 1 <= every <= 52:
                raise UserError("rounds.bad_every", every=Text.trusted(word))
        elif word == "week" and k > 0 and words[k - 1] == "every":
            every = 1
        elif word in _FILLERS:
            continue
        elif word in (RoundPublish.AUTO, RoundPublish.PREVIEW):
            publish = word
        elif (day := _weekday(word)) is not None:
            weekday = day
        elif (clock := parse_clock(word)) is not None and clock != "24:00":
            at = clock
        elif any(ch.isdigit() for ch in word):
            raise UserError("rounds.bad_time", time=word)
        else:
            raise UserError("rounds.bad_word", word=word)
    if every is None:
        raise UserError("rounds.usage")
    return Rounds(every, weekday, at, publish)


def _weekday(word: str) -> int | None:
    """A weekday by name or its first three letters or more ("mon", "tues", "mondays")."""
    word = word[:-1] if word.endswith("days") else word
    found = [i for i, day in enumerate(WEEKDAYS) if day.startswith(word)]
    return found[0] if len(word) >= 3 and len(found) == 1 else None


def program_zone(program: Program, settings: Settings) -> tzinfo:
    """The zone the program's rounds are kept in."""
    return get_zone(program.timezone or settings.program.default_timezone)


def zone_key(program: Program, settings: Settings) -> str:
    """The name of the program's rounds' zone."""
    return program.timezone or settings.program.default_timezone


def _due_on(day: date, program: Program, zone: tzinfo) -> datetime:
    hour, minute = (int(part) for part in program.rounds_time.split(":"))
    return localize(datetime.combine(day, time(hour, minute)), zone)


def first_day(program: Program, zone: tzinfo, *, now: datetime) -> date:
    """The first round's day for a schedule set now: the first of its weekdays whose round
    is at least :data:`NOTICE_BEFORE` away, so everyone can hear of it and sit it out.
    """
    day = now.astimezone(zone).date()
    day += timedelta(days=(program.rounds_weekday - day.weekday()) % 7)
    while _due_on(day, program, zone) < now + NOTICE_BEFORE:
        day += timedelta(days=7)
    return day


def next_due(program: Program, settings: Settings, *, after: datetime) -> datetime | None:
    """The program's first round due strictly after ``after`` (None: rounds are off, or the
    program ends before it).
    """
    every = program.rounds_every_weeks
    if every is None:
        return None
    zone = program_zone(program, settings)
    start = program.rounds_from or first_day(program, zone, now=program.created_at)
    period = timedelta(weeks=every)
    local = after.astimezone(zone).date()
    k = max(0, (local - start).days // period.days - 1)
    due = _due_on(start + k * period, program, zone)
    while due <= after:
        k += 1
        due = _due_on(start + k * period, program, zone)
    if program.ends_on is not None and due.astimezone(zone).date() > program.ends_on:
        return None
    return due
