"""What goals give the cross-cutting views: a person's goals and updates in their export
(their words blanked when forgotten), and the program's goals in ``mentorbot export``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.goals.report import goals_section
from bot.registry import FORGOTTEN, PersonalData, Registry, ReportSection, Table, cell, json_fields
from storage import goals as goals_db
from storage import roster as roster_db
from storage.models import Program

GOAL = (
    "title", "measure", "due_on", "why", "first_milestone", "status", "private", "details",
    "created_at", "completed_at",
)  # fmt: skip
UPDATE = ("progress", "blockers", "note", "created_at")


def register_contributions(registry: Registry) -> None:
    """Contribute goals to a person's export and forget, the program's export and the report."""
    registry.personal_data(PersonalData("goals", _export, _words, _blank))
    registry.export_table("goals", _table)
    registry.report_section(ReportSection("goals", goals_section))


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    goals = goals_db.of_members(session=session, member_ids=member_ids)
    updates = goals_db.updates_of(session=session, goal_ids=[g.id for g in goals if g.id])
    return [
        json_fields(g, GOAL)
        | {"updates": [json_fields(u, UPDATE) for u in updates if u.goal_id == g.id]}
        for g in goals
    ]


def _words(session: Session, member_ids: list[int]) -> list[str]:
    goals = goals_db.of_members(session=session, member_ids=member_ids)
    found: list[str] = []
    for goal in goals:
        found += [goal.title, goal.measure, goal.why, goal.first_milestone]
    for update in goals_db.updates_of(session=session, goal_ids=[g.id for g in goals if g.id]):
        found += [update.note, update.blockers]
    return found


def _blank(session: Session, member_ids: list[int]) -> None:
    """Updates go; each goal stays as "(forgotten)" with its status, for the totals."""
    goals = goals_db.of_members(session=session, member_ids=member_ids)
    goals_db.delete_updates(session=session, goal_ids=[g.id for g in goals if g.id])
    for goal in goals:
        goal.title, goal.measure, goal.why, goal.first_milestone = FORGOTTEN, "", "", ""
        goal.details = {}
        session.add(goal)


def _table(session: Session, program: Program, _settings: Any) -> Table:
    """Goals by owner; a private goal's title stays with its owner."""
    assert program.id is not None
    rows = []
    number: dict[str, int] = {}
    for goal, user in roster_db.goal_rows(session=session, program_id=program.id):
        number[user] = number.get(user, 0) + 1
        title = "" if goal.private else goal.title
        shared = "no" if goal.private else "yes"
        created, completed = cell(goal.created_at), cell(goal.completed_at)
        rows.append(
            [user, number[user], title, shared, goal.status, cell(goal.due_on), created, completed]
        )
    header = ["platform_id", "goal", "title", "shared", "status", "due_on"]
    return [*header, "created_at", "completed_at"], rows
