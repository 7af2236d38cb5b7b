"""Small groups stay hidden, also from the numbers shown beside them.

The threshold rule: a count of people from 1 to ``[surveys] min_group_size - 1`` is shown as
``hidden`` (0 stays 0: an empty group identifies nobody). Alone that is not enough: 300 joined
minus the time zones shown gives the hidden zone's count. So, as statistical agencies do,
complementary cells are hidden too. Wherever cells add up to a total (a ``Sum``):

- if the total is shown and any part is hidden, at least two parts are hidden, together at
  least ``min_group_size`` and not all of them 1 (three hidden cells adding up to 3 are each
  1); while that does not hold the smallest shown part is hidden too, and when no part is
  left, the total;
- if the total is hidden, at least one part is hidden (else the parts add up to it).

A total that readers know from elsewhere (``known``) is never hidden: its zero parts are
hidden instead. Hiding one cell can unsettle another sum, so the rules run until nothing
changes. A mean is hidden whenever a count it comes from is (``Cells.mean``).
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
HIDDEN = "hidden"  # what a hidden cell shows


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
    the complementary cells that keep them from following from any sum.
    """
    fixed = frozenset(known)
    hidden = {k for k in people if 0 < counts[k] < minimum and k not in fixed}
    changed = True
    while changed:
        changed = False
        for relation in sums:
            more = _complement(relation, counts, hidden, minimum, fixed)
            if more:
                hidden |= more
                changed = True
    return frozenset(hidden)


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
    """The counts of one table or section and how they add up, hidden together: register
    cells (``people`` counts fall under the threshold; ``count`` cells are only ever hidden as
    complements), then ``show`` each.
    """

    minimum: int
    counts: dict[Hashable, int] = field(default_factory=dict)
    people_keys: set[Hashable] = field(default_factory=set)
    known: set[Hashable] = field(default_factory=set)
    sums: list[Sum] = field(default_factory=list)
    _hidden: frozenset[Hashable] | None = None

    def people(self, key: K, n: int) -> K:
        """A count of people (or their answers): hidden under the minimum."""
        self.counts[key] = n
        self.people_keys.add(key)
        return key

    def count(self, key: K, n: int, *, known: bool = False) -> K:
        """A count hidden only as a complement; ``known``: never shown here, but readers may
        know it from elsewhere, so it is never taken as secret.
        """
        self.counts[key] = n
        if known:
            self.known.add(key)
        return key

    def sum(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """``parts`` add up to ``total``."""
        self.sums.append(Sum(total, tuple(parts)))

    @property
    def hidden(self) -> frozenset[Hashable]:
        """Every hidden key (worked out once, when first asked)."""
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
