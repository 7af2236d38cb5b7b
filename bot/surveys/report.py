"""Surveys' part of the program report, computed from the instrument's ``[scoring]``
(``bot.surveys.instrument``): each scale's mean at mid-point and end (different people, as
context), its change in the same people (n, mean change, 95% interval, share improved), how
many think of dropping out and how many intend to stay, for groups large enough to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

from bot.report_parts import (
    NONE,
    SURVEYS_ANSWERED,
    Chart,
    Figure,
    ReportScope,
    Section,
    Table,
    Words,
)
from bot.suppression import HIDDEN, Cells
from bot.surveys.change import Change, change_key, paired_change
from bot.surveys.groups import change_by_group
from bot.surveys.instrument import AnswersOf, Instrument, load_instrument
from bot.surveys.records import SURVEYS
from storage import reach
from storage import report as db

Answers = Mapping[int, Mapping[str, Any]]  # member -> their answers to one survey
HEADLINE = {"belonging": "headline_belonging_change", "staying": "headline_staying_change"}
CHANGE_HEADERS = ["scale", "n", "mean change", "95% low", "95% high", "improved %"]


def surveys_section(scope: ReportScope) -> Section:
    """The answers given in the period, scale by scale, as the instrument scores them."""
    instrument = load_instrument(scope.settings)
    words = scope.words
    by: dict[str, dict[int, Mapping[str, Any]]] = {s: {} for s in SURVEYS}
    for member, survey, answers, when in db.surveys(
        session=scope.session, program_id=scope.program_id
    ):
        if scope.period.has(when) and survey in by:
            by[survey][member] = answers
    section = words.section("surveys")
    _share_cells(instrument, by, scope.cells)
    for key, rule in (
        ("dropping_out", instrument.dropping_out),
        ("intend_to_stay", instrument.intend_to_stay),
    ):
        section.figures += _share(key, rule, by, words, scope.cells)
    means, chart = _means_table(instrument, by, words, scope.cells)
    _reach_cells(scope, by)
    changes = [paired_change(scale, by["mid"], by["end"]) for scale in instrument.scales]
    cells = _change_cells(changes, scope.cells)
    section.figures += _headline(instrument, changes, cells, words)
    section.tables = [means, _change_table(instrument, changes, cells, words)]
    section.tables += change_by_group(scope, instrument, by)
    if chart is not None:
        section.charts.append(chart)
    return section


def _share(
    key: str, rule: AnswersOf, by: Mapping[str, Answers], words: Words, cells: Cells
) -> list[Figure]:
    """How many ("k of n") gave one of ``rule``'s answers, at mid-point and end (n at least
    the minimum; k hidden under it, and with it whatever else would give it away).
    """
    out = []
    for survey in SURVEYS:
        said = [v for v in map(rule.says, by[survey].values()) if v is not None]
        if len(said) < cells.minimum:
            continue
        yes = share_key(key, survey)
        name = words.prompts.text(f"survey.name_{survey}")
        label = words(f"figure.{key}", survey=name, answers=rule.shown())
        out.append(Figure(f"{key}_{survey}", label, f"{cells.show(yes)} of {len(said)}"))
    return out


def share_key(key: str, survey: str) -> tuple[str, str, str]:
    """The page-wide key of how many gave a ``key`` answer ("dropping_out") in ``survey``."""
    return ("surveys", key, survey)


def answered_key(survey: str, question: str, scale: bool = False) -> tuple[str, ...]:
    """The page-wide key of how many answered ``question`` in ``survey`` (the n of a "k of
    n"), or (``scale``) scored scale ``question`` (its n in the means table).
    """
    return ("surveys", "scale" if scale else "answered", survey, question)


def _share_cells(instrument: Instrument, by: Mapping[str, Answers], cells: Cells) -> None:
    """The "k of n" counts on the page's ledger: each rule's k and the rest add up to n; when
    both rules ask one question, they and those who gave neither answer add up to n (the
    instrument says which answers each counts: a reader knows when nobody is left over).
    """
    rules = {"dropping_out": instrument.dropping_out, "intend_to_stay": instrument.intend_to_stay}
    for survey in SURVEYS:
        for key, rule in rules.items():
            said = [v for v in map(rule.says, by[survey].values()) if v is not None]
            n = cells.people(answered_key(survey, rule.question), len(said))
            yes = cells.people(share_key(key, survey), sum(said))
            rest = cells.people(("surveys", key, "not", survey), len(said) - sum(said))
            cells.sum(n, [yes, rest])
        drop, stay = rules.values()
        if drop.question == stay.question and not drop.answers & stay.answers:
            answers = [a.get(drop.question) for a in by[survey].values()]
            given = [a for a in answers if isinstance(a, int) and not isinstance(a, bool)]
            neither = sum(1 for a in given if a not in drop.answers | stay.answers)
            n = answered_key(survey, drop.question)
            parts = [share_key(k, survey) for k in rules]
            cells.sum(n, [*parts, cells.people(("surveys", "neither", survey), neither)])


def _reach_cells(scope: ReportScope, by: Mapping[str, Answers]) -> None:
    """The summary's "survey invitations answered" on the page's ledger, one cell per survey
    (``SURVEYS_ANSWERED`` and the survey); where it is also a scale's n in the means table,
    one number shown twice. The summary shows their total only when none is hidden
    (``bot.report.summary``), so no hidden one follows from it by subtraction.
    """
    cells = scope.cells
    sent = {
        (i.member_id, i.survey)
        for i in reach.survey_invitations(session=scope.session, program_id=scope.program_id)
        if scope.period.has(i.sent_at)
    }
    answers = {
        (m, s) for m, s, _a, _w in db.surveys(session=scope.session, program_id=scope.program_id)
    }
    answered = Counter(survey for _m, survey in sent & answers)
    for survey, count in sorted(answered.items()):
        key = cells.people((*SURVEYS_ANSWERED, survey), count)
        for n in [k for k in cells.counts if _scale_of(k, survey)]:
            if cells.counts[n] == count:
                cells.sum(key, [n])


def _scale_of(key: Hashable, survey: str) -> bool:
    return isinstance(key, tuple) and key[:3] == ("surveys", "scale", survey)


def _means_table(
    instrument: Instrument, by: Mapping[str, Answers], words: Words, cells: Cells
) -> tuple[Table, Chart | None]:
    """Each scale's n and mean at mid-point and end (not the same people: context; their
    counts on the page's ledger), and the chart of the scales shown at both.
    """
    rows: list[list[Any]] = []
    means: dict[str, list[float | None]] = {s: [] for s in SURVEYS}
    labels = []
    for scale in instrument.scales:
        row: list[Any] = [scale.id]
        for survey in SURVEYS:
            scores = [v for v in map(scale.score, by[survey].values()) if v is not None]
            n = cells.people(answered_key(survey, scale.id, scale=True), len(scores))
            _same_people(cells, survey, scale.questions, n)
            row += [cells.show(n), cells.mean(scores, n)]
        rows.append(row)
        if isinstance(row[2], float) and isinstance(row[4], float):
            labels.append(scale.name)
            means["mid"].append(row[2])
            means["end"].append(row[4])
    table = words.table("surveys", ["scale", "mid n", "mid mean", "end n", "end mean"], rows)
    table.words = instrument.names
    top = max(s.high for s in instrument.scales)
    return table, (_means(labels, means, words, top) if labels else None)


def _same_people(cells: Cells, survey: str, questions: tuple[str, ...], n: Hashable) -> None:
    """A one-question scale's n is the "k of n" n of its question, when the counts agree (an
    answer out of the scale's range scores nothing): one number shown twice.
    """
    asked = answered_key(survey, questions[0])
    if len(questions) == 1 and cells.counts.get(asked) == cells.counts[n]:
        cells.sum(asked, [n])


def _change_cells(changes: list[Change], cells: Cells) -> Cells:
    """Each change's n, and who improved or not: counts of people, hidden together, on the
    page's ledger (``cells``).
    """
    for change in changes:
        n = cells.people(change_key("n", change.scale), change.n)
        parts = [
            cells.people(change_key("up", change.scale), change.improved),
            cells.people(change_key("not", change.scale), change.n - change.improved),
        ]
        cells.sum(n, parts)
    return cells


def _change_table(
    instrument: Instrument, changes: list[Change], cells: Cells, words: Words
) -> Table:
    """The paired change of every scale some people answered at both points."""
    rows: list[list[Any]] = []
    for change in changes:
        if change.n == 0:
            continue
        if change_key("n", change.scale) in cells.hidden:
            rows.append([change.scale, *[HIDDEN] * 5])
            continue
        improved = cells.show(change_key("up", change.scale))
        share = round(100 * change.improved / change.n) if isinstance(improved, int) else HIDDEN
        rows.append(
            [change.scale, change.n, *map(_round, (change.mean, change.low, change.high)), share]
        )
    table = Table("surveys_change", words("table.surveys_change"), list(CHANGE_HEADERS), rows)
    table.words = instrument.names
    return table


def _headline(
    instrument: Instrument, changes: list[Change], cells: Cells, words: Words
) -> list[Figure]:
    """Belonging and intention to stay, change mid to end in the same people, in words."""
    out = []
    for role, key in HEADLINE.items():
        scale = instrument.scale(getattr(instrument, role))
        change = next(c for c in changes if c.scale == scale.id)
        label = words(f"figure.{key}", scale=scale.name)
        out.append(Figure(key, label, _change_words(change, cells, words)))
    return out


def _change_words(change: Change, cells: Cells, words: Words) -> str:
    """The change in words ("160 people answered both: mean change +0.42 (95% interval +0.20
    to +0.64)"), or why it isn't shown; the share improved is in the table.
    """
    if change.n == 0 or change.mean is None:
        return NONE
    if change_key("n", change.scale) in cells.hidden:
        return HIDDEN
    if change.low is None or change.high is None:
        return words("change_one", change=f"{change.mean:+.2f}", n=change.n)
    return words(
        "change",
        change=f"{change.mean:+.2f}",
        low=f"{change.low:+.2f}",
        high=f"{change.high:+.2f}",
        n=change.n,
    )


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


def _means(
    labels: list[str], means: dict[str, list[float | None]], words: Words, top: int
) -> Chart:
    """The bar chart of each shown scale's mean at mid-point and end."""
    shown = "; ".join(
        f"{lab} " + words("alt.then", first=m, second=e)
        for lab, m, e in zip(labels, means["mid"], means["end"], strict=True)
    )
    alt = words("alt.surveys", values=shown)
    series = {words(f"series.{s}"): means[s] for s in SURVEYS}
    title = words("chart.surveys")
    return Chart("surveys", title, "bar", labels, series, alt, top=top)
