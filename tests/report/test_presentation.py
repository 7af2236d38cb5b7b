"""Presentation a funder and a spreadsheet can read: one legend for the page's marks, the
same "all" on the page and in the CSV files, tables that keep their label column in view on
a phone, figures.csv in numbers with fixed keys and rates in one unit (percent), and survey
names that never overlap in the chart."""

from __future__ import annotations

import csv
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.app import load_prompts
from bot.report.figures import Report, build
from bot.report.page import html, write_csv
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Member, Program, SurveyResponse

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _report(bot, settings, **period: date) -> Report:  # type: ignore[no-untyped-def]
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        return build(s, program, settings, now=NOW, prompts=load_prompts(), **period)


def _figures(report: Report, folder: Path) -> list[dict[str, str]]:
    write_csv(report, folder)
    with (folder / "figures.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_page_has_one_legend_the_same_all_and_phone_friendly_tables(bot, settings):
    """The legend explains "hidden" and "-", an empty cell shows "-" (never blank), the row
    of everyone reads "all" as in the CSV files, and wide tables keep their first column in
    view with a hint that they scroll."""
    generate(bot.engine, people=200, weeks=2, workspace="console")
    page = html(_report(bot, settings))
    assert "“hidden” is a figure about fewer than 3 people" in page
    assert "“-” is nothing to count" in page
    assert not re.search(r"<td( class=\"num\")?></td>", page)
    assert "<td>all</td>" in page and "<td>everyone</td>" not in page
    assert re.search(r"\.scroll th:first-child, \.scroll td:first-child \{ position: sticky", page)
    assert page.count('<p class="hint">Wide table: scroll sideways') >= 4


def test_figures_csv_holds_survey_rates_and_changes_as_numbers_with_fixed_keys(
    bot, settings, tmp_path
):
    """ "4 of 12" thinking of dropping out is numerator 4, denominator 12, rate 33.3 (percent,
    like every table); belonging's change is its mean, n and interval as numbers; a group
    that waits longer is named in the group column, not in the key."""
    truth = generate(bot.engine, people=200, weeks=2, workspace="console", waits={"Asia": 2})
    with transaction(bot.engine) as s:
        for row in s.exec(select(SurveyResponse)):
            s.delete(row)
        s.flush()
        mentees = s.exec(select(Member.id).where(Member.role == "mentee")).all()[:12]
        for k, member in enumerate(mentees):
            for survey, day, answers in (
                ("mid", 40, {"belonging": 2, "continue": 4}),
                ("end", 80, {"belonging": 3 + k % 2, "continue": 2 if k < 4 else 4}),
            ):
                when = truth.start + timedelta(days=day)
                s.add(
                    SurveyResponse(
                        program_id=truth.program_id,
                        member_id=member,
                        survey=survey,
                        answers=answers,
                        created_at=when,
                    )
                )
    rows = _figures(_report(bot, settings), tmp_path / "whole")
    by = {(r["section"], r["figure"]): r for r in rows}
    dropping = by[("surveys", "dropping_out_end")]
    assert (dropping["value"], dropping["numerator"], dropping["denominator"]) == ("", "4", "12")
    assert float(dropping["rate"]) == 33.3
    for section in ("summary", "surveys"):
        change = by[(section, "headline_belonging_change")]
        assert (float(change["value"]), change["denominator"]) == (1.5, "12")
        assert float(change["low"]) < 1.5 < float(change["high"])
    held = by[("summary", "held")]
    assert 0 < float(held["rate"]) <= 100
    early = _figures(_report(bot, settings, end=truth.start.date()), tmp_path / "early")
    longer = [r for r in early if r["figure"].startswith("waits_longer")]
    assert [(r["figure"], r["group"]) for r in longer if "region" in r["figure"]] == [
        ("waits_longer_region", "Asia")
    ]
    assert all(r["group"] == "" or r["group"] not in r["figure"] for r in rows + early)


def test_the_survey_chart_s_long_names_never_overlap():
    """The bundled instrument's seven scale names, mid and end: each name's lines stay in
    its own row, inside the drawing (the SVG scales as a whole, so this holds at 1280 and at
    375 px alike)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bot.report.charts import _figure
    from bot.report_parts import Chart

    names = [
        "sense of belonging",
        "social integration (people to turn to)",
        "academic integration (on top of work or studies)",
        "confidence",
        "intend to stay",
        "intend to keep in touch",
        "overall value",
    ]
    means = {"mid-program": [3.1] * 7, "end of program": [3.6] * 7}
    figure = _figure(Chart("surveys", "Survey means", "bar", names, means, "", top=5))
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ax = figure.axes[0]
    labels = [
        t for t in [*ax.get_xticklabels(), *ax.get_yticklabels()] if not t.get_text().isdigit()
    ]
    assert [t.get_text().replace("\n", " ") for t in labels] == names
    boxes = [t.get_window_extent(renderer) for t in labels]
    for one, other in itertools.combinations(boxes, 2):
        assert not one.overlaps(other)
    whole = figure.bbox
    assert all(b.x0 >= whole.x0 and b.y0 >= whole.y0 and b.y1 <= whole.y1 for b in boxes)
