"""The sparse candidate graph of a cohort, and solving it to the optimum of the whole cohort.

``collect`` scores the cohort a block of rows at a time and keeps each row's best ``k``
allowed partners (memory grows with people x k, not people squared). Beside them it keeps,
per row, the best value it did not keep (``threshold``), and per row and column how many
partners each hard rule leaves, which tells an unmatched person the true reason and sets the
adaptive recency window.

``assign`` then solves the capacity assignment on that graph (``bot.matching.mincost``) and
prices every pair outside it against the solution's dual values: a pair can only improve the
total if its value exceeds ``left[i] + right[j]``. Rows whose ``threshold`` already rules that
out are not scored again; the others are scored block by block, improving pairs join the
graph and the graph is solved again, until no pair outside can improve it. The duals then
prove the result optimal for the whole cohort, not just the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from bot.matching import mincost, scoring
from bot.matching.scoring import Block, Scorer, recent_cells, recent_forbidden

Progress = Callable[[str, float], None]  # what is happening, and about how much is done (0..1)
SCORED_AT, SOLVED_AT = 0.62, 0.92  # the share of a run scoring and solving take, roughly
WAITING_START = 10  # each waiting row's best columns the search for the most placed starts from
WAITING_MORE = 5  # and the pairs per row it adds each time it finds it could place more


@dataclass
class Counts:
    """How many partners each row (or column) has left after each hard rule, in the order
    people can act on them: language, then team, then blocks, then recent partners.
    """

    language: np.ndarray
    team: np.ndarray
    rule: np.ndarray  # every rule but recency
    feasible: np.ndarray  # every rule

    @classmethod
    def zeros(cls, size: int) -> Counts:
        """Counts for ``size`` people."""
        return cls(*(np.zeros(size, np.int64) for _ in range(4)))

    def reason(self, k: int) -> str | None:
        """The rule that leaves person ``k`` nobody, if one does."""
        if self.feasible[k]:
            return None
        if not self.language[k]:
            return "language"
        if not self.team[k]:
            return "team"
        if not self.rule[k]:
            return "blocked"
        return "recent"


@dataclass
class Graph:
    """Candidate pairs (row, col, value in the scorer's units), CSR-ordered by row."""

    scorer: Scorer
    rows: np.ndarray
    cols: np.ndarray
    units: np.ndarray
    threshold: np.ndarray  # per row: best value of an allowed pair not in the graph, or -1
    col_threshold: np.ndarray  # the same per column (an upper bound: it only ever falls)
    left: Counts
    right: Counts
    forbidden: np.ndarray  # recent partners ruled out, as row * m + col keys (sorted)
    skip_rows: np.ndarray  # rows that take no partner this time (pinned already)
    skip_cols: np.ndarray
    priced: list[int] = field(default_factory=list)  # pairs scored by each pricing pass
    best: np.ndarray | None = None  # peers: each one's best value (any rule but recency)

    def add(self, rows: np.ndarray, cols: np.ndarray, units: np.ndarray) -> None:
        """More pairs (not yet in the graph)."""
        m = max(self.scorer.m, 1)
        keys = np.concatenate([self.rows * m + self.cols, rows * m + cols])
        values = np.concatenate([self.units, units])
        keys, first = np.unique(keys, return_index=True)
        self.rows, self.cols = keys // m, keys % m
        self.units = values[first]

    def members(self, block_rows: np.ndarray) -> np.ndarray:
        """A (len(block_rows) x m) mask of the pairs already in the graph or ruled out."""
        return self._mask(block_rows, with_graph=True)

    def ruled_out(self, block_rows: np.ndarray) -> np.ndarray:
        """A (len(block_rows) x m) mask of the pairs recency or a placed column rules out."""
        return self._mask(block_rows, with_graph=False)

    def _mask(self, block_rows: np.ndarray, *, with_graph: bool) -> np.ndarray:
        m = self.scorer.m
        mask = np.zeros((len(block_rows), m), bool)
        position = np.full(self.scorer.n, -1, np.int64)
        position[block_rows] = np.arange(len(block_rows))
        keys = [(self.forbidden // max(m, 1), self.forbidden % max(m, 1))]
        if with_graph:
            keys.append((self.rows, self.cols))
        low, high = (int(block_rows.min()), int(block_rows.max())) if len(block_rows) else (0, -1)
        for keys_rows, keys_cols in keys:
            # Both key lists are sorted by row: only the stretch of the block's rows matters.
            start = np.searchsorted(keys_rows, low, side="left")
            stop = np.searchsorted(keys_rows, high, side="right")
            keys_rows, keys_cols = keys_rows[start:stop], keys_cols[start:stop]
            at = position[keys_rows]
            hit = at >= 0
            mask[at[hit], keys_cols[hit]] = True
        if len(self.skip_cols):
            mask[:, self.skip_cols] = True
        return mask


def collect(
    scorer: Scorer,
    k: int,
    *,
    column_k: int = 0,
    skip_rows: np.ndarray | None = None,
    skip_cols: np.ndarray | None = None,
    progress: Progress | None = None,
) -> Graph:
    """Score the whole cohort block by block; keep each row's best ``k`` allowed partners
    and each column's best ``column_k`` (which makes the columns' thresholds tight: a
    mentor whose best few mentees are in the graph is priced out for everyone else).
    """
    n, m = scorer.n, scorer.m
    skip_r = np.asarray(skip_rows if skip_rows is not None else [], np.int64)
    skip_c = np.asarray(skip_cols if skip_cols is not None else [], np.int64)
    row_top = _RowTop(min(k, m), n, m)
    column = _ColumnTop(min(column_k, n), m) if column_k > 0 else None
    left, right = Counts.zeros(n), Counts.zeros(m)
    skipped_row = np.zeros(n, bool)
    skipped_row[skip_r] = True
    for block in scorer.blocks():
        allowed = _count(left, right, block)
        allowed[skipped_row[block.rows]] = False
        allowed[:, skip_c] = False
        units = scorer.units(block, compact=True)
        units[~allowed] = -1
        if column is not None:
            column.add(block.rows, units)
        row_top.add(block.rows, units)
        if progress and n:
            done = int(block.rows[-1]) + 1
            progress(f"scoring {n} x {m} pairs", 0.02 + (SCORED_AT - 0.02) * done / n)
    kept = row_top.kept
    col_threshold = row_top.col_threshold
    if column is not None:
        *pairs, c_threshold = column.result()
        kept.append((pairs[0], pairs[1], pairs[2]))
        np.minimum(col_threshold, c_threshold, out=col_threshold)
    forbidden = _recency(scorer, left, right)
    graph = Graph(
        scorer=scorer,
        rows=np.zeros(0, np.int64),
        cols=np.zeros(0, np.int64),
        units=np.zeros(0, np.int64),
        threshold=row_top.threshold,
        col_threshold=col_threshold,
        left=left,
        right=right,
        forbidden=forbidden,
        skip_rows=skip_r,
        skip_cols=skip_c,
    )
    if kept:
        rows, cols, units = (np.concatenate([part[i] for part in kept]) for i in range(3))
        keep = ~np.isin(rows * max(m, 1) + cols, forbidden)
        graph.add(rows[keep], cols[keep], units[keep])
    return graph


def collect_peers(
    scorer: Scorer,
    k: int,
    *,
    skip: np.ndarray | None = None,
    progress: Progress | None = None,
) -> Graph:
    """``collect`` for peers, scoring each pair once: scores read the same both ways, so a
    block of rows is scored only against the columns after its first row (the pairs before
    were scored with the rows that came first), and every pair (i < j) counts for both:
    for row i among its best, and for column j (``_ColumnTop``). Each person's best ``k``
    is then the best of the two lists, and the graph holds every pair either side keeps,
    both ways round. Half the scoring of ``collect``, the same thresholds and counts.
    """
    n = scorer.n
    k = max(min(k, n - 1), 0)
    skipped = np.zeros(n, bool)
    skipped[np.asarray(skip if skip is not None else [], np.int64)] = True
    counts = Counts.zeros(n)
    row_values = np.full((n, k + 1), -1, np.int64)
    row_partners = np.full((n, k + 1), -1, np.int64)
    column = _ColumnTop(k, n)
    start = 0
    while start < n:
        stop = min(n, start + max(1, scoring.BLOCK_CELLS // (n - start)))
        rows = np.arange(start, stop)
        block = scorer.block(rows, start)
        allowed = _count_once(counts, block)
        allowed[skipped[rows]] = False
        allowed[:, skipped[start:]] = False
        units = scorer.units(block, compact=True)
        units[~allowed] = -1
        top = _top(units, min(k + 1, n - start))
        row_values[rows, : top.shape[1]] = np.take_along_axis(units, top, axis=1)
        row_partners[rows, : top.shape[1]] = top + start
        column.add(rows, units, start)
        if progress:
            done = 1 - ((n - stop) / n) ** 2  # the share of the triangle scored
            progress(f"scoring {n} x {n} pairs", 0.02 + (SCORED_AT - 0.02) * done)
        start = stop
    column.result()  # folds in what waits
    values = np.concatenate([row_values, column.values], axis=1)
    partners = np.concatenate([row_partners, column.rows], axis=1)
    return _peer_graph(scorer, k, values, partners, counts, skipped)


def _peer_graph(
    scorer: Scorer,
    k: int,
    values: np.ndarray,
    partners: np.ndarray,
    counts: Counts,
    skipped: np.ndarray,
) -> Graph:
    """The graph of each person's best ``k`` among their candidate ``values`` (partners
    after them and before them, k + 1 of each): every pair either person keeps, both ways.
    """
    n = scorer.n
    best = _top(values, k + 1)
    values = np.take_along_axis(values, best, axis=1)
    partners = np.take_along_axis(partners, best, axis=1)
    left, right = counts, Counts(*(x.copy() for x in vars(counts).values()))
    forbidden = _recency(scorer, left, right)
    graph = Graph(
        scorer=scorer,
        rows=np.zeros(0, np.int64),
        cols=np.zeros(0, np.int64),
        units=np.zeros(0, np.int64),
        threshold=values[:, k].copy(),
        col_threshold=values[:, k].copy(),
        left=left,
        right=right,
        forbidden=forbidden,
        skip_rows=np.flatnonzero(skipped),
        skip_cols=np.flatnonzero(skipped),
        best=values[:, 0].copy(),
    )
    keep = values[:, :k] >= 0
    rows = np.broadcast_to(np.arange(n)[:, None], keep.shape)[keep]
    cols, units = partners[:, :k][keep], values[:, :k][keep]
    keep = ~np.isin(rows * max(n, 1) + cols, forbidden)
    rows, cols, units = rows[keep], cols[keep], units[keep]
    graph.add(np.concatenate([rows, cols]), np.concatenate([cols, rows]), np.tile(units, 2))
    return graph


def _count_once(counts: Counts, block: Block) -> np.ndarray:
    """A peer block's pairs (i < j only) added to both people's counts; its allowed mask."""
    after = np.arange(block.start, block.start + block.language_ok.shape[1])
    once = after[None, :] > block.rows[:, None]
    language = block.language_ok & once
    team = language & block.team_ok if block.team_ok.size and not block.team_ok.all() else language
    base = team & block.rule_ok if not block.rule_ok.all() else team
    for axis, where in ((1, block.rows), (0, slice(block.start, None))):
        _add_counts(counts, where, language, team, base, axis)
    return base


def _add_counts(
    counts: Counts,
    where: np.ndarray | slice,
    language: np.ndarray,
    team: np.ndarray,
    base: np.ndarray,
    axis: int,
) -> None:
    """Add the allowed partners along ``axis`` to ``counts[where]`` (a mask that is the
    same array as the one before it, as when no team or block rule applies, is summed once).
    """
    n_language = np.count_nonzero(language, axis=axis)
    n_team = n_language if team is language else np.count_nonzero(team, axis=axis)
    n_base = n_team if base is team else np.count_nonzero(base, axis=axis)
    counts.language[where] += n_language
    counts.team[where] += n_team
    counts.rule[where] += n_base
    counts.feasible[where] += n_base  # recency is taken off at the end


def _count(left: Counts, right: Counts, block: Block) -> np.ndarray:
    """Add a block's partners per rule to the counts; return its mask of allowed pairs."""
    language = block.language_ok.copy()
    team = language & block.team_ok if not block.team_ok.all() else language
    base = team & block.rule_ok if not block.rule_ok.all() else team
    for counts, axis, where in ((left, 1, block.rows), (right, 0, slice(None))):
        _add_counts(counts, where, language, team, base, axis)
    return base


class _RowTop:
    """Each row's best ``k`` columns, the value after them, and per column the best value
    not kept by its row.
    """

    def __init__(self, k: int, n: int, m: int) -> None:
        self.k, self.m = max(k, 0), m
        self.kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.threshold = np.full(n, -1, np.int64)
        self.col_threshold = np.full(m, -1, np.int64)

    def add(self, rows: np.ndarray, units: np.ndarray) -> None:
        """A block (rows x every column, -1 where not allowed); ``units`` is overwritten."""
        if not self.k or not self.m:
            np.maximum(self.col_threshold, units.max(axis=0, initial=-1), out=self.col_threshold)
            return
        top = _top(units, self.k + 1 if self.k < self.m else self.k)
        values = np.take_along_axis(units, top, axis=1)
        if self.k < self.m:
            self.threshold[rows] = values[:, self.k]
            top, values = top[:, : self.k], values[:, : self.k]
        keep = values >= 0
        self.kept.append((np.broadcast_to(rows[:, None], top.shape)[keep], top[keep], values[keep]))
        np.put_along_axis(units, top, -1, axis=1)
        np.maximum(self.col_threshold, units.max(axis=0), out=self.col_threshold)


class _ColumnTop:
    """Each column's best ``k`` rows (and the value after them), merged block by block.

    Only a block's values above a column's current ``k + 1``-th best can enter, and after
    the first blocks those are few: they wait in a list, merged (one sort) whenever it
    holds as many as the columns keep, so the work follows what enters, not the block.
    """

    def __init__(self, k: int, m: int) -> None:
        self.k, self.m = k, m
        self.values = np.full((m, k + 1), -1, np.int64)  # per column, best first
        self.rows = np.full((m, k + 1), -1, np.int64)
        self.floor = np.full(m, -1, np.int64)  # the k + 1-th best so far
        self.waiting: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.count = 0

    def add(self, rows: np.ndarray, units: np.ndarray, start: int = 0) -> None:
        """Merge a block (rows x every column from ``start`` on, -1 where not allowed)."""
        hit = units > self.floor[None, start:]
        if hit.sum() > units.size // 8:  # early on: merge the whole block at once
            self._merge()
            self._merge_dense(rows, units, start)
            return
        at, c = np.nonzero(hit)
        if len(at):
            self.waiting.append((c + start, units[at, c], rows[at]))
            self.count += len(at)
        if self.count >= self.values.size:
            self._merge()

    def _merge_dense(self, rows: np.ndarray, units: np.ndarray, start: int) -> None:
        width = self.m - start
        values = np.concatenate([self.values[start:], units.T], axis=1)
        owners = np.concatenate(
            [self.rows[start:], np.broadcast_to(rows[None, :], (width, len(rows)))], axis=1
        )
        best = np.argpartition(-values, self.k, axis=1)[:, : self.k + 1]
        self.values[start:] = np.take_along_axis(values, best, axis=1)
        self.rows[start:] = np.take_along_axis(owners, best, axis=1)
        self.floor = self.values[:, self.k].copy()

    def _merge(self) -> None:
        """Fold the waiting values in: each column's best ``k + 1``, ties by arrival."""
        if not self.waiting:
            return
        cols = np.concatenate(
            [np.repeat(np.arange(self.m), self.k + 1)] + [w[0] for w in self.waiting]
        )
        values = np.concatenate([self.values.ravel()] + [w[1] for w in self.waiting])
        owners = np.concatenate([self.rows.ravel()] + [w[2] for w in self.waiting])
        self.waiting, self.count = [], 0
        # By column, then value, best first (values are at least -1 and below 2**31):
        # one sort of a single int64 key is much quicker than lexsort's two.
        key = (cols << 32) | (2**31 - 1 - values)
        order = np.argsort(key, kind="stable")
        cols, values, owners = cols[order], values[order], owners[order]
        starts = np.searchsorted(cols, np.arange(self.m))
        take = (starts[:, None] + np.arange(self.k + 1)[None, :]).ravel()
        self.values = values[take].reshape(self.m, self.k + 1)
        self.rows = owners[take].reshape(self.m, self.k + 1)
        self.floor = self.values[:, self.k].copy()

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, units) of the kept pairs, and each column's threshold."""
        self._merge()
        threshold = self.values[:, self.k].copy()
        values, rows = self.values[:, : self.k], self.rows[:, : self.k]
        keep = values >= 0
        cols = np.broadcast_to(np.arange(self.m)[:, None], values.shape)
        return rows[keep], cols[keep], values[keep], threshold


def _top(units: np.ndarray, count: int) -> np.ndarray:
    """Each row's ``count`` largest values' columns, largest first."""
    if count < units.shape[1]:
        part = np.argpartition(-units, count - 1, axis=1)[:, :count]
    else:
        part = np.broadcast_to(np.arange(units.shape[1]), units.shape).copy()
    order = np.argsort(-np.take_along_axis(units, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _recency(scorer: Scorer, left: Counts, right: Counts) -> np.ndarray:
    """Recent partners ruled out this round (keys), taken off the feasible counts."""
    cohort, rules = scorer.cohort, scorer.rules
    rows, cols, _ = recent_cells(cohort, rules)
    if not len(rows):
        return np.zeros(0, np.int64)
    f_rows, f_cols = recent_forbidden(
        cohort, rules, scorer.settings, scorer.pairs(rows, cols), left.rule, right.rule
    )
    np.subtract.at(left.feasible, f_rows, 1)  # the counts so far are of every other rule
    np.subtract.at(right.feasible, f_cols, 1)
    return np.unique(f_rows * max(scorer.m, 1) + f_cols)


@dataclass
class Solution:
    """The chosen pairs (row, col) and the duals that prove them optimal for the cohort."""

    rows: np.ndarray
    cols: np.ndarray
    units: np.ndarray
    proof: mincost.Assignment
    rounds: int  # solves until no pair outside the graph could improve the total


def assign(
    graph: Graph,
    capacity: np.ndarray,
    *,
    cardinality_first: bool = True,
    per_row: int = 10,
    progress: Progress | None = None,
    waiting: np.ndarray | None = None,
    placed: int = 0,
) -> Solution:
    """The optimum of the whole cohort: solve the graph, price the pairs outside it, add any
    that could improve the total (each row's best ``per_row`` of them), solve again.
    ``waiting`` rows (bool per row): exactly ``placed`` of them are matched (the most any
    assignment of the cohort can; the graph must hold a way to do it, see ``place_waiting``).
    """
    scorer = graph.scorer
    n, m = scorer.n, scorer.m
    capacity = np.asarray(capacity, np.int64)
    places = int(np.maximum(capacity, 0).sum())
    bonus = mincost.bonus_for(scorer.max_units(), n, places) if cardinality_first else 0
    rounds = 0
    while True:
        rounds += 1
        share = SCORED_AT + (SOLVED_AT - SCORED_AT) * (1 - 0.5 ** (rounds - 1))
        if progress:
            progress(f"solving {len(graph.rows)} candidate pairs (round {rounds})", share)
        result = mincost.solve(
            n,
            m,
            graph.rows,
            graph.cols,
            graph.units,
            capacity,
            bonus=bonus,
            waiting=waiting,
            placed=placed,
        )
        if progress:
            step = (SOLVED_AT - SCORED_AT) * 0.5**rounds
            progress("checking every other pair against the solution's dual values", share + step)
        rows, cols, units = graph.rows, graph.cols, graph.units  # before pricing adds pairs
        improving = _price(graph, result, bonus, per_row)
        if not improving:
            chosen = result.chosen
            return Solution(
                rows=rows[chosen],
                cols=cols[chosen],
                units=units[chosen],
                proof=result,
                rounds=rounds,
            )


def _best_outside(graph: Graph, v: np.ndarray) -> np.ndarray:
    """Per row, an upper bound of ``value - right[j]`` over the pairs outside the graph:
    a pair's value is at most both its row's and its column's threshold, so the bound is
    the largest ``min(threshold[i], col_threshold[j]) - v[j]`` over the columns, found for
    every row at once with the columns sorted by threshold (exact integers in float64).
    """
    cols = np.flatnonzero(graph.col_threshold >= 0)
    cols = cols[~np.isin(cols, graph.skip_cols)]
    out = np.full(graph.scorer.n, -np.inf)
    if not len(cols):
        return out
    order = cols[np.argsort(graph.col_threshold[cols], kind="stable")]
    col_t = graph.col_threshold[order].astype(np.float64)
    below = np.maximum.accumulate(col_t - v[order])  # columns whose threshold is lower
    above = np.minimum.accumulate(v[order][::-1])[::-1]  # cheapest column from here on
    has = graph.threshold >= 0
    t = graph.threshold[has].astype(np.float64)
    at = np.searchsorted(col_t, t, side="left")
    best = np.full(len(t), -np.inf)
    some_below = at > 0
    best[some_below] = below[at[some_below] - 1]
    some_above = at < len(order)
    best[some_above] = np.maximum(best[some_above], t[some_above] - above[at[some_above]])
    out[has] = best
    return out


@dataclass
class _Scored:
    """Pairs outside the graph the bounds couldn't rule out, scored: whole rows (``cols`` is
    None, ``units`` rows x m) or single pairs. ``units`` is -1 where a pair isn't allowed or
    is already in the graph.
    """

    rows: np.ndarray
    cols: np.ndarray | None
    units: np.ndarray
    start: int = 0  # whole rows: the first column they were scored against


def _scan(graph: Graph, u: np.ndarray, v: np.ndarray, bonus: int) -> Iterator[_Scored]:
    """Score every pair outside the graph that might be worth more than ``u[i] + v[j]``.

    Rows where the bound finds nothing are skipped. For the rest, only the columns the bound
    can't rule out are scored, as single pairs; a row with many of those is scored whole.
    """
    scorer = graph.scorer
    m = scorer.m
    suspect = bonus + _best_outside(graph, v) - u > 0
    suspect[graph.skip_rows] = False
    rows = np.flatnonzero(suspect)
    col_t = graph.col_threshold.astype(np.float64)
    col_t[graph.skip_cols] = -np.inf
    col_t[graph.col_threshold < 0] = -np.inf
    priced = 0
    for start in range(0, len(rows), scorer.block_size()):
        chunk = rows[start : start + scorer.block_size()]
        bound = np.minimum(graph.threshold[chunk, None].astype(np.float64), col_t[None, :])
        maybe = (bonus + bound - u[chunk, None] - v[None, :] > 0) & ~graph.members(chunk)
        many = maybe.sum(axis=1) > m // 8
        for block in scorer.blocks(chunk[many]):
            units = scorer.units(block, compact=True)
            units[~(block.base_ok & ~graph.members(block.rows))] = -1
            priced += units.size
            yield _Scored(block.rows, None, units)
        at, c = np.nonzero(maybe[~many])
        if len(at):
            r = chunk[~many][at]
            pairs = scorer.pairs(r, c)
            units = scorer.units(pairs, c)
            units[~pairs.base_ok] = -1
            priced += len(r)
            yield _Scored(r, c, units)
    graph.priced.append(priced)


def _price(graph: Graph, result: mincost.Assignment, bonus: int, per_row: int) -> int:
    """Add the pairs outside the graph that could improve the total (each row's best
    ``per_row``); whole rows scored get exact thresholds. How many could improve.
    """
    if not graph.scorer.m or not graph.scorer.n:
        return 0
    u, v = result.left, result.right
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    improving = 0
    for scored in _scan(graph, u, v, bonus):
        r, units = scored.rows, scored.units
        if scored.cols is None:
            gain = (bonus + units.astype(np.float64)) - u[r, None] - v[None, :]
            at, c = np.nonzero((units >= 0) & (gain > 0))
            picked = _best_per_row(r[at], c, units[at, c], gain[at, c], per_row)
            units[np.searchsorted(r, picked[0]), picked[1]] = -1
            graph.threshold[r] = units.max(axis=1, initial=-1)
        else:
            c = scored.cols
            gain = (bonus + units.astype(np.float64)) - u[r] - v[c]
            good = (units >= 0) & (gain > 0)
            at = np.flatnonzero(good)
            picked = _best_per_row(r[at], c[at], units[at], gain[at], per_row)
        improving += len(at)
        found.append(picked)
    if sum(len(f[0]) for f in found):
        graph.add(*(np.concatenate([f[k] for f in found]) for k in range(3)))
    return improving


def peer_bound(graph: Graph, result: mincost.Assignment) -> int:
    """An upper bound of any pairing of the whole cohort from the double cover's solution on
    the (symmetric) graph, scanning each pair outside it once.

    ``z[i] = left[i] + right[i]`` is z >= 0 with ``z[i] + z[j] >= 2 * value`` on every pair
    of the graph (it has both arcs). Pairs outside it that fall short by ``d`` are gathered
    and the least raises ``r`` with ``r[i] + r[j] >= d`` on each are found (that covering
    problem's linear program is the dual of a fractional matching: the double cover of the
    short pairs, solved as an assignment, gives ``r = (left + right) / 2``). Then every
    pair of the cohort has ``value <= (z[i] + z[j]) / 2``, a person is in one pair at most,
    and no pairing is worth more than ``sum(z) / 2``: the bound, with no re-solving (or
    half the sum of everyone's best value, where that is less: on tiny graphs).
    """
    n = graph.scorer.n
    z = result.left + result.right
    short: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for scored in _scan_once(graph, z):
        r, units = scored.rows, scored.units
        if scored.cols is None:
            gap = 2 * units.astype(np.float64) - z[r, None] - z[None, scored.start :]
            at, c = np.nonzero((units >= 0) & (gap > 0))
            short.append((r[at], c + scored.start, gap[at, c]))
        else:
            c = scored.cols
            gap = 2 * units.astype(np.float64) - z[r] - z[c]
            at = np.flatnonzero((units >= 0) & (gap > 0))
            short.append((r[at], c[at], gap[at]))
    if short:
        rows, cols, gap = (np.concatenate([s[k] for s in short]) for k in range(3))
        if len(rows):
            both = (np.concatenate([rows, cols]), np.concatenate([cols, rows]))
            weight = np.tile(gap.astype(np.int64), 2)
            cover = mincost.solve(n, n, *both, weight, np.ones(n, np.int64), bonus=0)
            z = z + (cover.left + cover.right) / 2
    bound = sum(round(2 * x) for x in z.tolist()) // 4
    if graph.best is not None:  # everyone's best pair, halved, bounds any pairing too
        bound = min(bound, int(np.maximum(graph.best, 0).sum()) // 2)
    return bound


def _scan_once(graph: Graph, z: np.ndarray) -> Iterator[_Scored]:
    """Score each pair (i < j) outside the graph that might be worth more than
    ``(z[i] + z[j]) / 2``, as ``_scan`` does for the double cover, but each pair once:
    a row against the columns after it only.
    """
    scorer = graph.scorer
    m = scorer.m
    half = z / 2
    suspect = _best_outside(graph, half) - half > 0
    suspect[graph.skip_rows] = False
    rows = np.flatnonzero(suspect)
    col_t = graph.col_threshold.astype(np.float64)
    col_t[graph.skip_cols] = -np.inf
    col_t[graph.col_threshold < 0] = -np.inf
    priced, at_row = 0, 0
    while at_row < len(rows) and rows[at_row] + 1 < m:
        start = int(rows[at_row]) + 1
        chunk = rows[at_row : at_row + max(1, scoring.BLOCK_CELLS // (m - start))]
        at_row += len(chunk)
        after = np.arange(start, m)
        bound = np.minimum(graph.threshold[chunk, None].astype(np.float64), col_t[None, start:])
        outside = ~graph.members(chunk)[:, start:] & (after[None, :] > chunk[:, None])
        maybe = (2 * bound - z[chunk, None] - z[None, start:] > 0) & outside
        many = maybe.sum(axis=1) > (m - start) // 8
        if many.any():
            block = scorer.block(chunk[many], start)
            units = scorer.units(block, compact=True)
            units[~(block.base_ok & outside[many])] = -1
            priced += units.size
            yield _Scored(block.rows, None, units, start)
        at, c = np.nonzero(maybe[~many])
        if len(at):
            r, c = chunk[~many][at], c + start
            pairs = scorer.pairs(r, c)
            units = scorer.units(pairs, c)
            units[~pairs.base_ok] = -1
            priced += len(r)
            yield _Scored(r, c, units)
    graph.priced.append(priced)


def _best_per_row(
    rows: np.ndarray, cols: np.ndarray, units: np.ndarray, gain: np.ndarray, per_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``per_row`` pairs with the largest gain."""
    order = np.lexsort((-gain, rows))
    rows, cols, units = rows[order], cols[order], units[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else rows
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    keep = rank < per_row
    return rows[keep], cols[keep], units[keep]


def place_waiting(graph: Graph, capacity: np.ndarray, waiting: np.ndarray) -> int:
    """How many of the ``waiting`` rows the whole cohort can match at once (each allowed pair
    of theirs counts, not only the graph's), with a way to do it added to the graph, so the
    solver can place exactly that many first (``assign``'s ``placed``).

    A bipartite matching of the waiting rows alone: the rest of the cohort cannot help or
    hinder covering them, since any set of rows some assignment covers is covered by a
    largest one too (Mendelsohn-Dulmage), so placing the waiting costs no pair. It starts
    from each row's best few columns with room and is priced like ``assign``: a pair can
    place one more only if ``left[i] + right[j] < 1``; such pairs join and it is solved
    again, until none can, so its duals prove it the most for every allowed pair.
    """
    scorer = graph.scorer
    wanted = np.flatnonzero(waiting)
    room = np.asarray(capacity, np.int64) > 0
    if not len(wanted) or not room.any():
        return 0
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    masks: list[np.ndarray] = []  # each block's allowed pairs, packed to bits
    for block in scorer.blocks(wanted):
        allowed = block.base_ok & ~graph.ruled_out(block.rows) & room[None, :]
        masks.append(np.packbits(allowed, axis=1))
        units = scorer.units(block)
        units[~allowed] = -1
        top = _top(units, min(WAITING_START, scorer.m))
        values = np.take_along_axis(units, top, axis=1)
        at = values >= 0
        found.append((np.broadcast_to(block.rows[:, None], top.shape)[at], top[at], values[at]))
    rows, cols, units = (np.concatenate([f[k] for f in found]) for k in range(3))
    while len(rows):
        zeros = np.zeros(len(rows), np.int64)
        result = mincost.solve(scorer.n, scorer.m, rows, cols, zeros, capacity, bonus=1)
        more = _waiting_pricing(scorer, wanted, masks, result)
        if not len(more[0]):
            graph.add(rows[result.chosen], cols[result.chosen], units[result.chosen])
            return int(result.chosen.sum())
        rows, cols = np.concatenate([rows, more[0]]), np.concatenate([cols, more[1]])
        units = np.concatenate([units, scorer.units(scorer.pairs(*more), more[1])])
    return 0


def _waiting_pricing(
    scorer: Scorer, wanted: np.ndarray, masks: list[np.ndarray], result: mincost.Assignment
) -> tuple[np.ndarray, np.ndarray]:
    """Allowed pairs of the waiting rows that could place one more (``left + right < 1``),
    ``WAITING_MORE`` of each row's (any of them will do).
    """
    size = scorer.block_size()
    out_rows, out_cols = [], []
    for k, packed in enumerate(masks):
        rows = wanted[k * size : (k + 1) * size]
        allowed = np.unpackbits(packed, axis=1, count=scorer.m).astype(bool)
        short = result.left[rows, None] + result.right[None, :] < 1
        at, c = np.nonzero(allowed & short)
        picked = _best_per_row(rows[at], c, np.zeros(len(at), np.int64), c * 0.0, WAITING_MORE)
        out_rows.append(picked[0])
        out_cols.append(picked[1])
    return np.concatenate(out_rows), np.concatenate(out_cols)
