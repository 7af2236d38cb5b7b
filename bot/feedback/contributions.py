"""What feedback gives the cross-cutting views: a person's feedback in their export (their
words blanked when forgotten), and the totals admins see in ``mentorbot export``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.feedback.records import feedback_numbers, summarize
from bot.feedback.report import feedback_section
from bot.registry import PersonalData, Registry, ReportSection, Table, json_fields
from bot.suppression import Cells
from storage import feedback as feedback_db
from storage.models import Program

FEEDBACK = ("pair_id", "kind", "rating", "helped", "change", "details", "created_at")


def register_contributions(registry: Registry) -> None:
    """Contribute feedback to a person's export and forget, the program's export and the report."""
    registry.personal_data(PersonalData("feedback", _export, _words, _blank))
    registry.export_table("feedback", _table)
    registry.report_section(ReportSection("feedback", feedback_section))


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    rows = feedback_db.of_members(session=session, member_ids=member_ids)
    return [json_fields(f, FEEDBACK) for f in rows]


def _words(session: Session, member_ids: list[int]) -> list[str]:
    found: list[str] = []
    for feedback in feedback_db.of_members(session=session, member_ids=member_ids):
        found += [feedback.helped, feedback.change]
    return found


def _blank(session: Session, member_ids: list[int]) -> None:
    """Free text goes; ratings stay for the totals."""
    for feedback in feedback_db.of_members(session=session, member_ids=member_ids):
        if feedback.kind != "fit":  # the fit answer is a choice; session words are free text
            feedback.helped = ""
        feedback.change, feedback.details = "", {}
        session.add(feedback)


def _table(session: Session, program: Program, settings: Settings) -> Table:
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
