"""Who it worked for: every outcome (meetings held, goals reached, session rating, thinking
of dropping out) split by role, time-zone region, intake and each reportable profile field.

Privacy: each table's counts of people go through the page's ledger (``scope.cells``, see
``bot.suppression``): groups add up to everyone; when the people counted are those who joined
in the period, a role's people are participation's role cell, a region's the sum of its
zones and everyone the people joined, so nothing hidden there is found here by subtraction.
A rate or mean is hidden whenever a count it comes from is.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from bot.outcomes.facts import Facts, collect, dimensions, dropping_survey
from bot.report_parts import ReportScope, Section, Table, Words
from bot.suppression import HIDDEN, PEOPLE_JOINED, Cells, joined

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


def key(dimension: str, name: str, group: str) -> tuple[str, ...]:
    """The page-wide key of a split's count ``name`` of ``group`` (the all row: every split's)."""
    return ("outcomes", name, ALL) if group == ALL else ("outcomes", dimension, name, group)


def register_counts(
    cells: Cells,
    groups: dict[str, list[Facts]],
    dimension: str,
    name: str,
    count: Callable[[Facts], int],
) -> None:
    """The people counted by ``count`` in each group, adding up to all."""
    parts = [
        cells.people(key(dimension, name, g), sum(count(f) for f in members))
        for g, members in groups.items()
    ]
    total = sum(cells.counts[p] for p in parts)
    cells.sum(cells.people(key(dimension, name, ALL), total), parts)


def register_people(
    cells: Cells, groups: dict[str, list[Facts]], dimension: str
) -> dict[str, Hashable]:
    """Each group's people and everyone's (the key of each, by group and ``ALL``). When they
    are the people who joined in the period (as in the report's participation), the same
    numbers: a role's is ``joined("role", r)``, a region's the sum of its zones' and
    everyone's ``PEOPLE_JOINED``.
    """
    facts = [f for members in groups.values() for f in members]
    if not all(f.in_period for f in facts) or cells.counts.get(PEOPLE_JOINED) != len(facts):
        register_counts(cells, groups, dimension, "people", lambda f: 1)
        return {g: key(dimension, "people", g) for g in [*groups, ALL]}
    out: dict[str, Hashable] = {ALL: cells.people(PEOPLE_JOINED, len(facts))}
    for group, members in groups.items():
        if dimension == "role":
            out[group] = cells.people(joined("role", group), len(members))
            continue
        out[group] = cells.people(key(dimension, "people", group), len(members))
        if dimension == "region":
            zones = Counter(f.zone for f in members)
            parts = [cells.people(joined("zone", z), n) for z, n in sorted(zones.items())]
            cells.sum(out[group], parts)
    cells.sum(PEOPLE_JOINED, [out[g] for g in groups])
    return out


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
    section.tables = [_table(facts, d, scope.cells, scope.words) for d in dimensions(scope)]
    source = dropping_survey(scope)
    if source is not None:  # which survey "dropping out %" counts
        survey, rule = source
        name = scope.words.prompts.text(f"survey.name_{survey}")
        section.note = scope.words("note.dropping_from", survey=name, answers=rule.shown())
    return section


def _table(facts: list[Facts], dimension: str, cells: Cells, words: Words) -> Table:
    groups = split(facts, dimension)
    people = register_people(cells, groups, dimension)
    register_counts(cells, groups, dimension, "raters", lambda f: bool(f.ratings))
    register_counts(cells, groups, dimension, "answered", lambda f: f.dropping is not None)
    register_counts(cells, groups, dimension, "risk", _at_risk)
    rows = [
        _row(g, members, cells, people[g], dimension)
        for g, members in [*groups.items(), (ALL, facts)]
    ]
    table = Table(
        f"outcomes_by_{dimension}",
        words("table.outcomes_by", dimension=words(f"dimension.{dimension}")),
        [dimension, *HEADERS[1:]],
        rows,
    )
    table.words = {ALL: words("group.all")}
    return table


def _at_risk(f: Facts) -> bool:
    return f.dropping is True


def _row(
    group: str, members: list[Facts], cells: Cells, people: Hashable, dimension: str
) -> list[Any]:
    raters, answered = key(dimension, "raters", group), key(dimension, "answered", group)
    risk = key(dimension, "risk", group)
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
