"""What surveys give the cross-cutting views: a person's answers in their export (the free
text dropped when forgotten, the scale answers kept), and each scale's totals in
``mentorbot export``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.feedback.records import summarize
from bot.registry import PersonalData, Registry, ReportSection, Table, json_fields
from bot.suppression import Cells
from bot.surveys.instrument import load_instrument
from bot.surveys.report import surveys_section
from storage import surveys as surveys_db
from storage.models import Program

SURVEY = ("survey", "answers", "created_at")


def register_contributions(registry: Registry) -> None:
    """Contribute survey answers to a person's export and forget, the program's export and
    the report.
    """
    registry.personal_data(PersonalData("surveys", _export, _words, _blank))
    registry.export_table("surveys", _table)
    registry.report_section(ReportSection("surveys", surveys_section))


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    rows = surveys_db.of_members(session=session, member_ids=member_ids)
    return [json_fields(s, SURVEY) for s in rows]


def _words(session: Session, member_ids: list[int]) -> list[str]:
    found: list[str] = []
    for survey in surveys_db.of_members(session=session, member_ids=member_ids):
        found += [v for v in survey.answers.values() if isinstance(v, str)]
    return found


def _blank(session: Session, member_ids: list[int]) -> None:
    """Free text goes; scale answers stay for the totals."""
    for survey in surveys_db.of_members(session=session, member_ids=member_ids):
        survey.answers = {k: v for k, v in survey.answers.items() if isinstance(v, int | float)}
        session.add(survey)


def _table(session: Session, program: Program, settings: Settings) -> Table:
    """Each survey's 1-5 questions (as the instrument's ``[scoring]`` names them) as n, mean
    and counts, only over ``min_group_size`` answers; a small count, and any it would follow
    from, is hidden (``bot.suppression``), and so is the mean beside it (with n it would give
    the hidden counts away).
    """
    assert program.id is not None
    minimum = settings.surveys.min_group_size
    questions = [
        q
        for scale in load_instrument(settings).scales
        if (scale.low, scale.high) == (1, 5)
        for q in scale.questions
    ]
    rows: list[list[Any]] = []
    for survey in ("mid", "end"):
        answers = [
            r.answers
            for r in surveys_db.survey_responses(
                session=session, program_id=program.id, survey=survey
            )
        ]
        for scale in questions:
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
