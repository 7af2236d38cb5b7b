"""A report against an earlier period's or another program's (``mentorbot report
--compare-to FROM:TO|previous|SLUG``, ``/mentor admin report compare ...``).

In the terminal: each summary rate now, then, and the change; each headline figure beside its
earlier value. On the page, in chat and the CSV files: each summary rate beside the other
report's (:class:`Compared`: its value, its n and the difference in percentage points) and the
table ``comparison``. The other report is built with its own ledger; its rate counts then go
through this page's ledger too (:func:`register`), so what either hides stays hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.report_parts import NONE, Figure, Section, Table, Words, percent
from bot.suppression import HIDDEN, Cells

EMPTY = ""  # a table cell with nothing to show

if TYPE_CHECKING:
    from bot.report.figures import Report

RATES = {  # table: the columns of its "everyone" row that are the program's summary rates
    "outcomes_by_role": (
        "meetings held %",
        "goals reached %",
        "mean session rating",
        "dropping out %",
    ),
    "fairness_by_role": ("matched %", "median days waiting", "mean fit score"),
}


class Change(NamedTuple):
    """One rate now and before (None: not in that report, or hidden)."""

    name: str
    now: float | None
    before: float | None

    def text(self) -> str:
        """``now (before: b, change +d)``, as far as both are known."""
        now = "-" if self.now is None else f"{self.now:g}"
        if self.before is None:
            return f"{self.name}: {now} (before: -)"
        if self.now is None:
            return f"{self.name}: {now} (before: {self.before:g})"
        return f"{self.name}: {now} (before: {self.before:g}, change {self.now - self.before:+.1f})"


def parse_period(text: str) -> tuple[date, date]:
    """``FROM:TO`` as two days, FROM not after TO; a ValueError saying what is wrong."""
    first, sep, last = text.partition(":")
    if not sep:
        raise ValueError("--compare-to is FROM:TO, e.g. 2026-06-01:2026-08-31")
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise ValueError("--compare-to is FROM:TO, days like 2026-06-01:2026-08-31") from None
    if end < start:
        raise ValueError("--compare-to: TO is before FROM")
    return start, end


def parse_compare(text: str) -> tuple[date, date] | str:
    """``--compare-to``'s value: a period ``FROM:TO``, :data:`PREVIOUS`, or (anything else
    not starting with a digit) another program's slug, folded to lower case.
    """
    wanted = text.strip()
    if wanted.casefold() == PREVIOUS:
        return PREVIOUS
    if ":" in wanted or wanted[:1].isdigit() or not wanted:
        return parse_period(wanted)
    return wanted.casefold()


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before [start, end]."""
    days = end - start
    last = start - timedelta(days=1)
    return last - days, last


def rates(report: Report) -> dict[str, float | None]:
    """The summary rates of a report (its "everyone" rows), None where not a number."""
    out: dict[str, float | None] = {}
    for name, columns in RATES.items():
        table = _table(report, name)
        everyone = next((r for r in table.rows if r[0] == "all"), None) if table else None
        for column in columns:
            value = everyone[table.headers.index(column)] if table and everyone else None
            out[column] = float(value) if isinstance(value, int | float) else None
    return out


def changes(now: Report, before: Report) -> list[Change]:
    """Each summary rate now and in the earlier report."""
    earlier = rates(before)
    return [Change(name, value, earlier[name]) for name, value in rates(now).items()]


def _table(report: Report, name: str) -> Table | None:
    return next((t for s in report.sections for t in s.tables if t.name == name), None)


# Against another report on the page, the CSV files and in chat: the summary's rates beside
# the same rates of an earlier period or of another program of the workspace.

BEFORE, PROGRAM = "before", "other program"  # what a comparison is against (its column)
PREVIOUS = "previous"  # --compare-to previous: the same length just before the period
SUMMARY_RATES = ("matched", "held", "goals", "checkins", "surveys")  # the summary's rates


