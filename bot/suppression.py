"""Small groups stay hidden, also from the numbers shown beside them, anywhere on the page.

The threshold rule: a count of people from 1 to ``[surveys] min_group_size - 1`` is shown as
``hidden`` (0 stays 0: an empty group identifies nobody). Alone that is not enough: 300 joined
minus the time zones shown gives the hidden zone's count. So, as statistical agencies do,
complementary cells are hidden too. Wherever cells add up to a total (a ``Sum``):

- if the total is shown and any part is hidden, at least two parts are hidden, together at
  least ``min_group_size`` and not all of them 1 (three hidden cells adding up to 3 are each
  1); while that does not hold the smallest shown part is hidden too, and when no part is
  left, the total;
- if the total is hidden, at least one part is hidden (else the parts add up to it);
- across all sums at once: every sum is a linear equation, shown cells are known numbers; while
  some hidden cell follows from them (by subtracting one table from another, however many
  steps), the smallest shown cell of a sum it is in is hidden too.

A total that readers know from elsewhere (``known``) is never hidden: its zero parts are
hidden instead. Hiding one cell can unsettle another sum, so the rules run until nothing
changes. A mean is hidden whenever a count it comes from is (``Cells.mean``).

How a report section uses it (one ledger for the whole page)
-----------------------------------------------------------
``bot.report.figures.build`` gives every section the same :class:`Cells`, ``scope.cells``,
and builds the sections twice: the first time only to learn every cell and sum of the page
(nothing is hidden then, and what is built is thrown away), the second time with what to hide
worked out for the whole page. So a section:

1. registers each number it shows that counts people (``scope.cells.people(key, n)``) or
   that only adds up with them (``scope.cells.count(key, n)``), and declares each total
   (``scope.cells.sum(total, parts)``): "total = sum of parts", as many as hold;
2. shows cells only through ``scope.cells.show(key)`` / ``scope.cells.mean(values, key)``;
3. registers the same cells whatever ends up hidden (a different count for a key already
   registered is a bug, and raises ``ValueError``).

Keys are page-wide: a key is one number of the page, in whichever table it appears. Name a
section's own cells under its key (``("goals", "completed")``); use the same key for the
same number in another table, so both are hidden together. The report's own keys are
``PEOPLE_JOINED`` and ``joined(dimension, group)`` (people who joined, by ``"role"`` and
``"zone"``), ``status(s)`` (members now active, paused or left) and ``PAIRS_FORMED``. The
summary (``bot.report.summary.register``) puts its counts on the same ledger, linked to these:
a rate's n is a group's cell (the mentees who joined), and the pairs formed are the mentees
matched (twice them the peers matched) when the numbers say so. The group and fairness
tables (``bot.outcomes``) reuse them when they count the same people: a region's people are
the sum of its zones' ``joined("zone", z)``.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
HIDDEN = "hidden"  # what a hidden cell shows
PEOPLE_JOINED = ("joined",)  # the people who joined in the period
PAIRS_FORMED = ("matching", "pairs")  # the pairs (or circles) formed in the period


def joined(dimension: str, group: str) -> tuple[str, str, str]:
    """The key of the people who joined in the period in ``group`` of ``dimension``."""
    return ("joined", dimension, group)


def status(name: str) -> tuple[str, str]:
    """The key of the program's members now in status ``name``."""
    return ("status", name)


@dataclass(frozen=True)
class Sum:
    """``parts`` add up to ``total`` (keys of cells)."""

    total: Hashable
    parts: tuple[Hashable, ...]


def hidden_cells(
    counts: Mapping[Hashable, int],
    *,
    people: Iterable[Hashable],
    sums: Sequence[Sum],
    minimum: int,
    known: Iterable[Hashable] = (),
) -> frozenset[Hashable]:
    """The keys of ``counts`` to hide: the ``people`` counts under ``minimum`` (not 0), and
    the complementary cells that keep them from following from any sum or any sums together.
    """
    fixed = frozenset(known)
    hidden = {k for k in people if 0 < counts[k] < minimum and k not in fixed}
    while True:
        _settle_each(hidden, counts, sums, minimum, fixed)
        more = _cover(derivable(hidden, sums, known=fixed), counts, hidden, sums, fixed)
        if more is None:
            return frozenset(hidden)
        hidden.add(more)


def _settle_each(
    hidden: set[Hashable],
    counts: Mapping[Hashable, int],
    sums: Sequence[Sum],
    minimum: int,
    known: frozenset[Hashable],
) -> None:
    """Hide cells until each sum on its own gives nothing away."""
    changed = True
    while changed:
        changed = False
        for relation in sums:
            more = _complement(relation, counts, hidden, minimum, known)
            if more:
                hidden |= more
                changed = True


def derivable(
    hidden: Iterable[Hashable], sums: Sequence[Sum], *, known: Iterable[Hashable] = ()
) -> list[Hashable]:
    """The hidden cells whose value follows from the shown ones through ``sums`` taken as
    linear equations (in exact arithmetic): those whose column the equations' rank needs.
    """
    secret = set(hidden) - set(known)
    involved = [s for s in sums if secret & {s.total, *s.parts}]
    unknowns = sorted(secret & {k for s in involved for k in (s.total, *s.parts)}, key=str)
    rows = [_row(s, unknowns) for s in involved]
    full = _rank(rows)
    return [
        key for i, key in enumerate(unknowns) if _rank([r[:i] + r[i + 1 :] for r in rows]) < full
    ]


