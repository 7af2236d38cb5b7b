"""Reading a roster CSV and writing it: every row checked first, all errors reported by line
and column at once; nothing written when any row is invalid (unless invalid rows are to be
skipped); re-importing the same file changes nothing (people are matched on platform id).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Message, Section
from bot.roster.columns import COLUMNS, RosterRow, RowError, Say, check_row
from storage import pairs as pairs_db
from storage import roster as roster_db
from storage.models import Member, MemberStatus, Person, Program, Role

EXPORT_ONLY = ("status", "joined_at")  # written by export, read-only on import
PERSON_FIELDS = ("timezone", "languages", "availability", "quiet_start", "quiet_end", "team")
PERSON_SNAPSHOT = ("display_name", *PERSON_FIELDS)
MEMBER_FIELDS = {
    "skills": "skills_offered",
    "wants": "skills_wanted",
    "goals": "goals",
    "capacity": "capacity",
}
MEMBER_SNAPSHOT = ("role", *MEMBER_FIELDS.values())


@dataclass
class ImportReport:
    """What an import found and did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    welcomed: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _header(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def read_csv(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str], list[RowError]]:
    """(line, cells) per data row, the columns ignored, and problems with the file itself."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [], [RowError(0, "", f"Cannot read {path}: {exc}")]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [_header(h) for h in next(reader)]
    except StopIteration:
        return [], [], [RowError(1, "", "The file is empty: the first line must name the columns.")]
    if "platform_id" not in header and "email" not in header:
        return [], [], [RowError(1, "", "No platform_id or email column: say who each row is.")]
    ignored = [h for h in header if h and h not in COLUMNS and h not in EXPORT_ONLY]
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        rows.append((reader.line_num, {h: c for h, c in zip(header, cells, strict=False) if h}))
    return rows, ignored, []


def check_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    program: Program,
    say: Say,
    progress: Callable[[], None] = lambda: None,
) -> tuple[list[RosterRow], list[RowError]]:
    """Every row checked; the same person twice in a file is an error on the later line."""
    good: list[RosterRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        row, problems = check_row(line, cells, program, say)
        key = (row.platform_id or row.email) if row else ""
        if row and key in seen:
            problems = [RowError(line, "platform_id", f"Same person as line {seen[key]}.")]
            row = None
        if row:
            seen[key] = line
            good.append(row)
        errors += problems
        progress()
    return good, errors


def _snapshot(obj: Any, names: Iterable[str]) -> tuple[Any, ...] | None:
    return None if obj is None else tuple(getattr(obj, n) for n in names)


ROLE_LOCKED = (
    "Their role can't change while they are in an active pair: change it in chat, where the "
    "pair is asked about first."
)


@dataclass
class _Writer:
    """Applies checked rows to one program's people and memberships."""

    session: Session
    program: Program
    now: datetime
    people: dict[str, Person]
    members: dict[int, Member]
    paired: set[int]

    def person(self, row: RosterRow) -> tuple[Person, bool]:
        """The row's person, created (and flushed, for its id) when new."""
        person = self.people.get(row.platform_id)
        if person is not None:
            return person, False
        person = Person(
            platform=self.program.platform,
            platform_user_id=row.platform_id,
            display_name=row.name or row.platform_id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(person)
        self.session.flush()
        self.people[row.platform_id] = person
        return person, True

    def apply(self, row: RosterRow) -> tuple[str, Member | None, Person]:
        """Apply one row: created, updated, unchanged, or locked (a role change in a pair)."""
        assert self.program.id is not None
        person, created = self.person(row)
        assert person.id is not None
        member = self.members.get(person.id)
        if member is not None and member.role != row.role and member.id in self.paired:
            return "locked", None, person
        before = _snapshot(person, PERSON_SNAPSHOT), _snapshot(member, MEMBER_SNAPSHOT)
        if row.name:
            person.display_name = row.name
        for name in PERSON_FIELDS:
            if name in row.values:
                setattr(person, name, row.values[name])
        if "timezone" in row.values:
            person.timezone_source = "user"
        if member is None:
            member = Member(
                program_id=self.program.id,
                person_id=person.id,
                role=row.role,
                joined_at=self.now,
                status=MemberStatus.ACTIVE,
            )
            self.members[person.id] = member
            created = True
        member.role = row.role
        for column, attr in MEMBER_FIELDS.items():
            if column in row.values:
                setattr(member, attr, row.values[column])
        if member.role != Role.MENTOR:
            member.capacity = 1
        self.session.add(member)
        if created:
            return "created", member, person
        if before == (_snapshot(person, PERSON_SNAPSHOT), _snapshot(member, MEMBER_SNAPSHOT)):
            return "unchanged", member, person
        person.updated_at = self.now
        self.session.add(person)
        return "updated", member, person


def write_rows(
    session: Session,
    program: Program,
    rows: list[RosterRow],
    *,
    now: datetime,
    prompts: Prompts,
    welcome: bool,
    report: ImportReport,
    progress: Callable[[], None] = lambda: None,
) -> None:
    """Create or update each person and membership; new members get the welcome DM only
    when ``welcome`` is set.
    """
    assert program.id is not None
    active = pairs_db.active_pair_members(session=session, program_id=program.id)
    writer = _Writer(
        session,
        program,
        now,
        roster_db.people_by_id(
            session=session, platform=program.platform, user_ids=[r.platform_id for r in rows]
        ),
        roster_db.members_by_person(session=session, program_id=program.id),
        {m for ids in active.values() for m in ids},
    )
    welcomes: list[tuple[Member, Person]] = []
    for row in rows:
        outcome, member, person = writer.apply(row)
        if outcome == "locked":
            report.errors.append(RowError(row.line, "role", ROLE_LOCKED))
            report.skipped += 1
        elif outcome == "created" and member is not None:
            report.created += 1
            welcomes.append((member, person))
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        progress()
    session.flush()
    if welcome:
        report.welcomed = _welcome(session, program, welcomes, now=now, prompts=prompts)


def _welcome(
    session: Session,
    program: Program,
    members: list[tuple[Member, Person]],
    *,
    now: datetime,
    prompts: Prompts,
) -> int:
    """The same welcome DM ``join`` sends, once per member (dedupe keys as ``join``'s)."""
    items = []
    for member, person in members:
        steps = (
            "join.getting_started_mentor" if member.role == Role.MENTOR else "join.getting_started"
        )
        message = Message(
            (
                Section(
                    prompts.render(
                        "join.welcome_dm", name=person.display_name, program=program.name
                    )
                ),
                Section(prompts.render(steps)),
            )
        )
        target = Target(program.platform, program.workspace_id, "user", (person.platform_user_id,))
        items.append(Outgoing(f"welcome:{member.id}", target, now, message=message))
    return enqueue_many(session, items, now=now, program_id=program.id)
