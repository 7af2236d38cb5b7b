"""Surveys' part of the program report: each scale's mean at mid-point and end, and how
many said they might drop out, for groups large enough to show.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.report_parts import Chart, ReportScope, Section, Words
from bot.surveys.records import SCALES, SURVEYS
from storage import report as db


def _scale_values(rows: list[db.SurveyRow], survey: str, key: str) -> list[int]:
    return [int(a[key]) for _m, sv, a, _w in rows if sv == survey and isinstance(a.get(key), int)]


def surveys_section(scope: ReportScope) -> Section:
    """The answers given in the period, scale by scale."""
    words, minimum = scope.words, scope.minimum
    rows = [
        s
        for s in db.surveys(session=scope.session, program_id=scope.program_id)
        if scope.period.has(s[3])
    ]
    section = words.section("surveys")
    cells = scope.cells
    table: list[list[Any]] = []
    means: dict[str, list[float | None]] = {s: [] for s in SURVEYS}
    names = {scale: words.prompts.text(f"survey.scale_{scale}") for scale in SCALES}
    labels = []
    for scale in SCALES:
        row: list[Any] = [scale]
        for survey in SURVEYS:
            values = [float(v) for v in _scale_values(rows, survey, scale)]
            n = cells.people(("surveys", survey, scale), len(values))
            row += [cells.show(n), cells.mean(values, n)]
        table.append(row)
        if isinstance(row[2], float) and isinstance(row[4], float):
            labels.append(names[scale])
            means["mid"].append(row[2])
            means["end"].append(row[4])
    for survey, key in (("mid", "continue"), ("end", "continue_after")):
        intent = _scale_values(rows, survey, key)
        if len(intent) >= minimum:
            risk = cells.show(
                cells.people(("surveys", "risk", survey), sum(1 for v in intent if v <= 2))
            )
            name = words.prompts.text(f"survey.name_{survey}")
            figure = words.figure("dropping_out", f"{risk} of {len(intent)}", survey=name)
            section.figures.append(replace(figure, key=f"dropping_out_{survey}"))
    headers = ["scale", "mid n", "mid mean", "end n", "end mean"]
    section.tables = [words.table("surveys", headers, table)]
    section.tables[0].words = names
    if labels:
        section.charts.append(_means(labels, means, words))
    return section


def _means(labels: list[str], means: dict[str, list[float | None]], words: Words) -> Chart:
    """The bar chart of each shown scale's mean at mid-point and end."""
    shown = "; ".join(
        f"{lab} " + words("alt.then", first=m, second=e)
        for lab, m, e in zip(labels, means["mid"], means["end"], strict=True)
    )
    alt = words("alt.surveys", values=shown)
    series = {words(f"series.{s}"): means[s] for s in SURVEYS}
    title = words("chart.surveys")
    return Chart("surveys", title, "bar", labels, series, alt, top=5)
