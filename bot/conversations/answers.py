"""Reading one typed answer for one step, and the coaching checks for goals.

``parse`` turns what someone typed into the stored value (text, a choice value, a list of
values, an ISO date, an int, a bool) or raises :class:`Invalid` with the prompt key of a
friendly re-ask. Coaching checks never reject an answer; they only decide whether a
follow-up question is worth asking once.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from bot.conversations.scripts import Step
from bot.time.parse import BadDate, parse_day, parse_duration

YES = frozenset({"yes", "y", "yeah", "yep", "sure", "ok", "okay", "true", "1"})
NO = frozenset({"no", "n", "nope", "nah", "false", "0"})
MAX_GOAL_DAYS = 366


class Invalid(ValueError):
    """An answer that does not fit the step; ``key`` is the re-ask prompt."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _match_choice(step: Step, word: str) -> str | None:
    word = word.strip().strip(".").lower()
    if not word:
        return None
    if word.isdigit() and 1 <= int(word) <= len(step.choices):
        return step.choices[int(word) - 1][0]
    for value, label in step.choices:
        if word in (value, label.lower()):
            return value
    starts = [value for value, label in step.choices if label.lower().startswith(word)]
    return starts[0] if len(starts) == 1 else None


def _words(text: str) -> str:
    return " ".join(text.lower().strip(" .!").split())


def scale_words(step: Step) -> dict[str, int]:
    """The words of a scale's legend and the number each means: its ``points`` (1 to 5) and
    its ``low`` and ``high`` ends, as the script words them (so any language works).
    """
    words = {_words(word): n for n, word in ((1, step.low), (5, step.high)) if word}
    words.update({_words(word): n for n, word in enumerate(step.points, 1)})
    return words


def parse(step: Step, text: str, *, today: date, day_first: bool = True, locale: str = "en") -> Any:
    """The stored value for ``text``, None for an empty optional answer, or :class:`Invalid`."""
    text = text.strip()
    if not text:
        if step.optional:
            return None
        raise Invalid("conv.invalid.empty")
    if len(text) > step.max_length:
        raise Invalid("conv.invalid.too_long", limit=step.max_length)
    kind = step.kind
    if kind == "text":
        return text
    if kind == "choice":
        value = _match_choice(step, text)
        if value is None:
            raise Invalid("conv.invalid.choice")
        return value
    if kind == "multi":
        words = [w for w in re.split(r"\s*(?:,|;|\band\b|&)\s*", text) if w.strip()]
        values: list[str] = []
        for word in words:
            value = _match_choice(step, word)
            if value is None:
                raise Invalid("conv.invalid.multi", answer=word)
            if value not in values:
                values.append(value)
        return values
    if kind == "yesno":
        word = text.lower().strip(".! ")
        if word in YES:
            return True
        if word in NO:
            return False
        raise Invalid("conv.invalid.yesno")
    if kind == "scale":
        match = re.match(r"^\s*([1-5])\s*(?:/\s*5)?\b", text)
        number = int(match.group(1)) if match else scale_words(step).get(_words(text))
        if number is None:
            raise Invalid("conv.invalid.scale")
        return number
    if kind == "number":
        match = re.fullmatch(r"\s*(-?\d{1,6})\s*%?\s*", text)
        if not match or not step.min <= int(match.group(1)) <= step.max:
            raise Invalid("conv.invalid.number", min=step.min, max=step.max)
        return int(match.group(1))
    if kind == "date":
        return parse_goal_date(text, today=today, day_first=day_first, locale=locale).isoformat()
    raise AssertionError(f"unknown step kind {kind}")


_END_OF = re.compile(r"^(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(.+)$")
_IN = re.compile(r"^(?:by\s+|within\s+)?in\s+(.+)$|^within\s+(.+)$")


def parse_goal_date(text: str, *, today: date, day_first: bool = True, locale: str = "en") -> date:
    """A deadline: ISO and written dates, "in 8 weeks", "end of March", "end of the year"."""
    norm = re.sub(r"\s+", " ", text.strip().lower()).removeprefix("by ").strip()
    if norm in ("yesterday", "today", "now", "last week", "last month"):
        raise Invalid("conv.invalid.date_past", today=today.isoformat())
    end = _END_OF.match(norm)
    if end:
        what = end.group(1)
        if what in ("month", "this month"):
            day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        elif what in ("year", "this year"):
            day = date(today.year, 12, 31)
        elif what in ("next month",):
            nxt = today + relativedelta(months=1)
            day = nxt.replace(day=calendar.monthrange(nxt.year, nxt.month)[1])
        else:
            try:
                start = parse_day(f"1 {what}", today=today.replace(day=1))
            except BadDate:
                raise Invalid("conv.invalid.date") from None
            day = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    else:
        within = _IN.match(norm)
        duration = parse_duration(next(g for g in within.groups() if g)) if within else None
        duration = duration or parse_duration(norm)
        if duration is not None:
            day = today + duration
        else:
            try:
                day = parse_day(norm, today=today, day_first=day_first, locale=locale)
            except BadDate:
                raise Invalid("conv.invalid.date") from None
    if day <= today:
        raise Invalid("conv.invalid.date_past", today=today.isoformat())
    return day


# -- coaching ----------------------------------------------------------------------------------
_VAGUE = re.compile(
    r"^(?:i\s+want\s+to\s+|i'?d\s+like\s+to\s+|to\s+)?"
    r"(?:get|be|become)\s+(?:better|good|more\s+\w+|stronger)\b"
    r"|^(?:i\s+want\s+to\s+|to\s+)?(?:improve|learn\s+more|work\s+on|grow|develop|understand)\b"
)
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|"
    r"first|second|third|every|each|weekly|daily|monthly|all)\b"
)
_OBSERVABLE = re.compile(
    r"\b(?:ship|shipped|publish|published|present|presented|give|gave|deliver|delivered|"
    r"launch|launched|pass|passed|complete|completed|finish|finished|merge|merged|lead|led|"
    r"run|ran|write|wrote|written|build|built|release|released|certif\w*|demo\w*|talk|"
    r"offer|promotion|promoted|review\w*|approved|accepted|sign[- ]?off)\b"
)


def needs_coaching(check: str, value: Any, *, today: date) -> str | None:
    """The coaching question to ask for ``value`` under ``check``, or None if it is fine."""
    if value is None:
        return None
    if check == "specific":
        text = str(value).strip().lower()
        vague = bool(_VAGUE.search(text)) and not re.search(r"\d", text)
        return "specific" if vague or len(text.split()) < 3 else None
    if check == "measurable":
        text = str(value).lower()
        if re.search(r"\d", text) or _NUMBER_WORDS.search(text) or _OBSERVABLE.search(text):
            return None
        return "measurable"
    if check == "date_window":
        day = date.fromisoformat(str(value))
        return "date_far" if day - today > timedelta(days=MAX_GOAL_DAYS) else None
    raise AssertionError(f"unknown coaching {check}")