@dataclass(frozen=True)
class Against:
    """What the report is compared with: ``kind`` (:data:`BEFORE` or :data:`PROGRAM`), in
    words (``label``: a period or a program's name), and that report's summary figures.
    """

    kind: str
    label: str
    figures: tuple[Figure, ...]
    report: Report | None = field(default=None, compare=False)  # the whole other report


@dataclass(frozen=True)
class Compared:
    """One summary rate of the other report as this page shows it: its count hidden or not
    (the page's ledger), its n, and the difference in percentage points (now minus then).
    """

    key: str
    value: str  # "58%", or hidden
    count: int | None
    total: int | None
    difference: float | None  # percentage points; None when either side is not shown
    text: str  # the words beside the rate in the summary

    @property
    def rate(self) -> float | None:
        """The count out of the total as a fraction (None when hidden or nothing to divide)."""
        return self.count / self.total if self.count is not None and self.total else None


def register(cells: Cells, against: Against) -> None:
    """Put the other report's rate counts into this page's ledger (``bot.suppression``): a
    count it hid stays out of it, a count under the minimum is hidden here too.
    """
    for figure in against.figures:
        if figure.total is not None and figure.count is not None:
            cells.people(("compare", figure.key), figure.count)


def compared(summary: Section, against: Against, cells: Cells, words: Words) -> dict[str, Compared]:
    """Each rate of ``summary`` beside the same rate of the other report, by figure key."""
    theirs = {f.key: f for f in against.figures}
    out: dict[str, Compared] = {}
    for mine in summary.figures:
        other = theirs.get(mine.key)
        if other is None or mine.key not in SUMMARY_RATES:
            continue
        shown = other.count is not None and cells.show(("compare", other.key)) != HIDDEN
        count = other.count if shown else None
        total = other.total if shown else None
        value = (f"{percent(count, total)}%" if total else NONE) if count is not None else HIDDEN
        difference = None
        if mine.rate is not None and count is not None and total:
            difference = round(100 * (mine.rate - count / total), 1)
        kind = words("compare.before" if against.kind == BEFORE else "compare.program")
        if count is None:
            text = words("compare.hidden", kind=kind)
        else:
            points = NONE if difference is None else f"{difference:+.1f}"
            n = total if total is not None else 0
            text = words("compare.beside", kind=kind, value=value, n=n, points=points)
        out[mine.key] = Compared(mine.key, value, count, total, difference, text)
    return out


def table(summary: Section, against: Against, found: dict[str, Compared], words: Words) -> Table:
    """The summary's rates now and against the other report: each with its n, and the
    difference in percentage points (the table ``comparison``).
    """
    kind = against.kind
    headers = ["rate", "now %", "now n", f"{kind} %", f"{kind} n", "difference (points)"]
    rows: list[list[Any]] = []
    for mine in summary.figures:
        other = found.get(mine.key)
        if other is None:
            continue
        now = _points(mine.count, mine.total) if mine.value != HIDDEN else HIDDEN
        then = _points(other.count, other.total) if other.count is not None else HIDDEN
        rows.append(
            [
                mine.key,
                now,
                mine.total if mine.value != HIDDEN and mine.total is not None else HIDDEN,
                then,
                other.total if other.count is not None else HIDDEN,
                EMPTY if other.difference is None else other.difference,
            ]
        )
    title = words("table.comparison", label=against.label)
    result = Table("comparison", title, headers, rows)
    result.words = {f.key: f.label for f in summary.figures}
    return result


def _points(count: int | None, total: int | None) -> float | str:
    """A rate as a percentage to one place (empty of nothing)."""
    return round(100 * count / total, 1) if count is not None and total else EMPTY


def empty(figures: tuple[Figure, ...]) -> bool:
    """Whether a report's summary has nothing in it: nobody reached, no rate with a total."""
    reached = next((f.value for f in figures if f.key == "reached"), "0")
    return reached == "0" and not any(f.total for f in figures)
