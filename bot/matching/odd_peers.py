"""Nobody left out of a peer round for recency's sake or for being the odd one.

The peer solve treats recent partners as ruled out, so a small pool can leave people
unpaired (everyone left is a recent partner), and an odd pool leaves one person who joins
a pair as a trio. Recency is a preference, not a hard rule: when the solve leaves out
someone who has a partner under the hard rules (shared language, team, blocks), the pool is
paired again on every pair those rules allow, a recent partner costing more the more recent
the pairing, so repeats are the fewest and oldest possible. An odd pool tries each likely
person as the trio's third (``TRIO_TRIES``, fewer in large pools) and keeps the grouping
with the fewest repeats, then the best fit. Someone who still can't be placed has no
partner under the hard rules, or no pair that fits them all (``odd_out``).
"""

from __future__ import annotations

import numpy as np

from bot.matching import candidates
from bot.matching.scoring import Scorer, recent_cells

SOFT_LIMIT = 200  # pools up to this size are paired again with recency as a preference
TRIO_TRIES = 30  # people tried as the third of the trio when the first choice repeats
TRIO_EDGES = 200_000  # and no more tries than pair this many edges in all (about a second)


class _Soft:
    """Every pair the hard rules allow among the people to place, with what it is worth."""

    def __init__(self, scorer: Scorer, skip: np.ndarray) -> None:
        n = scorer.n
        rows = np.arange(n)
        block = scorer.block(rows)
        ok = block.base_ok.copy()
        ok[skip, :] = False
        ok[:, skip] = False
        np.fill_diagonal(ok, False)
        self.ok = ok
        self.units = scorer.units(block)
        self.waiting = scorer.waiting.astype(np.int64)
        window = scorer.settings.recency_rounds
        self.repeat = np.zeros((n, n), np.int64)  # how recent a repeat: window - age, or 0
        r, c, ages = recent_cells(scorer.cohort, scorer.rules)
        young = ages < window
        self.repeat[r[young], c[young]] = window - ages[young]
        self.lift = (scorer.max_units() + 1) * (n // 2 + 2)
        self.cost = self.lift * (n + 2)  # one step of recency outweighs all waiting and fit
        self.people = np.flatnonzero(ok.any(axis=1))
        waiting = self.waiting[:, None] + self.waiting[None, :]
        self.values = self.units + self.lift * waiting - self.cost * self.repeat

    def value(self, a: int, b: int) -> int:
        """What pairing a and b is worth: recency first, then the waiting, then fit."""
        return int(self.values[a, b])

    def pair(self, without: int | None = None) -> list[tuple[int, int]]:
        """The most pairs (leaving out ``without``), then the fewest and oldest repeats."""
        from bot.matching.solver import match_peers

        ok = np.triu(self.ok, 1)
        if without is not None:
            ok[without, :] = False
            ok[:, without] = False
        a, b = np.nonzero(ok)
        base = self.cost * (int(self.repeat.max()) + 1) + 1  # keeps every weight positive
        return match_peers(len(self.ok), a, b, (self.values[a, b] + base).tolist())

    def trio(self, pairs: list[tuple[int, int]], x: int) -> tuple[int, int, int] | None:
        """The pair ``x`` joins best (repeats first, then fit): (index, repeat, value)."""
        best: tuple[int, int, int] | None = None
        for k, (p, q) in enumerate(pairs):
            if self.ok[x, p] and self.ok[x, q]:
                repeat = int(self.repeat[x, p] + self.repeat[x, q])
                value = self.value(x, p) + self.value(x, q)
                if best is None or (repeat, -value) < (best[1], -best[2]):
                    best = (k, repeat, value)
        return best


def place_everyone(
    scorer: Scorer, graph: candidates.Graph, groups: list[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """``groups`` (the peer solve's pairs), with the people it left out placed if the hard
    rules allow: paired again with recency as a preference, and the odd one in a trio.
    For pools up to ``SOFT_LIMIT`` (it scores every pair of the pool once).
    """
    placed = {i for g in groups for i in g} | set(graph.skip_rows.tolist())
    free = [i for i in range(scorer.n) if i not in placed]
    if not free:
        return groups
    pairs = [(g[0], g[1]) for g in groups]
    soft = _Soft(scorer, graph.skip_rows)
    free = [i for i in free if soft.ok[i].any()]  # the others have nobody under hard rules
    if not free:
        return groups
    if len(free) == 1:
        first = soft.trio(pairs, free[0])
        if first is not None and first[1] == 0:
            return _with_trio(pairs, first[0], free[0])
    return _best_grouping(soft)


def _best_grouping(soft: _Soft) -> list[tuple[int, ...]]:
    """Pair everyone again; an odd pool tries each likely third of a trio and keeps the
    grouping that places the most, then repeats the least, then fits best.
    """
    pairs = soft.pair()
    loose = [i for i in soft.people.tolist() if all(i not in p for p in pairs)]
    if len(loose) != 1:
        return list(pairs)  # everyone paired (or nothing a trio can fix)
    degree = soft.ok.sum(axis=1)
    tries = sorted(soft.people.tolist(), key=lambda i: (i != loose[0], -int(degree[i]), i))
    best: tuple[tuple[int, int, int], list[tuple[int, ...]]] | None = None
    edges = max(1, int(soft.ok.sum()) // 2)
    for z in tries[: min(TRIO_TRIES, max(3, TRIO_EDGES // edges))]:
        again = pairs if z == loose[0] else soft.pair(without=z)
        if len(again) < len(pairs):
            continue  # leaving z out costs a pair
        trio = soft.trio(again, z)
        if trio is None:
            continue
        repeat = trio[1] + sum(int(soft.repeat[a, b]) for a, b in again)
        value = trio[2] + sum(soft.value(a, b) for a, b in again)
        key = (repeat, -value, z)
        if best is None or key < best[0]:
            best = (key, _with_trio(again, trio[0], z))
        if repeat == 0 and z == loose[0]:
            break
    return best[1] if best else list(pairs)


def _with_trio(pairs: list[tuple[int, int]], k: int, x: int) -> list[tuple[int, ...]]:
    """``pairs`` with ``x`` joining pair ``k``."""
    groups: list[tuple[int, ...]] = list(pairs)
    groups[k] = tuple(sorted((*pairs[k], x)))
    return groups
