"""A report against an earlier period's (``mentorbot report --compare-to FROM:TO``): each
summary rate now, then, and the change; each headline figure beside its earlier value.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from bot.report_parts import Table

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
