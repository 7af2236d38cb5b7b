"""What an admin asks for: the announcement's text, audience, channel and/or DMs, and when.

Arguments (``admin announce --to mentors --at monday 09:00 Text...``) and the form end in the
same :class:`Draft`; every check lives here, so both give the same friendly errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from bot.errors import FormInvalid, UserError
from bot.spans import Text
from bot.time.parse import BadDate, parse_clock, parse_day

MAX_TEXT = 3000  # a Slack section holds 3,000 characters; Discord's embed 4,096
MAX_DAYS_AHEAD = 366
MODES = ("dm", "channel", "both")
FORM_AUDIENCES = ("everyone", "everyone_paused", "mentors", "mentees", "peers", "unmatched")
# Mass mentions: Slack's <!here|...> forms and the words people type on either platform.
PING = re.compile(
    r"<!(?:channel|here|everyone)(?:\|[^>]*)?>|(?<![\w@])@(?:here|everyone|channel)\b", re.I
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Draft:
    """An announcement as asked for, checked."""

    text: str
    audience: str = "everyone"
    include_paused: bool = False
    pair_ids: tuple[int, ...] = ()
    mode: str = "dm"
    local_day: date | None = None
    local_time: str | None = None  # "HH:MM"; with local_day None: now
    allow_ping: bool = False

    @property
    def now(self) -> bool:
        """Whether it goes out at once rather than at a local time."""
        return self.local_day is None

    def pings(self) -> bool:
        """Whether the text mentions everyone / here / the channel."""
        return bool(PING.search(self.text))


def clean_text(text: str) -> str:
    """The admin's text with control characters removed; refused when empty or too long."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    if not text:
        raise UserError("announce.empty")
    if len(text) > MAX_TEXT:
        raise UserError(
            "announce.too_long",
            limit=Text.trusted(f"{MAX_TEXT:,}"),
            length=Text.trusted(f"{len(text):,}"),
        )
    return text


def parse_when(
    text: str, *, now: datetime, tz: tzinfo, default_time: str, day_first: bool = True
) -> tuple[date | None, str | None]:
    """``now`` (or nothing) -> (None, None); ``monday 09:00``, ``tomorrow``, ``2027-01-04 8am``,
    ``17:30`` (today) -> (day, "HH:MM"), a wall time applied in each person's zone.
    """
    norm = re.sub(r"\s+", " ", text.strip().lower())
    if norm in ("", "now", "right away", "immediately"):
        return None, None
    today = now.astimezone(tz).date()
    words = norm.split(" ")
    clock = None
    for n in (2, 1):  # "5:30 pm" is two words, "17:30" one
        if len(words) >= n and (found := parse_clock(" ".join(words[-n:]))) is not None:
            clock, words = found, words[:-n]
            break
    if clock == "24:00":
        raise UserError("announce.bad_when", text=text)
    day_text = " ".join(w for w in words if w not in ("at", "on"))
    try:
        day = parse_day(day_text, today=today, day_first=day_first) if day_text else today
    except BadDate:
        raise UserError("announce.bad_when", text=text) from None
    if day < today:
        raise UserError("announce.when_past", text=text)
    if day - today > timedelta(days=MAX_DAYS_AHEAD):
        raise UserError("announce.when_too_far", text=text)
    return day, clock or default_time


def _choice(value: str, allowed: tuple[str, ...], key: str) -> str:
    norm = value.strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {
        "dms": "dm",
        "direct": "dm",
        "all": "everyone",
        "mentor": "mentors",
        "mentee": "mentees",
        "peer": "peers",
        "post": "channel",
    }
    norm = aliases.get(norm, norm)
    if norm not in allowed:
        raise UserError(key, value=value, allowed=Text.trusted(", ".join(allowed)))
    return norm


def _pair_ids(text: str) -> tuple[int, ...]:
    ids = [w.lstrip("#") for w in re.split(r"[\s,]+", text.strip()) if w]
    if not ids or not all(i.isdigit() for i in ids):
        raise UserError("announce.bad_pairs", value=text)
    return tuple(sorted({int(i) for i in ids}))


AUDIENCES_ARG = ("everyone", "mentors", "mentees", "peers", "unmatched")


def from_args(
    args: list[str], *, now: datetime, tz: tzinfo, default_time: str, day_first: bool = True
) -> Draft:
    """``--to AUDIENCE --via dm|channel|both --at WHEN --pairs 3,7 --paused --ping TEXT...``."""
    words: list[str] = []
    fields: dict[str, Any] = {}
    when = ""
    i = 0
    while i < len(args):
        word, flag = args[i], args[i].lower()
        value = args[i + 1] if i + 1 < len(args) else None
        if flag in ("--to", "--via", "--at", "--pairs"):
            if value is None:
                raise UserError("announce.usage")
            i += 1
        if flag == "--to":
            fields["audience"] = _choice(value or "", AUDIENCES_ARG, "announce.bad_audience")
        elif flag == "--via":
            fields["mode"] = _choice(value or "", MODES, "announce.bad_mode")
        elif flag == "--pairs":
            fields["audience"], fields["pair_ids"] = "pairs", _pair_ids(value or "")
        elif flag == "--at":
            when = value or ""
            # "--at monday 09:00": the time may follow the day as its own word.
            if i + 1 < len(args) and parse_clock(args[i + 1]) is not None:
                when, i = f"{when} {args[i + 1]}", i + 1
        elif flag in ("--paused", "--ping"):
            fields["include_paused" if flag == "--paused" else "allow_ping"] = True
        elif flag.startswith("--"):
            raise UserError("announce.unknown_option", option=word)
        else:
            words.append(word)
        i += 1
    day, clock = parse_when(when, now=now, tz=tz, default_time=default_time, day_first=day_first)
    return Draft(clean_text(" ".join(words)), local_day=day, local_time=clock, **fields)


def from_form(
    values: dict[str, str],
    *,
    now: datetime,
    tz: tzinfo,
    default_time: str,
    say: Callable[[UserError], str],
    day_first: bool = True,
) -> Draft:
    """The form's values as a draft; every problem is shown beside its field at once."""

    def when(v: str) -> dict[str, Any]:
        day, clock = parse_when(v, now=now, tz=tz, default_time=default_time, day_first=day_first)
        return {"local_day": day, "local_time": clock}

    checks: dict[str, Callable[[str], dict[str, Any]]] = {
        "text": lambda v: {"text": clean_text(v)},
        "audience": _audience,
        "mode": lambda v: {"mode": _choice(v or "dm", MODES, "announce.bad_mode")},
        "when": when,
        "ping": lambda v: {"allow_ping": v.strip().lower() in ("yes", "y", "true", "1", "allow")},
    }
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, check in checks.items():
        try:
            out.update(check(values.get(name, "")))
        except UserError as exc:
            errors[name] = say(exc)
    if errors:
        raise FormInvalid(errors, retry="admin announce")
    return Draft(**out)


def _audience(value: str) -> dict[str, Any]:
    audience = _choice(value or "everyone", FORM_AUDIENCES, "announce.bad_audience")
    if audience == "everyone_paused":
        return {"audience": "everyone", "include_paused": True}
    return {"audience": audience}
