"""What matching knows about a person, and their availability on real dates.

Availability windows are local wall times ("mon-fri 09:00-17:00"). To compare two people in
different zones they are laid onto the same real week in UTC, day by day with
:func:`bot.time.wall.localize`, so a daylight-saving change that week is counted correctly.
The week is a bitmap of 15-minute slots; the overlap of two people is a dot product.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.time.wall import localize
from bot.time.zones import get_zone

if TYPE_CHECKING:  # NumPy loads with matching, not at start
    import numpy as np

SLOT_MINUTES = 15
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES
DEFAULT_AVAILABILITY: list[dict[str, Any]] = [
    {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
]
_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "become",
        "better",
        "by",
        "can",
        "do",
        "for",
        "from",
        "get",
        "go",
        "good",
        "have",
        "how",
        "i",
        "im",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "learn",
        "learning",
        "like",
        "make",
        "more",
        "my",
        "of",
        "on",
        "or",
        "our",
        "out",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "this",
        "to",
        "up",
        "want",
        "we",
        "well",
        "what",
        "when",
        "with",
        "work",
        "would",
        "year",
        "years",
        "you",
        "your",
        "",
    )
)


def words(text: str) -> set[str]:
    """Meaningful lower-case words (3+ letters, no stopwords)."""
    return {w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if len(w) >= 3} - _STOPWORDS


def features(items: list[str]) -> set[str]:
    """A skill list as matchable features: each whole skill plus its meaningful words."""
    out: set[str] = set()
    for item in items:
        norm = " ".join(item.lower().split())
        if norm:
            out.add("=" + norm)
            out |= {"~" + w for w in words(norm)}
    return out


@dataclass
class Candidate:
    """One member as matching sees them."""

    member_id: int
    person_id: int
    name: str
    role: str
    platform_user_id: str
    timezone: str
    skills_offered: list[str] = field(default_factory=list)
    skills_wanted: list[str] = field(default_factory=list)
    goals: str = ""
    languages: list[str] = field(default_factory=list)
    availability: list[dict[str, Any]] = field(default_factory=list)
    team: str | None = None
    seniority: int | None = None
    capacity: int = 1
    priority: int = 0
    holiday_region: str | None = None  # "ES", "ES-MD": whose public holidays they keep
    locale: str | None = None  # the language they chose, and their platform's (intros)
    platform_locale: str | None = None

    @property
    def has_availability(self) -> bool:
        """Whether the person set their availability."""
        return bool(self.availability)

    def language_set(self) -> set[str]:
        """The person's languages, lower-cased."""
        return {lang.strip().lower() for lang in self.languages if lang.strip()}


def week_start(after: datetime) -> date:
    """The Monday of the first full week after ``after`` (the reference week)."""
    day = after.astimezone(UTC).date() + timedelta(days=1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def intervals(candidate: Candidate, start_day: date, days: int) -> list[tuple[datetime, datetime]]:
    """The person's availability as UTC intervals over ``days`` real days from ``start_day``."""
    tz = get_zone(candidate.timezone)
    windows = candidate.availability or DEFAULT_AVAILABILITY
    out: list[tuple[datetime, datetime]] = []
    # Start a day early: a window late on the previous local day can fall into the range.
    for offset in range(-1, days + 1):
        day = start_day + timedelta(days=offset)
        for window in windows:
            if day.weekday() not in window["days"]:
                continue
            base = datetime.combine(day, time())  # local midnight, a wall time
            begin = localize(base + timedelta(minutes=_minutes(window["start"])), tz)
            end = localize(base + timedelta(minutes=_minutes(window["end"])), tz)
            if end > begin:
                out.append((begin, end))
    return out


def week_bitmap(candidate: Candidate, start_day: date) -> np.ndarray:
    """A bool array of the 15-minute UTC slots of the reference week the person is free in."""
    import numpy as np

    bitmap = np.zeros(SLOTS_PER_WEEK, dtype=bool)
    origin = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC)
    step = timedelta(minutes=SLOT_MINUTES)
    for begin, end in intervals(candidate, start_day, 7):
        first = max(0, math.ceil((begin - origin) / step))  # slots fully inside the window
        last = min(SLOTS_PER_WEEK, math.floor((end - origin) / step))
        if last > first:
            bitmap[first:last] = True
    return bitmap