def _row(relation: Sum, unknowns: list[Hashable]) -> list[Fraction]:
    """The coefficients of ``unknowns`` in ``total - sum(parts) = 0``."""
    row = [Fraction(0)] * len(unknowns)
    where = {k: i for i, k in enumerate(unknowns)}
    if relation.total in where:
        row[where[relation.total]] += 1
    for part in relation.parts:
        if part in where:
            row[where[part]] -= 1
    return row


def _rank(rows: list[list[Fraction]]) -> int:
    """The rank of a matrix, by Gaussian elimination on exact fractions."""
    matrix = [list(r) for r in rows if any(r)]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for col in range(columns):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][col]), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][col]:
                factor = matrix[i][col] / matrix[rank][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def _cover(
    exposed: list[Hashable],
    counts: Mapping[Hashable, int],
    hidden: set[Hashable],
    sums: Sequence[Sum],
    known: frozenset[Hashable],
) -> Hashable | None:
    """The next cell to hide for the first exposed hidden cell: the smallest shown cell of a
    sum it is in (a part before the total); None when nothing is exposed (or can be covered).
    """
    for key in exposed:
        for relation in sums:
            cells = (*relation.parts, relation.total)
            if key not in cells:
                continue
            open_ = [c for c in cells if c not in hidden and c not in known]
            if open_:
                return min(open_, key=lambda c: (c == relation.total, counts[c] == 0, counts[c]))
    return None


def protected(values: Sequence[int], minimum: int) -> bool:
    """Whether hidden parts of these values leave each one unknown beside a shown total: two
    or more, together at least ``minimum`` and not all ones.
    """
    return len(values) >= 2 and sum(values) >= minimum and sum(values) > len(values)


def _complement(
    relation: Sum,
    counts: Mapping[Hashable, int],
    hidden: set[Hashable],
    minimum: int,
    known: frozenset[Hashable],
) -> set[Hashable]:
    """The next cells to hide for one sum (none when it gives nothing away)."""
    secret = [p for p in relation.parts if p in hidden]
    open_ = [p for p in relation.parts if p not in hidden and p not in known]
    nonzero = sorted((p for p in open_ if counts[p]), key=lambda p: (counts[p], str(p)))
    if relation.total in hidden:
        if secret or not open_:
            return set()
        return {(nonzero or open_)[0]}
    if not secret or protected([counts[p] for p in secret], minimum):
        return set()
    if nonzero:
        return {nonzero[0]}
    if relation.total not in known:
        return {relation.total}
    return set(open_)  # a known total: its zero parts hide with the rest


@dataclass
class Cells:
    """The counts of a page (or one table) and how they add up, hidden together: register
    cells (``people`` counts fall under the threshold; ``count`` cells are only ever hidden as
    complements) and sums, then ``show`` each. A report's page-wide ledger is made with
    ``drafting=True`` and settled (``settle``) between its two builds (see the module's docstring).
    """

    minimum: int
    counts: dict[Hashable, int] = field(default_factory=dict)
    people_keys: set[Hashable] = field(default_factory=set)
    known: set[Hashable] = field(default_factory=set)
    sums: list[Sum] = field(default_factory=list)
    drafting: bool = False  # learning the page's cells: nothing is hidden yet
    _hidden: frozenset[Hashable] | None = None
    _settled: bool = False

    def _add(self, key: Hashable, n: int) -> bool:
        """Record ``key``'s count; False when the ledger is settled and already has it."""
        if key in self.counts and self.counts[key] != n:
            raise ValueError(f"report cell {key!r} registered as {self.counts[key]} and {n}")
        if self._settled:
            if key not in self.counts:
                raise ValueError(f"report cell {key!r} first registered after settling")
            return False
        self.counts[key] = n
        self._hidden = None
        return True

    def people(self, key: K, n: int) -> K:
        """A count of people (or their answers): hidden under the minimum."""
        if self._add(key, n):
            self.people_keys.add(key)
        return key

    def count(self, key: K, n: int, *, known: bool = False) -> K:
        """A count hidden only as a complement; ``known``: never shown here, but readers may
        know it from elsewhere, so it is never taken as secret.
        """
        if self._add(key, n) and known:
            self.known.add(key)
        return key

    def sum(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """``parts`` add up to ``total`` (both registered first)."""
        relation = Sum(total, tuple(parts))
        if not self._settled and relation not in self.sums:
            self.sums.append(relation)
            self._hidden = None

    def settle(self) -> None:
        """Work out what to hide from every cell and sum registered so far; from now on the
        same cells may be registered again (a second build), new ones may not.
        """
        self.drafting = False
        self._hidden = None
        _ = self.hidden
        self._settled = True

    @property
    def hidden(self) -> frozenset[Hashable]:
        """Every hidden key (worked out when asked after a change; none while drafting)."""
        if self.drafting:
            return frozenset()
        if self._hidden is None:
            self._hidden = hidden_cells(
                self.counts,
                people=self.people_keys,
                sums=self.sums,
                minimum=self.minimum,
                known=self.known,
            )
        return self._hidden

    def show(self, key: Hashable) -> int | str:
        """The cell's count, or ``hidden``."""
        return HIDDEN if key in self.hidden else self.counts[key]

    def mean(self, values: Sequence[float], *keys: Hashable) -> float | str:
        """The mean of ``values`` to two places, hidden when any count it comes from (its n,
        its spread: ``keys``) is hidden; empty when there are no values.
        """
        if not values:
            return ""
        if any(k in self.hidden for k in keys):
            return HIDDEN
        return round(statistics.fmean(values), 2)
