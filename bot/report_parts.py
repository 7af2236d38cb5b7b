"""What a section of the program report is made of, for every capability that adds one:
headline figures, tables and charts, the report's wording, the period and what a section's
builder is given (:class:`ReportScope`).

A capability registers a section with ``registry.report_section`` (``bot.registry``); the
report (``bot.report``) builds its own sections, then each registered one in help order.

Privacy: figures that count or average people go through the page's ledger, ``scope.cells``
(``bot.suppression.Cells``), so a group smaller than ``[surveys] min_group_size`` is shown as
hidden, never as its number, nor as what follows from the other numbers of the page.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from bot.suppression import Cells

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings
    from bot.prompts import Prompts
    from storage.models import Program
    from storage.report import PairRow

NONE = "-"  # a figure with nothing to show yet (no scores, no ratings, nothing completed)


@dataclass
class Table:
    """A section's table; ``name`` is its CSV file's stem and ``headers`` its CSV headers
    (both stable). ``words`` shows coded cells (a survey scale's id) in words on the page.
    """

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    words: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A headline figure: ``key`` is stable (figures.csv), ``label`` comes from the prompts.
    A rate also carries its ``count`` and ``total`` (figures.csv writes them as numbers).
    """

    key: str
    label: str
    value: str
    count: int | None = None
    total: int | None = None
    group: str = ""  # the group a figure is about (figures.csv's group column; not in the key)
    change: tuple[float, float, float, int] | None = None  # a change: mean, 95% low, high, n

    @property
    def rate(self) -> float | None:
        """``count`` out of ``total`` as a fraction (None: not a rate, or nothing to divide)."""
        if self.count is None or not self.total:
            return None
        return self.count / self.total


@dataclass
class Chart:
    """A chart drawn from a table's columns; ``alt`` is its text alternative."""

    name: str
    title: str
    kind: str  # "line" or "bar"
    labels: list[str]
    series: dict[str, list[float | None]]
    alt: str
    top: float | None = None  # the scale's top (5 for ratings), else the data's
    x_title: str = ""  # the axes' titles with their units (the report fills them from
    y_title: str = ""  # the prompts' [report.axis] by the chart's name when left empty)


@dataclass
class Section:
    """One part of the report: headline figures, tables and charts."""

    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""  # how to read the section (which survey, the rule behind a sentence)


class Words:
    """The report's wording, from the prompts' ``[report]`` tables."""

    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts

    def __call__(self, key: str, /, **values: Any) -> str:
        """The prompt ``report.<key>`` as plain text."""
        return self.prompts.text(f"report.{key}", **values)

    def figure(self, key: str, value: object, /, **values: Any) -> Figure:
        """The figure ``key`` with its label."""
        return Figure(key, self(f"figure.{key}", **values), str(value))

    def rate(self, key: str, count: object, total: object, /, **values: Any) -> Figure:
        """The figure ``key`` as a rate, "67% (1193 of 1791)"; a hidden count or total
        (anything but a number) hides it whole.
        """
        label = self(f"figure.{key}", **values)
        if not isinstance(count, int) or isinstance(count, bool):
            return Figure(key, label, str(count))
        if not isinstance(total, int) or isinstance(total, bool):
            return Figure(key, label, str(total))
        if not total:
            return Figure(key, label, NONE, count, total)
        text = self("rate", percent=percent(count, total), count=count, total=total)
        return Figure(key, label, text, count, total)

    def section(self, key: str) -> Section:
        """An empty section with its title."""
        return Section(key, self(f"section.{key}"))

    def table(self, name: str, headers: list[str], rows: list[list[Any]]) -> Table:
        """The table ``name`` with its title."""
        return Table(name, self(f"table.{name}"), headers, rows)


@dataclass
class Period:
    """The report's period, [start, end) as aware datetimes (None: open on that side)."""

    start: datetime | None
    end: datetime | None

    def has(self, when: datetime | date | None) -> bool:
        """Whether ``when`` (a day counts from its local midnight) falls in the period."""
        if when is None:
            return False
        if isinstance(when, datetime):
            moment = when
        else:
            moment = datetime.combine(when, time(), tzinfo=self.tz())
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def tz(self) -> Any:
        """The period's zone (None for the whole program)."""
        moment = self.start or self.end
        return moment.tzinfo if moment else None


@dataclass(frozen=True)
class ReportScope:
    """What a section's builder is given: one transaction, the program, the period, the
    smallest group shown, the wording, and the program's pairs published in the period.
    """

    session: Session
    program: Program
    settings: Settings
    period: Period
    minimum: int
    words: Words
    pairs: list[PairRow]
    now: datetime | None = None  # when the report is made (pairs' health is as of then)
    ledger: Cells | None = None  # the page's cells (``bot.suppression``); a fresh one if None

    def __post_init__(self) -> None:
        if self.ledger is None:
            object.__setattr__(self, "ledger", Cells(self.minimum))

    @property
    def cells(self) -> Cells:
        """The page-wide ledger every section registers its counts and sums in."""
        assert self.ledger is not None
        return self.ledger

    @property
    def program_id(self) -> int:
        """The program's id (a stored program always has one)."""
        assert self.program.id is not None
        return self.program.id


def bars(name: str, what: str, rows: list[list[Any]], words: Words) -> Chart | None:
    """A bar chart of a (label, count) table's shown rows, with its text alternative;
    ``what`` names the series.
    """
    shown = [(str(label), float(n)) for label, n in rows if isinstance(n, int) and n]
    if not shown:
        return None
    alt = words(f"alt.{name}", values=", ".join(f"{lab} {n:g}" for lab, n in shown))
    series: dict[str, list[float | None]] = {words(f"series.{what}"): [n for _, n in shown]}
    return Chart(name, words(f"chart.{name}"), "bar", [lab for lab, _ in shown], series, alt)


def percent(count: int, total: int) -> str:
    """``count`` of ``total`` as a whole percentage ("67")."""
    return f"{100 * count / total:.0f}"


SURVEYS_ANSWERED = ("surveys", "invitations_answered")  # + survey: a ledger key (the summary's)
SURVEY_HEADLINE = "headline_"  # a surveys figure keyed headline_* is also shown in the summary


def median(values: list[float]) -> str:
    """The median to one decimal, or :data:`NONE` when there is nothing to take it of."""
    return f"{statistics.median(values):.1f}" if values else NONE


BUCKETS = ("none yet", "1-24%", "25-49%", "50-74%", "75-99%", "100%")  # percent done


def bucket(progress: int | None) -> str:
    """The bucket of :data:`BUCKETS` a percentage falls in."""
    if progress is None or progress == 0:
        return "none yet"
    if progress >= 100:
        return "100%"
    return ["1-24%", "25-49%", "50-74%", "75-99%"][min(progress // 25, 3)]
