"""Parsing what people type for dates and durations ("2 weeks", "until 2027-01-10", "friday")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

from bot.localtime import localize

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple": 2,
    "next": 1,
}
_UNITS = {
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "d": "days",
    "w": "weeks",
    "wk": "weeks",
    "mo": "months",
    "y": "years",
    "yr": "years",
}
_DURATION = re.compile(
    r"^(?:for\s+)?(\d+|[a-z]+)(?:\s+of)?\s*(days?|weeks?|months?|years?|d|w|wks?|mo|yrs?|y)$"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class BadDate(ValueError):
    """Text that is not a date or duration we understand; ``reason`` picks the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unparsed", "past", "too_far"


@dataclass(frozen=True)
class LocalDate:
    """A calendar day in someone's zone and the instant it starts."""

    day: date
    starts_at: datetime


def parse_duration(text: str) -> relativedelta | None:
    """``"2 weeks"``, ``"a month"``, ``"10d"`` -> relativedelta; None if it is not a duration."""
    norm = re.sub(r"\s+", " ", text.strip().lower())
    match = _DURATION.match(norm)
    if not match:
        return None
    amount_text, unit = match.groups()
    amount = int(amount_text) if amount_text.isdigit() else _NUMBER_WORDS.get(amount_text)
    if amount is None:
        return None
    unit = _UNITS.get(unit.rstrip("s"), unit if unit.endswith("s") else unit + "s")
    return relativedelta(**{unit: amount})


def parse_day(text: str, *, today: date) -> date:
    """A calendar day: ISO dates, "jan 10", "10 January 2027", weekday names, "tomorrow"."""
    norm = re.sub(r"\s+", " ", text.strip().lower())
    norm = re.sub(r"^(until|till|til|to|on)\s+", "", norm)
    if norm in ("today",):
        return today
    if norm == "tomorrow":
        return today + timedelta(days=1)
    words = norm.split(" ")
    if (
        len(words) in (1, 2)
        and words[-1] in _WEEKDAYS
        and (len(words) == 1 or words[0] in ("next", "this"))
    ):
        target = _WEEKDAYS.index(words[-1])
        ahead = (target - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if not re.search(r"\d", norm) and not any(m in norm for m in _MONTHS):
        raise BadDate("unparsed")
    try:
        parsed = date_parser.parse(norm, default=datetime(today.year, today.month, today.day))
    except (ValueError, OverflowError) as exc:
        raise BadDate("unparsed") from exc
    day = parsed.date()
    has_year = bool(re.search(r"\b\d{4}\b", norm))
    if not has_year and day < today:
        day = day.replace(year=day.year + 1)  # "jan 10" in November means next January
    return day


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_until(text: str, *, now: datetime, tz: tzinfo, max_days: int = 366) -> datetime:
    """When a pause given as a duration or an end date ends, as a UTC instant.

    A duration counts from now; a date means "until that day starts" in the person's zone.
    """
    local_now = now.astimezone(tz).replace(tzinfo=None)
    duration = parse_duration(text)
    if duration is not None:
        end_wall = local_now + duration
        if end_wall <= local_now:
            raise BadDate("past")
        end = localize(end_wall.replace(second=0, microsecond=0), tz)
    else:
        day = parse_day(text, today=local_now.date())
        if day <= local_now.date():
            raise BadDate("past")
        end = localize(datetime(day.year, day.month, day.day), tz)
    if end - now > timedelta(days=max_days):
        raise BadDate("too_far")
    return end


def parse_clock(text: str) -> str | None:
    """A wall-clock time as ``HH:MM`` ("9", "09:30", "9am", "5:30 pm", "24:00"), else None."""
    match = re.fullmatch(r"(\d{1,2})(?::?(\d{2}))?\s*(am|pm)?", text.strip().lower())
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour == 24 and minute == 0:
        return "24:00"
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
