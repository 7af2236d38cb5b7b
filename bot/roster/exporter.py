"""The program's data as tables: participants (in the import's own columns, so an exported
file imports back unchanged), pairs, check-in outcomes, goals (titles only where shared), and
feedback and survey results only as the totals admins see (groups of ``min_group_size`` or
more; never anyone's own answers or words).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.feedback.records import feedback_numbers, summarize
from bot.profile.fields import describe_availability
from bot.roster.columns import COLUMNS
from bot.suppression import Cells
from bot.surveys.records import SCALES
from storage import pairs as pairs_db
from storage import repo, responses
from storage import roster as roster_db
from storage.models import Program, Role
from storage.personal import is_forgotten_id

Table = tuple[list[str], list[list[Any]]]
FORGOTTEN = "(forgotten)"


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    return value


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
                _cell(member.joined_at),
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
                _cell(pair.started_at),
                _cell(pair.ended_at),
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


def checkins(session: Session, program: Program) -> Table:
    """Every check-in's outcome (never the note someone wrote)."""
    assert program.id is not None
    rows = [
        [c.pair_id, user, _cell(c.cycle_on), _cell(c.due_at), c.outcome, _cell(c.recorded_at)]
        for c, user in roster_db.checkin_rows(session=session, program_id=program.id)
    ]
    return ["pair", "platform_id", "cycle_on", "due_at", "outcome", "recorded_at"], rows


def goals(session: Session, program: Program) -> Table:
    """Goals by owner; a private goal's title stays with its owner."""
    assert program.id is not None
    rows = []
    number: dict[str, int] = {}
    for goal, user in roster_db.goal_rows(session=session, program_id=program.id):
        number[user] = number.get(user, 0) + 1
        title = "" if goal.private else goal.title
        shared = "no" if goal.private else "yes"
        created, completed = _cell(goal.created_at), _cell(goal.completed_at)
        rows.append(
            [user, number[user], title, shared, goal.status, _cell(goal.due_on), created, completed]
        )
    header = ["platform_id", "goal", "title", "shared", "status", "due_on"]
    return [*header, "created_at", "completed_at"], rows


def feedback(session: Session, program: Program, settings: Settings) -> Table:
    """Session ratings and fit answers as totals, only over ``min_group_size`` people; a
    small count, and any it would follow from, is hidden (``bot.suppression``).
    """
    assert program.id is not None
    minimum = settings.surveys.min_group_size
    people, ratings, fits = feedback_numbers(session, program.id, since=None)
    if people < minimum:
        return ["measure", "value"], [["people who gave feedback", f"fewer than {minimum}"]]
    counts = summarize(ratings).counts
    cells = Cells(minimum)
    n = cells.people("ratings", len(ratings))
    spread = [cells.people(k, counts[k]) for k in range(1, 6)]
    cells.sum(n, spread)
    answers = [cells.people(answer, count) for answer, count in sorted(fits.items())]
    rows: list[list[Any]] = [
        ["people who gave feedback", people],
        ["session ratings", cells.show(n)],
        ["mean rating (1-5)", cells.mean([float(r) for r in ratings], n, *spread)],
    ]
    rows += [[f"ratings of {k}", cells.show(k)] for k in spread]
    rows += [[f"fit: {answer}", cells.show(answer)] for answer in answers]
    return ["measure", "value"], rows


def surveys(session: Session, program: Program, settings: Settings) -> Table:
    """Each survey's scales as n, mean and counts, only over ``min_group_size`` answers; a
    small count, and any it would follow from, is hidden (``bot.suppression``), and so is the
    mean beside it (with n it would give the hidden counts away).
    """
    assert program.id is not None
    minimum = settings.surveys.min_group_size
    rows: list[list[Any]] = []
    for survey in ("mid", "end"):
        answers = [
            r.answers
            for r in responses.survey_responses(
                session=session, program_id=program.id, survey=survey
            )
        ]
        for scale in SCALES:
            values = [int(a[scale]) for a in answers if isinstance(a.get(scale), int)]
            if not values:
                continue
            if len(values) < minimum:
                rows.append([survey, scale, f"fewer than {minimum}", "", *[""] * 5])
                continue
            rows.append([survey, scale, *_scale_cells(values, minimum)])
    return ["survey", "scale", "n", "mean", "1", "2", "3", "4", "5"], rows


def _scale_cells(values: list[int], minimum: int) -> list[Any]:
    """n, mean and the count of each answer 1-5, hidden as the rule says."""
    counts = summarize(values).counts
    cells = Cells(minimum)
    n = cells.people("n", len(values))
    spread = [cells.people(k, counts[k]) for k in range(1, 6)]
    cells.sum(n, spread)
    mean = cells.mean([float(v) for v in values], n, *spread)
    return [cells.show(n), mean, *[cells.show(k) for k in spread]]


def tables(session: Session, program: Program, settings: Settings) -> dict[str, Table]:
    """Every table an export writes, by file name (without extension)."""
    return {
        "participants": participants(session, program),
        "pairs": pairs(session, program),
        "checkins": checkins(session, program),
        "goals": goals(session, program),
        "feedback": feedback(session, program, settings),
        "surveys": surveys(session, program, settings),
    }
