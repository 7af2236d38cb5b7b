"""The roster's CSV columns, and one row checked with the same rules (and the same messages)
as the chat commands.

A row names a person by ``platform_id`` or, on Slack, by ``email``; every other column is
optional. Lists (skills, wants, languages) are separated by ``;`` or ``,``; availability is
written as in chat (``mon-fri 09:00-17:00; sat 10-12``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import UserError
from bot.membership.commands import check_role
from bot.profile.fields import (
    parse_availability,
    parse_capacity,
    parse_list,
    parse_quiet,
    zone_error,
)
from bot.time.zones import UnknownTimezone, parse_timezone
from storage.models import MemberStatus, Program, Role
from storage.personal import is_forgotten_id

COLUMNS = (
    "platform_id",
    "email",
    "name",
    "role",
    "timezone",
    "skills",
    "wants",
    "goals",
    "languages",
    "team",
    "capacity",
    "availability",
    "quiet",
)
MAX_NAME = 200
MAX_GOALS = 1000
MAX_TEAM = 100


@dataclass
class RosterRow:
    """One checked row: the person and their membership as they should be stored."""

    line: int
    platform_id: str
    email: str = ""
    name: str = ""
    role: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # only the columns given
    left: bool = False  # the status column says "left", or it is a forgotten placeholder


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell (``column`` empty: the row as a whole)."""

    line: int
    column: str
    message: str


Say = Callable[[UserError], str]


def _check(column: str, raw: str, program: Program) -> dict[str, Any]:
    """The stored values one non-empty cell stands for (raises UserError)."""
    if column == "timezone":
        try:
            return {"timezone": parse_timezone(raw).key}
        except UnknownTimezone as exc:
            raise zone_error(exc) from None
    if column in ("skills", "wants", "languages"):
        return {column: parse_list(raw)}
    if column == "availability":
        return {"availability": parse_availability(raw)}
    if column == "quiet":
        start, end = parse_quiet(raw)
        return {"quiet_start": start, "quiet_end": end}
    if column == "capacity":
        return {"capacity": parse_capacity(raw)}
    if column == "goals":
        if len(raw) > MAX_GOALS:
            raise UserError("error.too_long", limit=MAX_GOALS)
        return {"goals": raw}
    if column == "team":
        if len(raw) > MAX_TEAM:
            raise UserError("error.too_long", limit=MAX_TEAM)
        return {"team": raw}
    if column == "name":
        if len(raw) > MAX_NAME:
            raise UserError("error.too_long", limit=MAX_NAME)
        return {"name": raw}
    if column == "role":
        return {"role": check_role(program, raw.lower())}
    return {}


def check_row(
    line: int, cells: dict[str, str], program: Program, say: Say
) -> tuple[RosterRow | None, list[RowError]]:
    """A CSV row (column -> text) as a roster row, or every error it has."""
    errors: list[RowError] = []
    platform_id = cells.get("platform_id", "").strip()
    email = cells.get("email", "").strip().lower()
    if not platform_id and not email:
        errors.append(RowError(line, "platform_id", "Give the person's platform id or email."))
    if email and ("@" not in email or len(email) > 254):
        errors.append(RowError(line, "email", f'"{email}" is not an email address.'))
    values: dict[str, Any] = {}
    for column in COLUMNS[2:]:
        raw = cells.get(column, "").strip()
        if not raw:
            continue
        try:
            values.update(_check(column, raw, program))
        except UserError as exc:
            errors.append(RowError(line, column, say(exc)))
    role = values.pop("role", "")
    if not role and program.kind == "peer":
        role = Role.PEER.value
    if not role and not cells.get("role", "").strip():
        errors.append(RowError(line, "role", "Every row needs a role: mentor or mentee."))
    if "capacity" in values and role and role != Role.MENTOR:
        errors.append(RowError(line, "capacity", say(UserError("profile.capacity_not_mentor"))))
    if errors:
        return None, errors
    name = values.pop("name", "")
    left = cells.get("status", "").strip().lower() == MemberStatus.LEFT
    left = left or is_forgotten_id(platform_id)
    return RosterRow(line, platform_id, email, name, role, values, left), []
