"""Goals' part of the program report: goals set, SMART, completed, and how far they got."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Any

from bot.report_parts import BUCKETS, ReportScope, Section, bars, bucket, median
from bot.suppression import HIDDEN
from storage import report as db


def goals_section(scope: ReportScope) -> Section:
    """The goals set in the period; the progress spread hides small buckets together."""
    words = scope.words
    goals = [
        g
        for g in db.goals(session=scope.session, program_id=scope.program_id)
        if scope.period.has(g.created_at)
    ]
    section = words.section("goals")
    days = [
        (g.completed_at - g.created_at).total_seconds() / 86400
        for g in goals
        if g.completed_at is not None
    ]
    spread = Counter(bucket(100 if g.completed_at else g.progress) for g in goals)
    cells = scope.cells
    cells.count(_GOALS, len(goals))
    buckets = [cells.people(("goals", b), spread[b]) for b in BUCKETS]
    cells.sum(_GOALS, buckets)
    # The 100% bucket is the completed goals and any others at 100%.
    full: list[Hashable] = [cells.count(_COMPLETED, len(days))]
    if spread["100%"] > len(days):
        full.append(cells.count(("goals", "at 100%"), spread["100%"] - len(days)))
    cells.sum(("goals", "100%"), full)
    done = HIDDEN if _COMPLETED in cells.hidden else median(days)
    section.figures = [
        words.figure("goals", cells.show(_GOALS)),
        words.figure("smart", sum(1 for g in goals if g.smart)),
        words.rate(
            "completed",
            cells.show(_COMPLETED) if isinstance(cells.show(_GOALS), int) else HIDDEN,
            len(goals),
        ),
        words.figure("days_to_complete", done),
    ]
    rows: list[list[Any]] = [[b, cells.show(key)] for b, key in zip(BUCKETS, buckets, strict=True)]
    section.tables = [words.table("goals_progress", ["progress", "goals"], rows)]
    chart = bars("goals_progress", "goals", rows, words)
    section.charts = [chart] if chart else []
    return section


_GOALS, _COMPLETED = ("goals", "goals"), ("goals", "completed")  # cells of the page's ledger
