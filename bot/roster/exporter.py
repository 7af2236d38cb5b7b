"""The program's data as tables: participants (in the import's own columns, so an exported
file imports back unchanged) and pairs, then each capability's own table (check-in outcomes,
goals with titles only where shared, and feedback and survey results only as the totals admins
see, in groups of ``min_group_size`` or more; never anyone's own answers or words).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.profile.fields import describe_availability
from bot.registry import FORGOTTEN, Registry, Table, cell
from bot.roster.columns import COLUMNS
from storage import pairs as pairs_db
from storage import repo
from storage import roster as roster_db
from storage.models import Program, Role
from storage.personal import is_forgotten_id


def participants(session: Session, program: Program) -> Table:
    """Everyone who joined, in the import's columns, then status and joining time; a
    forgotten person is no participant any more, and is left out.
    """
    assert program.id is not None
    rows = []
    for member, person in repo.members_of(session=session, program_id=program.id):
        if is_forgotten_id(person.platform_user_id):
            continue
        quiet = f"{person.quiet_start}-{person.quiet_end}" if person.quiet_start else ""
        rows.append(
            [
                person.platform_user_id,
                "",
                person.display_name,
                member.role,
                person.timezone or "",
                "; ".join(member.skills_offered),
                "; ".join(member.skills_wanted),
                member.goals,
                "; ".join(person.languages),
                person.team or "",
                member.capacity if member.role == Role.MENTOR else "",
                describe_availability(list(person.availability)),
                quiet,
                member.status,
                cell(member.joined_at),
            ]
        )
    return [*COLUMNS, "status", "joined_at"], rows


def pairs(session: Session, program: Program) -> Table:
    """Each pair that was made real: who, when, why it ended, and meetings held. A forgotten
    person stays as their anonymous placeholder id, named "(forgotten)", so the history adds up.
    """
    assert program.id is not None
    people = roster_db.pair_rows(session=session, program_id=program.id)
    ids = sorted({r.pair.id for r in people if r.pair.id is not None})
    held: dict[int, set[Any]] = {i: set() for i in ids}
    for pair_id, cycle in pairs_db.met_cycles(session=session, pair_ids=ids):
        held[pair_id].add(cycle)
    by_pair: dict[int, list[roster_db.PairRow]] = {}
    for row in people:
        by_pair.setdefault(row.pair.id or 0, []).append(row)
    out = []
    for pair_id, rows in by_pair.items():
        pair = rows[0].pair
        out.append(
            [
                pair_id,
                pair.status,
                cell(pair.started_at),
                cell(pair.ended_at),
                pair.end_reason or "",
                round(pair.score, 1),
                "; ".join(r.user_id for r in rows),
                "; ".join(FORGOTTEN if is_forgotten_id(r.user_id) else r.name for r in rows),
                "; ".join(r.role for r in rows),
                len(held.get(pair_id, ())),
            ]
        )
    header = ["pair", "status", "started_at", "ended_at", "end_reason", "score"]
    return [*header, "platform_ids", "names", "roles", "meetings_held"], out


def tables(
    session: Session, program: Program, settings: Settings, registry: Registry
) -> dict[str, Table]:
    """Every table an export writes, by file name (without extension): participants and pairs,
    then each capability's (``registry.tables``).
    """
    found = {"participants": participants(session, program), "pairs": pairs(session, program)}
    for name, table in registry.tables.items():
        found[name] = table(session, program, settings)
    return found
