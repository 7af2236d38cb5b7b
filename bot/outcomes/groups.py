"""Who it worked for: every outcome (meetings held, goals reached, session rating, thinking
of dropping out) split by role, time-zone region, intake and each reportable profile field.

Privacy: each table's counts of people go through ``bot.suppression.Cells`` (groups add up to
everyone), and a rate or mean is hidden whenever a count it comes from is.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Hashable
from typing import Any

from bot.outcomes.facts import AT_RISK, Facts, collect, dimensions
from bot.report_parts import ReportScope, Section, Table, Words
from bot.suppression import HIDDEN, Cells

ALL = "all"
HEADERS = [
    "group",
    "people",
    "meetings held %",
    "goals reached %",
    "mean session rating",
    "raters",
    "dropping out %",
    "answered",
]


EMPTY = ""  # a cell with nothing to show (no meetings planned, nobody rated)


def percent(part: int, whole: int) -> float | str:
    """``part`` of ``whole`` as a percentage to one place (empty of nothing)."""
    return round(100 * part / whole, 1) if whole else EMPTY


def split(facts: list[Facts], dimension: str) -> dict[str, list[Facts]]:
    """The members by their group in ``dimension``, groups in order."""
    out: dict[str, list[Facts]] = {}
    for f in sorted(facts, key=lambda f: f.groups[dimension]):
        out.setdefault(f.groups[dimension], []).append(f)
    return out


def register_counts(
    cells: Cells, groups: dict[str, list[Facts]], name: str, count: Callable[[Facts], int]
) -> None:
    """The people counted by ``count`` in each group (``(name, group)``), adding up to all."""
    parts = [
        cells.people((name, g), sum(count(f) for f in members)) for g, members in groups.items()
    ]
    total = sum(cells.counts[p] for p in parts)
    cells.sum(cells.people((name, ALL), total), parts)


def mean(values: list[float]) -> float | str:
    """The mean to two places (empty of nothing)."""
    return round(statistics.fmean(values), 2) if values else EMPTY


def hidden(cells: Cells, *keys: Hashable) -> bool:
    """Whether any of these cells is hidden."""
    return any(k in cells.hidden for k in keys)


def groups_section(scope: ReportScope) -> Section:
    """Each outcome by each split of the report."""
    facts = collect(scope)
    section = scope.words.section("groups")
    section.tables = [_table(facts, d, scope.minimum, scope.words) for d in dimensions(scope)]
    return section


def _table(facts: list[Facts], dimension: str, minimum: int, words: Words) -> Table:
    groups = split(facts, dimension)
    cells = Cells(minimum)
    register_counts(cells, groups, "people", lambda f: 1)
    register_counts(cells, groups, "raters", lambda f: bool(f.ratings))
    register_counts(cells, groups, "answered", lambda f: f.intent is not None)
    register_counts(cells, groups, "risk", lambda f: f.intent is not None and f.intent <= AT_RISK)
    rows = [_row(g, members, cells) for g, members in [*groups.items(), (ALL, facts)]]
    table = Table(
        f"outcomes_by_{dimension}",
        words("table.outcomes_by", dimension=words(f"dimension.{dimension}")),
        [dimension, *HEADERS[1:]],
        rows,
    )
    table.words = {ALL: words("group.all")}
    return table


def _row(group: str, members: list[Facts], cells: Cells) -> list[Any]:
    people, raters = ("people", group), ("raters", group)
    answered, risk = ("answered", group), ("risk", group)
    small = len(members) < cells.minimum  # a complement's rates give nothing away
    if small:
        rates: list[Any] = [HIDDEN, HIDDEN]
    else:
        rates = [
            percent(sum(f.held for f in members), sum(f.planned for f in members)),
            percent(sum(f.reached for f in members), sum(f.goals for f in members)),
        ]
    ratings = [float(r) for f in members for r in f.ratings]
    dropping = (
        HIDDEN
        if small or hidden(cells, answered, risk)
        else percent(cells.counts[risk], cells.counts[answered])
    )
    return [
        group,
        cells.show(people),
        *rates,
        HIDDEN if small or cells.counts[raters] < cells.minimum else mean(ratings),
        cells.show(raters),
        dropping,
        cells.show(answered),
    ]
