"""Reading a roster CSV and writing it: every row checked first, all errors reported by line
and column at once; nothing written when any row is invalid (unless invalid rows are to be
skipped); re-importing the same file changes nothing (people are matched on platform id).
"""

from __future__ import annotations

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
from bot.spreadsheet import read_rows
from storage import pairs as pairs_db
from storage import repo
from storage import roster as roster_db
from storage.bulk import insert_ignoring_conflicts
from storage.models import Member, MemberStatus, Person, Program, Role
from storage.personal import is_forgotten_id

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
    left: int = 0  # rows of people who left (or were forgotten) and are not members: skipped
    welcomed: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _header(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _unreadable(exc: OSError | UnicodeDecodeError) -> str:
    """Why a file can't be read, in words (line 0: the file as a whole)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, UnicodeDecodeError):
        return 'it is not UTF-8 text (save it as "CSV UTF-8")'
    return exc.strerror or str(exc)


def read_csv(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str], list[RowError]]:
    """(line, cells) per data row, the columns ignored, and problems with the file itself."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # CR inside a cell stays
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [], [RowError(0, "", f"Cannot read {path}: {_unreadable(exc)}")]
    reader = read_rows(text)
    try:
        header = [_header(h) for h in next(reader)[1]]
    except StopIteration:
        return [], [], [RowError(1, "", "The file is empty: the first line must name the columns.")]
    if "platform_id" not in header and "email" not in header:
        return [], [], [RowError(1, "", "No platform_id or email column: say who each row is.")]
    ignored = [h for h in header if h and h not in COLUMNS and h not in EXPORT_ONLY]
    rows = []
    for line, cells in reader:
        if not any(c.strip() for c in cells):
            continue
        rows.append((line, {h: c for h, c in zip(header, cells, strict=False) if h}))
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
    batch: str | None = None  # the intake batch new members are recorded with

    def gone(self, row: RosterRow) -> bool:
        """Whether the row is someone who left and is no member here (never made an active
        member again), or a forgotten person's placeholder (never written to at all).
        """
        person = self.people.get(row.platform_id)
        member = person is not None and person.id in self.members
        return is_forgotten_id(row.platform_id) or (row.left and not member)

    def add_people(self, rows: list[RosterRow]) -> None:
        """Insert everyone not known yet in one statement, with their profile (building ORM
        objects one by one costs ten times more at roster sizes).
        """
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.platform_id in self.people or row.platform_id in new:
                continue
            v = row.values
            new[row.platform_id] = {
                "platform": self.program.platform,
                "platform_user_id": row.platform_id,
                "display_name": row.name or row.platform_id,
                "name_source": repo.NAME_FROM_IMPORT if row.name else None,
                "timezone": v.get("timezone"),
                "timezone_source": "user" if "timezone" in v else None,
                "languages": v.get("languages", []),
                "availability": v.get("availability", []),
                "quiet_start": v.get("quiet_start"),
                "quiet_end": v.get("quiet_end"),
                "team": v.get("team"),
                "created_at": self.now,
                "updated_at": self.now,
            }
        insert_ignoring_conflicts(
            self.session, Person, list(new.values()), conflict=["platform", "platform_user_id"]
        )
        self.people.update(
            roster_db.people_by_id(
                session=self.session, platform=self.program.platform, user_ids=list(new)
            )
        )

    def add_members(self, rows: list[RosterRow]) -> set[int]:
        """Insert the memberships of people not in the program yet; their person ids."""
        assert self.program.id is not None
        new: dict[int, dict[str, Any]] = {}
        for row in rows:
            person_id = self.people[row.platform_id].id
            assert person_id is not None
            if person_id in self.members or person_id in new:
                continue
            v = row.values
            new[person_id] = {
                "program_id": self.program.id,
                "person_id": person_id,
                "role": row.role,
                "skills_offered": v.get("skills", []),
                "skills_wanted": v.get("wants", []),
                "goals": v.get("goals", ""),
                "capacity": v.get("capacity", 1) if row.role == Role.MENTOR else 1,
                "seniority": None,
                "status": MemberStatus.ACTIVE.value,
                "paused_until": None,
                "match_priority": 0,
                "joined_at": self.now,
                "left_at": None,
                "intake_batch": self.batch,
            }
        insert_ignoring_conflicts(
            self.session, Member, list(new.values()), conflict=["program_id", "person_id"]
        )
        if new:
            self.members = roster_db.members_by_person(
                session=self.session, program_id=self.program.id
            )
        return set(new)

    def apply(self, row: RosterRow, created: bool) -> tuple[str, Member | None, Person]:
        """Apply one row: created, updated, unchanged, or locked (a role change in a pair)."""
        person = self.people[row.platform_id]
        assert person.id is not None
        member = self.members[person.id]
        if member.role != row.role and member.id in self.paired:
            return "locked", None, person
        if created:
            return "created", member, person
        before = _snapshot(person, PERSON_SNAPSHOT), _snapshot(member, MEMBER_SNAPSHOT)
        if row.name:  # the coordinator's name for them: the platform's never replaces it
            person.display_name, person.name_source = row.name, repo.NAME_FROM_IMPORT
        for name in PERSON_FIELDS:
            if name in row.values:
                setattr(person, name, row.values[name])
        if "timezone" in row.values:
            person.timezone_source = "user"
        member.role = row.role
        for column, attr in MEMBER_FIELDS.items():
            if column in row.values:
                setattr(member, attr, row.values[column])
        if member.role != Role.MENTOR:
            member.capacity = 1
        if before == (_snapshot(person, PERSON_SNAPSHOT), _snapshot(member, MEMBER_SNAPSHOT)):
            return "unchanged", member, person
        person.updated_at = self.now
        self.session.add_all((person, member))
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
    batch: str | None = None,
) -> None:
    """Create or update each person and membership; new members get the welcome DM only
    when ``welcome`` is set, and are recorded as having come in with import ``batch`` (the
    report's intake; members already in the program keep theirs).
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
        batch[:120] if batch else None,
    )
    welcomes: list[tuple[Member, Person]] = []
    kept = [r for r in rows if not writer.gone(r)]
    report.left = len(rows) - len(kept)
    for _ in range(report.left):
        progress()
    rows = kept
    writer.add_people(rows)
    joined = writer.add_members(rows)
    for row in rows:
        created = writer.people[row.platform_id].id in joined
        outcome, member, person = writer.apply(row, created)
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
