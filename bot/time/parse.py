"""Parsing what people type for dates and durations ("2 weeks", "until 2027-01-10", "friday")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

from bot.i18n.cldr import month_names, relative_days, weekday_names
from bot.i18n.locales import BASE
from bot.time.wall import localize

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
    "hour": "hours",
    "h": "hours",
    "hr": "hours",
    "fortnight": "fortnights",
}
_DURATION = re.compile(
    r"^(?:for\s+)?(\d+|[a-z]+)(?:\s+of)?\s*"
    r"(days?|weeks?|months?|years?|hours?|hrs?|fortnights?|d|w|wks?|mo|yrs?|y|h)$"
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
    if unit == "fortnights":
        unit, amount = "weeks", amount * 2
    return relativedelta(**{unit: amount})


@dataclass(frozen=True)
class Reading:
    """A day read from what someone typed, and whether it could have meant another day (so
    the reply should say how it was read).
    """

    day: date
    ambiguous: bool = False

    def words(self) -> str:
        """The day in words, e.g. "Friday 13 August 2027"."""
        return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"


_MONTH_NAMES = {
    m: i + 1
    for i, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        )
    )
    for m in names
}  # fmt: skip
_DAY_ABBREVIATIONS = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
    "sat": 5, "sun": 6,
}  # fmt: skip
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|\.|º)?$")  # "31.": German
_FILLERS = ("of", "the", "de", "del", "der", "le")  # "31 de marzo", "le 31 mars"
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\.?$")


def _weekday(word: str, locale: str = BASE) -> int | None:
    if word in _WEEKDAYS:
        return _WEEKDAYS.index(word)
    if word in _DAY_ABBREVIATIONS:
        return _DAY_ABBREVIATIONS[word]
    return weekday_names(locale).get(word) if locale != BASE else None


def _month(word: str, locale: str = BASE) -> int | None:
    if word in _MONTH_NAMES:
        return _MONTH_NAMES[word]
    return month_names(locale).get(word) if locale != BASE else None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_yearly(month: int, day: int, today: date) -> date | None:
    """The next ``day`` of ``month`` on or after today (29 February: the next leap year)."""
    for year in range(today.year, today.year + 9):
        found = _make(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _next_monthly(day: int, today: date, weekday: int | None = None) -> date | None:
    """The next ``day`` of a month on or after today (that is a ``weekday``, if given)."""
    year, month = today.year, today.month
    for _ in range(12 * 30 if weekday is not None else 14):
        found = _make(year, month, day)
        if found is not None and found >= today and (weekday is None or found.weekday() == weekday):
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _numeric(match: re.Match[str], today: date, day_first: bool) -> Reading:
    """``31/12``, ``10/11/2027``, ``2027/3/31``, ``31.12.``: day-first unless configured
    otherwise; a reading that could go either way is marked ambiguous.
    """
    a, b, c = match.group(1), match.group(2), match.group(3)
    if len(a) == 4:  # year first: ISO order, never ambiguous
        found = _make(int(a), int(b), int(c or 0)) if c else None
        if found is None:
            raise BadDate("unparsed")
        return Reading(found)
    first, second = int(a), int(b)
    orders = [(first, second), (second, first)] if day_first else [(second, first), (first, second)]
    valid = [(d, m) for d, m in orders if 1 <= m <= 12 and 1 <= d <= 31]
    if not valid:
        raise BadDate("unparsed")
    day, month = valid[0]
    ambiguous = len(valid) == 2 and first != second
    if c:
        year = int(c) + (2000 if len(c) == 2 else 0)
        found = _make(year, month, day)
    else:
        found = _next_yearly(month, day, today)
    if found is None:
        raise BadDate("unparsed")
    return Reading(found, ambiguous)


def _relative(norm: str, today: date, locale: str = BASE) -> date | None:
    """today, tomorrow, weekdays (next/this), durations ("in 2 weeks", "a fortnight"); also
    ``locale``'s words for near days ("mañana", "ayer": a past day stays past) and weekdays.
    """
    if norm == "now":
        return today
    near = relative_days(locale).get(norm)
    if near is not None:
        return today + timedelta(days=near)
    words = norm.split(" ")
    if len(words) in (1, 2) and (len(words) == 1 or words[0] in ("next", "this", "on")):
        target = _weekday(words[-1], locale)
        if target is not None:
            return today + timedelta(days=(target - today.weekday()) % 7 or 7)
    if norm in ("next week",):
        return today + timedelta(days=7)
    if norm in ("next month",):
        return today + relativedelta(months=1)
    duration = parse_duration(norm.removeprefix("in ").removeprefix("within "))
    if duration is not None and not duration.hours and not duration.minutes:
        return today + duration
    return None


def _worded(norm: str, today: date, locale: str = BASE) -> Reading | None:
    """Dates with a month name or a weekday and a day: "31 March", "mar 31st 2027",
    "1st of may", "friday 13", "fri 13 august", a bare day "5" or "5th"; in English or in
    ``locale``'s words (Babel's names: "31 de marzo", "31. März", "mardi 9 mars").
    """
    words = [w for w in re.split(r"[\s,]+", norm) if w and w not in _FILLERS]
    weekdays = [_weekday(w, locale) for w in words]
    weekday = next((d for d in weekdays if d is not None), None)
    words = [w for w, d in zip(words, weekdays, strict=True) if d is None]
    months = [m for m in (_month(w, locale) for w in words) if m is not None]
    numbers = [w for w in words if _month(w, locale) is None]
    if (
        len(months) > 1
        or not numbers
        or not all(_ORDINAL.match(n) or re.fullmatch(r"\d{4}", n) for n in numbers)
    ):
        return None
    days = [int(_ORDINAL.match(n).group(1)) for n in numbers if _ORDINAL.match(n)]  # type: ignore[union-attr]
    years = [int(n) for n in numbers if re.fullmatch(r"\d{4}", n)]
    if len(days) != 1 or len(years) > 1 or not 1 <= days[0] <= 31:
        raise BadDate("unparsed")
    day = days[0]
    if months:
        found = _make(years[0], months[0], day) if years else _next_yearly(months[0], day, today)
        if found is not None and weekday is not None and found.weekday() != weekday:
            raise BadDate("weekday_mismatch")
    elif years:
        return None
    else:
        found = _next_monthly(day, today, weekday)
    if found is None:
        raise BadDate("unparsed")
    return Reading(found)


def read_day(text: str, *, today: date, day_first: bool = True, locale: str = BASE) -> Reading:
    """The one reader of every calendar day people type: ISO (``2027-03-31``), numeric
    (``31/12``, ``10/11/27``: day-first unless ``day_first`` is off, and marked ambiguous
    when both orders are real days), words (``31 March``, ``mar 31st``, ``friday 13``, a bare
    ``5`` for the next 5th), weekdays (``fri``, ``next monday``), ``today``/``tomorrow`` and
    durations (``in 2 weeks``, ``a fortnight``). A date without a year is the next one.
    Month and weekday names may also be ``locale``'s.
    """
    norm = re.sub(r"\s+", " ", text.strip().lower())
    norm = re.sub(r"^(until|till|til|to|on|by)\s+", "", norm)
    if not norm:
        raise BadDate("unparsed")
    try:
        return Reading(date.fromisoformat(norm))
    except ValueError:
        pass
    numeric = _NUMERIC.match(norm)
    if numeric:
        return _numeric(numeric, today, day_first)
    relative = _relative(norm, today, locale)
    if relative is not None:
        return Reading(relative)
    worded = _worded(norm, today, locale)
    if worded is not None:
        return worded
    raise BadDate("unparsed")


def parse_day(text: str, *, today: date, day_first: bool = True, locale: str = BASE) -> date:
    """A calendar day (see :func:`read_day`)."""
    return read_day(text, today=today, day_first=day_first, locale=locale).day


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Until:
    """When a pause ends (UTC), and how a typed date was read (None for a duration)."""

    at: datetime
    reading: Reading | None = None


def parse_until(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    max_days: int = 366,
    day_first: bool = True,
    locale: str = BASE,
) -> Until:
    """When a pause given as a duration ("2 weeks", "in 3 days", "3 hours", "a fortnight")
    or an end date ends. A duration counts from now; a date means "until that day starts" in
    the person's zone.
    """
    local_now = now.astimezone(tz).replace(tzinfo=None)
    norm = re.sub(r"\s+", " ", text.strip().lower())
    duration = parse_duration(re.sub(r"^(?:in|for|within)\s+", "", norm))
    reading = None
    if duration is not None:
        end_wall = local_now + duration
        if end_wall <= local_now:
            raise BadDate("past")
        end = localize(end_wall.replace(second=0, microsecond=0), tz)
    else:
        reading = read_day(text, today=local_now.date(), day_first=day_first, locale=locale)
        day = reading.day
        if day <= local_now.date():
            raise BadDate("past")
        end = localize(datetime.combine(day, time()), tz)
    if end - now > timedelta(days=max_days):
        raise BadDate("too_far")
    return Until(end, reading)


def parse_clock(text: str) -> str | None:
    """A wall-clock time as ``HH:MM`` ("9", "09:30", "9am", "5:30 pm", "24:00", and as
    French, Portuguese and German write it: "10h", "10h30", "17 h", "17 Uhr"), else None.
    """
    match = re.fullmatch(r"(\d{1,2})(?:(?::|h\s*)?(\d{2}))?\s*(am|pm|h|uhr)?", text.strip().lower())
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if meridiem in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour == 24 and minute == 0:
        return "24:00"
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
