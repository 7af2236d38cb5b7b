"""Profile fields: their names, aliases, and how typed values are checked and stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.errors import UserError
from bot.spans import Text
from bot.time.parse import parse_clock
from bot.time.zones import AmbiguousTimezone, UnknownTimezone

MAX_LIST_ITEMS = 20
MAX_ITEM_LENGTH = 60
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekday": (0, 1, 2, 3, 4),
    "workdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "every day": tuple(range(7)),
    "any day": tuple(range(7)),
}


@dataclass(frozen=True)
class ProfileField:
    """A profile field: its name, aliases, and whether it is the person's or the membership's."""

    name: str
    aliases: tuple[str, ...]
    on_person: bool  # True: Person (shared across programs); False: Member


FIELDS: tuple[ProfileField, ...] = (
    ProfileField("role", (), False),
    ProfileField("skills", ("offers", "offered", "skills_offered", "expertise"), False),
    ProfileField("wants", ("wanted", "skills_wanted", "learn", "interests"), False),
    ProfileField("goals", ("goal",), False),
    ProfileField("languages", ("language", "lang", "langs"), True),
    ProfileField("timezone", ("tz", "zone", "time_zone"), True),
    ProfileField("country", ("holidays", "region"), True),
    ProfileField("availability", ("available", "hours", "times"), True),
    ProfileField("quiet", ("quiet_hours", "dnd"), True),
    ProfileField("capacity", ("cap", "mentees"), False),
    ProfileField("team", ("department", "dept"), True),
)
_BY_NAME = {alias: f for f in FIELDS for alias in (f.name, *f.aliases)}


def resolve_field(name: str) -> ProfileField | None:
    """The field called ``name`` (or one of its aliases)."""
    return _BY_NAME.get(name.lower().replace("-", "_"))


def field_names() -> list[str]:
    """The names of the profile fields, in order."""
    return [f.name for f in FIELDS]


def parse_list(text: str) -> list[str]:
    """``"python, public speaking; sql"`` -> ``["python", "public speaking", "sql"]``."""
    items: list[str] = []
    seen: set[str] = set()
    for raw in re.split(r"[,;\n]", text):
        item = re.sub(r"\s+", " ", raw).strip()
        if not item:
            continue
        if len(item) > MAX_ITEM_LENGTH:
            raise UserError("profile.item_too_long", limit=MAX_ITEM_LENGTH)
        if item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    if len(items) > MAX_LIST_ITEMS:
        raise UserError("profile.too_many_items", limit=MAX_LIST_ITEMS)
    return items


def _parse_days(text: str) -> tuple[int, ...] | None:
    text = re.sub(r"\s+", " ", text.strip().lower())
    if text in _DAY_GROUPS:
        return _DAY_GROUPS[text]
    days: list[int] = []
    for chunk in re.split(r"\s*,\s*|\s+", text):
        if not chunk:
            continue
        if "-" in chunk:
            a, _, b = chunk.partition("-")
            start, end = _day_index(a), _day_index(b)
            if start is None or end is None:
                return None
            span = [(start + i) % 7 for i in range((end - start) % 7 + 1)]
            days.extend(span)
        else:
            index = _day_index(chunk)
            if index is None:
                return None
            days.append(index)
    return tuple(sorted(set(days))) or None


def _day_index(word: str) -> int | None:
    word = word.strip()[:3]
    return DAY_NAMES.index(word) if word in DAY_NAMES else None


_WINDOW = re.compile(
    r"^(?P<days>.*?)\s*(?P<start>\d{1,2}(?::?\d{2})?\s*(?:am|pm)?)\s*(?:-|–|to)\s*"
    r"(?P<end>\d{1,2}(?::?\d{2})?\s*(?:am|pm)?)$"
)


def parse_availability(text: str) -> list[dict[str, Any]]:
    """``"mon-fri 09:00-17:00; sat 10-12"`` -> windows of local days and times.

    Windows are separated by ``;`` (or `` and ``); a window without days means every weekday.
    """
    windows: list[dict[str, Any]] = []
    for chunk in re.split(r";|\band\b|\n", text.lower()):
        chunk = chunk.strip().strip(",")
        if not chunk:
            continue
        match = _WINDOW.match(chunk)
        if not match:
            raise UserError("profile.bad_availability")
        days_text = match.group("days").strip().strip(",")
        days = _parse_days(days_text) if days_text else _DAY_GROUPS["weekdays"]
        start, end = parse_clock(match.group("start")), parse_clock(match.group("end"))
        if days is None or start is None or end is None:
            raise UserError("profile.bad_availability")
        if end <= start:
            raise UserError("profile.availability_order")
        windows.append({"days": list(days), "start": start, "end": end})
    if not windows:
        raise UserError("profile.bad_availability")
    if len(windows) > 14:
        raise UserError("profile.too_many_items", limit=14)
    return windows


def describe_availability(windows: list[dict[str, Any]]) -> str:
    """Windows back to the short form people type."""
    parts = []
    for w in windows:
        days = w["days"]
        if list(days) == [0, 1, 2, 3, 4]:
            label = "mon-fri"
        elif list(days) == list(range(7)):
            label = "daily"
        elif list(days) == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            label = f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
        else:
            label = ",".join(DAY_NAMES[d] for d in days)
        parts.append(f"{label} {w['start']}-{w['end']}")
    return "; ".join(parts)


def parse_quiet(text: str) -> tuple[str, str]:
    """``"22:00-08:00"`` -> quiet hours (may cross midnight)."""
    match = re.fullmatch(
        r"\s*(\d{1,2}(?::?\d{2})?\s*(?:am|pm)?)\s*(?:-|–|to)\s*(\d{1,2}(?::?\d{2})?\s*(?:am|pm)?)\s*",
        text.lower(),
    )
    if not match:
        raise UserError("profile.bad_quiet")
    start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
    if start is None or end is None or start == end:
        raise UserError("profile.bad_quiet")
    return start, end


def parse_capacity(text: str) -> int:
    """A mentor's capacity: a whole number from 1 to 10."""
    if not text.strip().isdigit() or not 1 <= int(text) <= 10:
        raise UserError("profile.bad_capacity")
    return int(text)


def zone_error(exc: UnknownTimezone) -> UserError:
    """An unknown zone as the friendly error, with suggestions when there are some (for an
    ambiguous one, the zones it could mean).
    """
    if isinstance(exc, AmbiguousTimezone):
        options = "; ".join(f"{label} ({key})" for label, key in exc.options)
        return UserError("timezone.ambiguous", text=exc.text, options=Text.user(options))
    if exc.suggestions:
        return UserError(
            "timezone.unknown", text=exc.text, suggestions=Text.user(" or ".join(exc.suggestions))
        )
    return UserError("timezone.unknown_no_suggestions", text=exc.text)
