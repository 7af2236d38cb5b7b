"""Feedback's part of the program report: session ratings by month and the fit answers,
never what anyone wrote.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bot.report_parts import NONE, Chart, ReportScope, Section, Words
from storage import report as db


def feedback_section(scope: ReportScope) -> Section:
    """Ratings given in the period (months of few raters hidden) and the fit answers."""
    words = scope.words
    rows = [
        f
        for f in db.feedback(session=scope.session, program_id=scope.program_id)
        if scope.period.has(f.created_at)
    ]
    section = words.section("feedback")
    sessions = [r for r in rows if r.kind == "session" and r.rating is not None]
    by_month: dict[str, list[db.FeedbackRow]] = defaultdict(list)
    for r in sessions:
        by_month[r.created_at.strftime("%Y-%m")].append(r)
    cells = scope.cells
    raters = cells.people(("feedback", "raters"), len({r.member_id for r in sessions}))
    table: list[list[Any]] = []
    for month in sorted(by_month):
        group = by_month[month]
        key = cells.people(("feedback", "month", month), len({r.member_id for r in group}))
        ratings = [float(r.rating or 0) for r in group]
        table.append([month, cells.show(key), cells.mean(ratings, key)])
    # Fit answers add up to no total the report shows: each small one is hidden alone.
    fits = Counter(r.fit for r in rows if r.kind == "fit" and r.fit)
    answers = [cells.people(("feedback", "fit", a), n) for a, n in sorted(fits.items())]
    mean = cells.mean([float(r.rating or 0) for r in sessions], raters) if sessions else NONE
    section.figures = [
        words.figure("raters", cells.show(raters)),
        words.figure("rating", mean),
    ]
    fit_rows: list[list[Any]] = [[key[2], cells.show(key)] for key in answers]
    section.tables = [
        words.table("feedback_ratings", ["month", "people", "mean rating"], table),
        words.table("feedback_fit", ["answer", "answers"], fit_rows),
    ]
    chart = _ratings(table, words)
    section.charts = [chart] if chart else []
    return section


def _ratings(table: list[list[Any]], words: Words) -> Chart | None:
    """The mean rating by month, where it is shown."""
    points = [(str(m), float(v)) for m, _, v in table if isinstance(v, float)]
    if not points:
        return None
    alt = words("alt.feedback_ratings", values=", ".join(f"{m} {v:g}" for m, v in points))
    series: dict[str, list[float | None]] = {words("series.rating"): [v for _, v in points]}
    title = words("chart.feedback_ratings")
    labels = [m for m, _ in points]
    return Chart("feedback_ratings", title, "line", labels, series, alt, top=5)
