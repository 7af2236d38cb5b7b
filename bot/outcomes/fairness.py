"""A fair matching, shown: per group the share matched, the median days waiting for a first
match, rounds left out, mean fit score and early endings; the spread of mentees over mentors;
and a sentence naming a group that waits markedly longer than the others.

Waiting is a mentee's (and a peer's) matter: the wait columns count only them, mentors' rows
are empty there. A wait runs from joining to the first match, or to the period's end (at
most the program's last day). The median is over those who waited at least a day (the share
who did not wait is in "matched %"), so a few more people matched on their first day cannot
flip a median from 0 to 11 days. A group "waits markedly longer" when at least ``AT_LEAST``
of its people waited and their median is ``SLOWER`` times the other groups' waiters' and
``MORE_DAYS`` days more.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

from bot.outcomes.facts import Facts, collect, dimensions
from bot.outcomes.groups import (
    ALL,
    EMPTY,
    hidden,
    key,
    mean,
    percent,
    register_counts,
    register_people,
    split,
)
from bot.report_parts import NONE, Figure, ReportScope, Section, Table, Words
from bot.suppression import HIDDEN, Cells
from storage import outcomes as db

SLOWER = 1.5  # a group's median wait at least this times the others' is "markedly longer"
MORE_DAYS = 7  # ... and at least this many days more
AT_LEAST = 10  # ... with at least this many of its people having waited
WAITED = 1.0  # days: waited at all (matched on the day they joined: not)
HEADERS = [
    "group",
    "people",
    "matched %",
    "median days waiting",
    "rounds left out",
    "mean fit score",
    "early endings",
]


def fairness_section(scope: ReportScope) -> Section:
    """The fairness table of each split, the mentees-per-mentor spread, and who waits longer."""
    facts = collect(scope)
    words = scope.words
    section = words.section("fairness")
    for dimension in dimensions(scope):
        table, slower = _table(facts, dimension, scope.cells, words)
        section.tables.append(table)
        section.figures += slower
    section.figures[:0] = _spread(scope)
    section.note = words(
        "note.fairness", slower=SLOWER, days=MORE_DAYS, at_least=max(AT_LEAST, scope.minimum)
    )
    return section


def waited(members: list[Facts]) -> list[float]:
    """The days the mentees and peers among ``members`` who waited at least a day waited."""
    return [f.wait_days for f in members if f.waits and f.wait_days >= WAITED]


def median_wait(members: list[Facts]) -> float | None:
    """The median days from joining to a first match (the still waiting: to the period's end)
    of those who waited (None: nobody did).
    """
    days = waited(members)
    return statistics.median(days) if days else None


def _table(
    facts: list[Facts], dimension: str, cells: Cells, words: Words
) -> tuple[Table, list[Figure]]:
    """A split's fairness table (its counts on the page's ledger, people shared with the
    groups section and participation: ``register_people``) and who waits longer.
    """
    groups = split(facts, dimension)
    people = register_people(cells, groups, dimension)
    register_counts(cells, groups, dimension, "matched", lambda f: f.waits and f.matched)
    register_counts(cells, groups, dimension, "waiting", lambda f: f.waits and not f.matched)
    register_counts(cells, groups, dimension, "mentors", lambda f: not f.waits)
    for g in [*groups, ALL]:
        parts = [key(dimension, n, g) for n in ("matched", "waiting", "mentors")]
        cells.sum(people[g], parts)
    register_counts(cells, groups, dimension, "left_out", lambda f: f.rounds_out)
    register_counts(cells, groups, dimension, "early", lambda f: f.early)
    rows = [
        _row(g, members, cells, people[g], dimension)
        for g, members in [*groups.items(), (ALL, facts)]
    ]
    name = words(f"dimension.{dimension}")
    table = Table(
        f"fairness_by_{dimension}",
        words("table.fairness_by", dimension=name),
        [dimension, *HEADERS[1:]],
        rows,
    )
    table.words = {ALL: words("group.all")}
    return table, _slower(groups, cells, dimension, name, words)


def _row(
    group: str, members: list[Facts], cells: Cells, people: Hashable, dimension: str
) -> list[Any]:
    matched, waiting = key(dimension, "matched", group), key(dimension, "waiting", group)
    small = len(members) < cells.minimum  # a complement's median and mean give nothing away
    share = (  # of the mentees and peers: mentors are not waiting for a partner
        HIDDEN
        if hidden(cells, people, matched, waiting, key(dimension, "mentors", group))
        else percent(cells.counts[matched], cells.counts[matched] + cells.counts[waiting])
    )
    scores = [s for f in members for s in f.scores]
    wait = median_wait(members)
    return [
        group,
        cells.show(people),
        share,
        HIDDEN if small else (EMPTY if wait is None else round(wait, 1)),
        cells.show(key(dimension, "left_out", group)),
        HIDDEN if small or len(scores) < cells.minimum else mean(scores),
        cells.show(key(dimension, "early", group)),
    ]


def _slower(
    groups: dict[str, list[Facts]],
    cells: Cells,
    dimension: str,
    name: str,
    words: Words,
) -> list[Figure]:
    """A figure for each group whose median wait is markedly longer than the others'."""
    out = []
    for group, wait, others in markedly_longer(groups, max(AT_LEAST, cells.minimum)):
        label = words("figure.waits_longer", group=group, dimension=name)
        value = words("figure.waits_longer_value", days=f"{wait:.1f}", overall=f"{others:.1f}")
        out.append(Figure(f"waits_longer_{dimension}", label, value, group=group))
    return out


def markedly_longer(groups: dict[str, list[Facts]], least: int) -> list[tuple[str, float, float]]:
    """The groups that wait markedly longer (the module's rule, at least ``least`` of them
    and of the others having waited), each with its median wait and the others'.
    """
    out = []
    for group, members in groups.items():
        mine = waited(members)
        others = [d for g, m in groups.items() if g != group for d in waited(m)]
        if len(mine) < least or len(others) < least:
            continue
        wait, overall = statistics.median(mine), statistics.median(others)
        if wait >= SLOWER * overall and wait - overall >= MORE_DAYS:
            out.append((group, wait, overall))
    return out


def _spread(scope: ReportScope) -> list[Figure]:
    """Mentees per mentor over the period's pairs: fewest, median and most, a number each
    (hidden when fewer mentors than the smallest group shown).
    """
    pairs: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in db.memberships(session=scope.session, program_id=scope.program_id):
        if scope.period.has(row.started_at):
            pairs[row.pair_id][row.role].add(row.member_id)
    mentees: dict[int, set[int]] = defaultdict(set)
    for members in pairs.values():
        for mentor in members.get("mentor", ()):
            mentees[mentor] |= members.get("mentee", set())
    counts = sorted(len(m) for m in mentees.values())
    shown: dict[str, object] = {"fewest": NONE, "median": NONE, "most": NONE}
    if counts and len(counts) < scope.minimum:
        shown = dict.fromkeys(shown, HIDDEN)
    elif counts:
        middle = statistics.median(counts)
        shown = {
            "fewest": counts[0],
            "median": int(middle) if middle == int(middle) else middle,
            "most": counts[-1],
        }
    return [scope.words.figure(f"mentees_per_mentor_{k}", v) for k, v in shown.items()]
