"""Over time: each rate per month (meetings held, goals reached, mean session rating, first
matches) and the meeting rate per cycle, so a reader sees whether the program is improving.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from bot.outcomes.facts import pair_cycles
from bot.outcomes.groups import EMPTY, percent
from bot.report_parts import ReportScope, Section, Table
from storage import outcomes as db

MONTHLY = [
    "month",
    "meetings held %",
    "pair-cycles planned",
    "goals reached %",
    "goals set",
    "mean session rating",
    "raters",
]
PER_CYCLE = ["cycle", "meetings held %", "pairs planned"]


def over_time_section(scope: ReportScope) -> Section:
    """The period's rates month by month and cycle by cycle."""
    section = scope.words.section("over_time")
    planned, held = _cycles(scope)
    tz = scope.period.tz() or UTC

    def month(when: datetime | date) -> str:
        moment = when.astimezone(tz) if isinstance(when, datetime) else when
        return moment.strftime("%Y-%m")

    goals: dict[str, list[bool]] = defaultdict(list)
    for g in db.goals(session=scope.session, program_id=scope.program_id):
        if scope.period.has(g.created_at):
            goals[month(g.created_at)].append(g.done)
    ratings: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in db.ratings(session=scope.session, program_id=scope.program_id):
        if scope.period.has(r.created_at):
            ratings[month(r.created_at)][r.member_id].append(float(r.rating))
    cells = scope.cells  # the page's ledger (bot.suppression)
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cycle in planned:
        by_month[month(cycle)][0] += len(planned[cycle])
        by_month[month(cycle)][1] += len(held.get(cycle, ()))
    rows: list[list[Any]] = []
    for m in sorted(set(by_month) | set(goals) | set(ratings)):
        n_planned, n_held = by_month.get(m, [0, 0])
        raters = cells.people(("over_time", "raters", m), len(ratings[m]))
        values = [v for vs in ratings[m].values() for v in vs]
        reached = goals.get(m, [])
        rows.append(
            [
                m,
                percent(n_held, n_planned),
                n_planned,
                percent(sum(reached), len(reached)),
                len(reached),
                EMPTY if not values else cells.mean(values, raters),
                cells.show(raters),
            ]
        )
    cycles = [
        [c.isoformat(), percent(len(held.get(c, ())), len(planned[c])), len(planned[c])]
        for c in sorted(planned)
    ]
    words = scope.words
    section.tables = [
        Table("rates_by_month", words("table.rates_by_month"), MONTHLY, rows),
        Table("rates_by_cycle", words("table.rates_by_cycle"), PER_CYCLE, cycles),
    ]
    return section


def _cycles(scope: ReportScope) -> tuple[dict[date, set[int]], dict[date, set[int]]]:
    """Per cycle in the period the pairs with a check-in and those where someone met (the
    per-pair cycles of :func:`bot.outcomes.facts.pair_cycles`, turned around).
    """
    planned, held = pair_cycles(scope)
    return _by_cycle(planned), _by_cycle(held)


def _by_cycle(per_pair: dict[int, set[date]]) -> dict[date, set[int]]:
    out: dict[date, set[int]] = defaultdict(set)
    for pair_id, cycles in per_pair.items():
        for cycle in cycles:
            out[cycle].add(pair_id)
    return out
