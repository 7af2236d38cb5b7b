"""Scores for candidate pairs of a cohort, computed a block of rows at a time.

Each component is in 0..1 and weighted by ``[matching]`` settings; the total is 0..100.
Components: skills wanted vs offered, goal keywords, shared language, overlap of available
hours on real dates, a different team, and the seniority gap. Hard constraints come back as
masks with the reason each pair was ruled out, so unmatched people can be told why.

A ``Scorer`` prepares each side once (sparse feature matrices, the distinct weekly bitmaps and
language sets) and then scores any block of rows against every column, or any list of single
pairs, so memory grows with the block, not with people squared. ``score_cohort`` stacks the
blocks into whole matrices for small cohorts, tests and the dense baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy import sparse

from bot.config import MatchingSettings
from bot.matching.profiles import Candidate, features, week_bitmap, words

EXACT_WEIGHT = 1.0
WORD_WEIGHT = 0.5
BLOCK_CELLS = 2_000_000  # pairs scored at once: a block's arrays stay in tens of megabytes
DENSE_FEATURES = 50_000_000  # a side's feature matrix is kept dense below this many cells
TABLE_CELLS = 20_000_000  # distinct-bitmap overlap table kept whole below this many cells
SCORE_UNITS = 10_000  # solvers count a score in ten-thousandths ...
JITTER_UNITS = 100  # ... times this, plus a seeded tie-break below one unit


@dataclass
class Cohort:
    """The two sides of a matching: mentees x mentors, or peers x the same peers."""

    left: list[Candidate]
    right: list[Candidate]
    peer: bool = False


@dataclass
class Rules:
    """Hard constraints beyond roles: blocked pairs and recent partners (by member id)."""

    blocked: frozenset[tuple[int, int]] = frozenset()
    recent: dict[tuple[int, int], int] | None = None  # (a, b) -> rounds ago (0 = last round)

    def is_blocked(self, a: int, b: int) -> bool:
        """Whether members ``a`` and ``b`` may never be paired."""
        return (a, b) in self.blocked or (b, a) in self.blocked


@dataclass
class Scores:
    """Per-pair total score (0..100), feasibility and the components used for explanations."""

    total: np.ndarray
    feasible: np.ndarray
    overlap_hours: np.ndarray
    language_ok: np.ndarray
    rule_ok: np.ndarray
    recent_ok: np.ndarray
    team_ok: np.ndarray


@dataclass
class Block:
    """Rows ``rows`` scored against every column from ``start`` on (or single pairs, all
    arrays 1-D).
    """

    rows: np.ndarray
    total: np.ndarray  # float32, 0..100
    language_ok: np.ndarray
    team_ok: np.ndarray
    rule_ok: np.ndarray
    start: int = 0

    @property
    def base_ok(self) -> np.ndarray:
        """Allowed by every hard rule except recency (which depends on the whole cohort)."""
        return self.language_ok & self.team_ok & self.rule_ok


class _Vocab:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def matrix(self, rows: Iterable[set[str]]) -> sparse.csr_matrix:
        indptr, indices, data = [0], [], []
        done: dict[int, tuple[list[int], list[float]]] = {}  # rows shared between people
        for row in rows:
            if id(row) not in done:
                done[id(row)] = (
                    [self.index.setdefault(feature, len(self.index)) for feature in row],
                    [EXACT_WEIGHT if feature.startswith("=") else WORD_WEIGHT for feature in row],
                )
            row_indices, row_data = done[id(row)]
            indices += row_indices
            data += row_data
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(indptr) - 1, max(len(self.index), 1)),
        )


class _Memo:
    """``fn(key)`` computed once per distinct key (the same object returned each time)."""

    def __init__(self, fn: Callable[[Any], set[str]]) -> None:
        self.fn = fn
        self.seen: dict[Hashable, set[str]] = {}

    def __call__(self, key: Hashable) -> set[str]:
        if key not in self.seen:
            self.seen[key] = self.fn(key)
        return self.seen[key]


class _Shared:
    """The weight of the features each ``a`` row shares with each ``b`` row (each feature
    counts with its weight on the ``a`` side), and each ``a`` row's own total weight.
    """

    def __init__(self, a_rows: list[set[str]], b_rows: list[set[str]]) -> None:
        vocab = _Vocab()
        a = vocab.matrix(a_rows)
        b = vocab.matrix(b_rows)
        width = max(len(vocab.index), 1)
        a = sparse.csr_matrix((a.data, a.indices, a.indptr), shape=(a.shape[0], width))
        b = sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width)).sign()
        self.norms = np.asarray(a.sum(axis=1), dtype=np.float32).ravel()
        # Only features both sides have can be shared.
        common = np.flatnonzero(
            np.asarray(a.sum(axis=0)).ravel() * np.asarray(b.sum(axis=0)).ravel()
        )
        self.a = a[:, common].tocsr()
        self.b = b[:, common].tocsr()
        self.n, self.m = a.shape[0], b.shape[0]
        bt = self.b.T.tocsr()
        self.bt: np.ndarray | sparse.csr_matrix = (
            bt.toarray() if len(common) * self.m <= DENSE_FEATURES else bt
        )

    def rows(self, rows: np.ndarray, start: int = 0) -> np.ndarray:
        """(len(rows) x the columns from ``start`` on)."""
        if not self.a.nnz or not self.b.nnz:
            return np.zeros((len(rows), self.m - start), np.float32)
        return _dense(self.a[rows] @ (self.bt[:, start:] if start else self.bt))

    def pairs(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """One value per (i[k], j[k])."""
        if not len(i) or not self.a.nnz or not self.b.nnz:
            return np.zeros(len(i), np.float32)
        return np.asarray(self.a[i].multiply(self.b[j]).sum(axis=1), np.float32).ravel()


def _dense(x: np.ndarray | sparse.spmatrix) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x.astype(np.float32, copy=False)
    return np.asarray(x.toarray(), dtype=np.float32)


def _codes(values: Sequence[Hashable]) -> tuple[np.ndarray, list[int]]:
    """Each value's index among the distinct values, and where each distinct value is first."""
    index: dict[Hashable, int] = {}
    first: list[int] = []
    codes = np.empty(len(values), dtype=np.int64)
    for k, value in enumerate(values):
        code = index.setdefault(value, len(index))
        if code == len(first):
            first.append(k)
        codes[k] = code
    return codes, first


def _gather(table: np.ndarray, rows: np.ndarray, cols: np.ndarray, block: bool) -> np.ndarray:
    """``table[rows x cols]`` for a block (every col for each row), else ``table[rows, cols]``."""
    if block:
        return np.take(table[rows], cols, axis=1)
    return table[rows, cols]


class _Overlap:
    """Hours a week both are available: dot products of 15-minute bitmaps on real dates,
    computed once per distinct pair of bitmaps (people share a handful of weekly patterns).
    """

    def __init__(
        self,
        left: list[Candidate],
        right: list[Candidate],
        week: date,
        weight: np.float32,
        target_hours: float,
    ) -> None:
        self.left_codes, self.left_maps = self._distinct(left, week)
        self.right_codes, self.right_maps = self._distinct(right, week)
        self.weight, self.target = weight, np.float32(target_hours)
        self.table: np.ndarray | None = None
        self.score_table: np.ndarray | None = None
        if len(self.left_maps) * len(self.right_maps) <= TABLE_CELLS:
            self.table = (self.left_maps @ self.right_maps.T) / np.float32(4.0)
            self.score_table = self._score(self.table)

    def _score(self, hours: np.ndarray) -> np.ndarray:
        """The weighted overlap component: full marks from the target hours on."""
        return self.weight * np.minimum(np.float32(1.0), hours / self.target)

    def score(self, rows: np.ndarray, cols: np.ndarray, block: bool) -> np.ndarray:
        """The weighted overlap component of a block or of single pairs."""
        if self.score_table is not None:
            return _gather(self.score_table, self.left_codes[rows], self.right_codes[cols], block)
        return self._score(self.hours(rows, cols, block))

    @staticmethod
    def _distinct(people: list[Candidate], week: date) -> tuple[np.ndarray, np.ndarray]:
        codes, first = _codes([(c.timezone, repr(c.availability)) for c in people])
        maps = [week_bitmap(people[k], week) for k in first]
        stacked = np.stack(maps) if maps else np.zeros((0, 672), bool)
        return codes, stacked.astype(np.float32)

    def hours(self, rows: np.ndarray, cols: np.ndarray, block: bool) -> np.ndarray:
        li = self.left_codes[rows]
        rj = self.right_codes[cols]
        if self.table is not None:
            return _gather(self.table, li, rj, block)
        if block:
            return np.take((self.left_maps[li] @ self.right_maps.T) / np.float32(4.0), rj, axis=1)
        out = np.empty(len(li), np.float32)
        for k in range(0, len(li), 10_000):  # single pairs in chunks: 672 slots per pair
            a, b = self.left_maps[li[k : k + 10_000]], self.right_maps[rj[k : k + 10_000]]
            out[k : k + 10_000] = (a * b).sum(axis=1) / 4.0
        return out


class Scorer:
    """Scores blocks of a cohort's pairs, or single pairs, on demand."""

    def __init__(
        self,
        cohort: Cohort,
        settings: MatchingSettings,
        *,
        reference_week: date,
        rules: Rules | None = None,
        seed: int = 0,
    ) -> None:
        self.cohort = cohort
        self.settings = settings
        self.rules = rules or Rules()
        left, right = cohort.left, cohort.right
        self.n, self.m = len(left), len(right)
        self._features(left, right, cohort.peer)
        w = settings
        weights = [
            w.weight_skills,
            w.weight_goals,
            w.weight_language,
            w.weight_overlap,
            w.weight_team,
            w.weight_seniority,
        ]
        self._weights = np.asarray(weights, np.float32) * np.float32(100.0 / sum(weights))
        self.overlap = _Overlap(
            left, right, reference_week, self._weights[3], settings.target_overlap_hours
        )
        self._pair_table(left, right)
        names = [_team(c.team) for c in left] + [_team(c.team) for c in right]
        teams = np.where([t is None for t in names], -1, _codes(list(names))[0])
        self.team_l, self.team_r = teams[: self.n], teams[self.n :]
        # Rows waiting from an earlier round: placed first by the solvers, not scored higher.
        self.waiting = np.asarray([c.priority > 0 for c in left], bool)
        rng = np.random.default_rng(seed)
        salt = rng.integers(0, 2**31, size=4)
        ids_l = np.asarray([c.member_id for c in left], np.int64)
        ids_r = np.asarray([c.member_id for c in right], np.int64)
        # Below one unit: (tie_l XOR tie_r) % 100, symmetric for peers. Not a sum: a sum
        # would give swapping two partners the same total and break no tie.
        self.tie_l = (_mix(ids_l, int(salt[0])) & 0xFF).astype(np.uint8)
        self.tie_r = (_mix(ids_r, int(salt[0] if cohort.peer else salt[1])) & 0xFF).astype(np.uint8)
        self._blocked(left, right)

    def _features(self, left: list[Candidate], right: list[Candidate], peer: bool) -> None:
        """Each side's skills and goal words (and the reverse reading for peers)."""
        # People share skill lists and goals: each distinct one is read once (one set object).
        skills = _Memo(lambda items: features(list(items)))
        self.skills = _Shared(
            [skills(tuple(c.skills_wanted)) for c in left],
            [skills(tuple(c.skills_offered)) for c in right],
        )
        goals = _Memo(lambda text: {"~" + w for w in words(text)})
        gives = _Memo(lambda key: goals(" ".join(key[0])) | goals(key[1]))
        goal_words = [goals(c.goals) for c in left]
        give_words = [gives((tuple(c.skills_offered), c.goals)) for c in right]
        self.goals = _Shared(goal_words, give_words)
        if peer:
            # Peers read both ways. A feature's weight depends only on its kind, so "what the
            # column wants that the row offers" is the same product with the roles swapped:
            # (row's offered, weighted) x (column's wanted), contiguous rows like the rest.
            self.skills_back = _Shared(
                [skills(tuple(c.skills_offered)) for c in left],
                [skills(tuple(c.skills_wanted)) for c in right],
            )
            self.goals_back = _Shared(give_words, goal_words)

    def _pair_table(self, left: list[Candidate], right: list[Candidate]) -> None:
        """Language and seniority depend on a few distinct values per person, so each side's
        (languages, seniority) gets a code and one small table holds both components' score:
        a shared language scores 1, none (both known) 0, unknown 0.5; mentors a few levels
        above score best, peers close in level do. ``lang_ok``: whether the language rule
        allows the pair.
        """
        keys_l = [(frozenset(c.language_set()), c.seniority) for c in left]
        keys_r = [(frozenset(c.language_set()), c.seniority) for c in right]
        self.pair_l, first_l = _codes(list(keys_l))
        self.pair_r, first_r = _codes(list(keys_r))
        distinct_l = [keys_l[k] for k in first_l]
        distinct_r = [keys_r[k] for k in first_r]
        shape = (max(len(distinct_l), 1), max(len(distinct_r), 1))
        language = np.full(shape, 0.5, np.float32)
        ok = np.ones(shape, bool)
        for a, (la, _) in enumerate(distinct_l):
            for b, (lb, _) in enumerate(distinct_r):
                if la and lb:
                    shared = bool(la & lb)
                    language[a, b] = 1.0 if shared else 0.0
                    ok[a, b] = shared or not self.settings.require_shared_language
        sen_l = np.asarray([np.nan if s is None else s for _, s in distinct_l], float)
        sen_r = np.asarray([np.nan if s is None else s for _, s in distinct_r], float)
        seniority = np.full(shape, 0.5, np.float32)
        if len(distinct_l) and len(distinct_r):
            gap = sen_r[None, :] - sen_l[:, None]
            if self.cohort.peer:
                value = 1.0 - np.minimum(1.0, np.abs(gap) / 5.0)
            else:
                value = np.clip(gap / 3.0, 0.0, 1.0)
            seniority = np.where(np.isnan(gap), 0.5, value).astype(np.float32)
        w = self._weights
        self.pair_value = w[2] * language + w[5] * seniority
        self.lang_ok = ok

    def _blocked(self, left: list[Candidate], right: list[Candidate]) -> None:
        """Blocked pairs as (row, col) positions (both orders), and nobody with themselves."""
        left_pos = {c.member_id: i for i, c in enumerate(left)}
        right_pos = {c.member_id: j for j, c in enumerate(right)}
        cells: set[tuple[int, int]] = set()
        for a, b in self.rules.blocked:
            for x, y in ((a, b), (b, a)):
                if x in left_pos and y in right_pos:
                    cells.add((left_pos[x], right_pos[y]))
        if self.cohort.peer:
            cells |= {(i, i) for i in range(self.n)}
        ordered = sorted(cells)
        self.blocked_rows = np.asarray([c[0] for c in ordered], np.int64)
        self.blocked_cols = np.asarray([c[1] for c in ordered], np.int64)

    def block_size(self) -> int:
        """How many rows one block holds."""
        return max(1, BLOCK_CELLS // max(self.m, 1))

    def blocks(self, rows: np.ndarray | None = None) -> Iterable[Block]:
        """``rows`` (default all), a block at a time, each against every column."""
        rows = np.arange(self.n) if rows is None else rows
        size = self.block_size()
        for start in range(0, len(rows), size):
            yield self.block(rows[start : start + size])

    def block(self, rows: np.ndarray, start: int = 0) -> Block:
        """Rows ``rows`` against every column from ``start`` on (peers score each pair once:
        a row against the columns after it, see ``candidates.collect_peers``).
        """
        cols = np.arange(start, self.m)
        return self._score(np.asarray(rows, np.int64), cols, block=True, start=start)

    def pairs(self, rows: np.ndarray, cols: np.ndarray) -> Block:
        """Single pairs (rows[k], cols[k]); every array of the result is 1-D."""
        return self._score(np.asarray(rows, np.int64), np.asarray(cols, np.int64), block=False)

    def _score(self, rows: np.ndarray, cols: np.ndarray, *, block: bool, start: int = 0) -> Block:
        w = self._weights
        skills = self._directional(self.skills, rows, cols, block=block, start=start)
        goals = self._goals(rows, cols, block=block, start=start)
        if self.cohort.peer:
            skills += self._directional_back(rows, cols, block, start)
            goals += self._goals_back(rows, cols, block, start)
            skills *= np.float32(0.5)
            goals *= np.float32(0.5)
        total = skills
        total *= w[0]
        total += w[1] * goals
        del goals
        li, rj = self.pair_l[rows], self.pair_r[cols]
        total += _gather(self.pair_value, li, rj, block)  # language and seniority
        language_ok = _gather(self.lang_ok, li, rj, block)
        total += self.overlap.score(rows, cols, block)
        r = rows[:, None] if block else rows
        team_ok = np.ones(total.shape, bool)
        if w[4] or self.settings.require_different_team:
            t_l, t_r = self.team_l[r], self.team_r[cols]
            known = (t_l >= 0) & (t_r >= 0)
            if w[4]:
                total += w[4] * np.where(known, (t_l != t_r).astype(np.float32), np.float32(0.5))
            if self.settings.require_different_team:
                team_ok = ~(known & (t_l == t_r))
        return Block(
            rows=rows,
            total=total,
            language_ok=language_ok,
            team_ok=team_ok,
            rule_ok=self._rule_ok(rows, cols, block, total.shape, start),
            start=start,
        )

    def hours(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Shared available hours a week of single pairs."""
        return np.asarray(self.overlap.hours(rows, cols, False), np.float32)

    def _directional(
        self, shared: _Shared, rows: np.ndarray, cols: np.ndarray, *, block: bool, start: int
    ) -> np.ndarray:
        norms = shared.norms[rows]
        values = shared.rows(rows, start) if block else shared.pairs(rows, cols)
        if block:
            norms = norms[:, None]
        return _share(values, norms)

    def _directional_back(
        self, rows: np.ndarray, cols: np.ndarray, block: bool, start: int
    ) -> np.ndarray:
        """Peers: the skills score read the other way (the column wanting from the row),
        relative to everything the column wants.
        """
        if block:
            values = self.skills_back.rows(rows, start)
            norms = self.skills.norms[None, start:]
        else:
            values = self.skills_back.pairs(rows, cols)
            norms = self.skills.norms[cols]
        return _share(values, norms)

    def _goals(self, rows: np.ndarray, cols: np.ndarray, *, block: bool, start: int) -> np.ndarray:
        values = self.goals.rows(rows, start) if block else self.goals.pairs(rows, cols)
        np.divide(values, np.float32(WORD_WEIGHT * 2.0), out=values)
        return np.minimum(values, np.float32(1.0), out=values)

    def _goals_back(
        self, rows: np.ndarray, cols: np.ndarray, block: bool, start: int
    ) -> np.ndarray:
        back = self.goals_back
        values = back.rows(rows, start) if block else back.pairs(rows, cols)
        np.divide(values, np.float32(WORD_WEIGHT * 2.0), out=values)
        return np.minimum(values, np.float32(1.0), out=values)

    def _rule_ok(
        self, rows: np.ndarray, cols: np.ndarray, block: bool, shape: tuple[int, ...], start: int
    ) -> np.ndarray:
        ok = np.ones(shape, bool)
        if not len(self.blocked_rows):
            return ok
        if block:
            position = {int(r): k for k, r in enumerate(rows)}
            hit = np.isin(self.blocked_rows, rows) & (self.blocked_cols >= start)
            for r, c in zip(self.blocked_rows[hit], self.blocked_cols[hit], strict=True):
                ok[position[int(r)], c - start] = False
            return ok
        blocked = self.blocked_rows * max(self.m, 1) + self.blocked_cols
        return ~np.isin(rows * max(self.m, 1) + cols, blocked)

    def units(
        self, block: Block, cols: np.ndarray | None = None, *, compact: bool = False
    ) -> np.ndarray:
        """What the solvers maximise after the number of pairs and of the waiting placed, in
        integer units: the score in ten-thousandths, then a seeded tie-break below one unit,
        so ties fall the same way for the same seed. ``cols`` only for single pairs.
        ``compact``: as int32 (every value fits; half the memory traffic of int64, for the
        scans that only compare values), else int64.
        """
        if cols is None:
            r, c = block.rows[:, None], np.arange(block.start, self.m)[None, :]
        else:
            r, c = block.rows, cols
        scaled = block.total * np.float32(SCORE_UNITS)
        units: np.ndarray = np.rint(scaled, out=scaled).astype(np.int32 if compact else np.int64)
        units *= JITTER_UNITS
        units += (self.tie_l[r] ^ self.tie_r[c]) % np.uint8(JITTER_UNITS)
        return units

    def max_units(self) -> int:
        """An upper bound of ``units`` over every pair."""
        return (100 * SCORE_UNITS + 1) * JITTER_UNITS


def _share(values: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """``values / norms`` capped at 1, 0 where ``norms`` is 0, in ``values`` (a fresh array)."""
    np.divide(values, np.maximum(norms, 1e-9), out=values)
    np.minimum(values, np.float32(1.0), out=values)
    values *= norms > 0
    return values


def _team(team: str | None) -> str | None:
    return team.strip().lower() if team and team.strip() else None


def _mix(ids: np.ndarray, salt: int) -> np.ndarray:
    """A well-spread 32-bit hash of each id (for tie-breaks that don't favour low ids)."""
    x = (ids.astype(np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(29)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(32)
    return (x & np.uint64(0xFFFFFFFF)).astype(np.int64)


def recent_forbidden(
    cohort: Cohort,
    rules: Rules,
    settings: MatchingSettings,
    base_ok: Block,
    options_left: np.ndarray,
    options_right: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Recent partners that may not be paired again: (rows, cols). The recency window adapts
    to the pool so nobody loses their last possible partner to it: a pair is ruled out only
    while it is younger than the window and both have another option.

    ``base_ok`` is the scorer's ``pairs`` for ``recent_cells`` (allowed by the other rules);
    ``options_*`` count each row's and column's pairs the other rules allow.
    """
    rows, cols, ages = recent_cells(cohort, rules)
    if not len(rows) or settings.recency_rounds <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    window = np.minimum(
        settings.recency_rounds,
        np.minimum(options_left[rows] - 1, options_right[cols] - 1),
    )
    out = base_ok.base_ok & (ages < window)
    return rows[out], cols[out]


def recent_cells(cohort: Cohort, rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recent partners as (rows, cols, ages), both orders."""
    left_pos = {c.member_id: i for i, c in enumerate(cohort.left)}
    right_pos = {c.member_id: j for j, c in enumerate(cohort.right)}
    cells: dict[tuple[int, int], int] = {}
    for (a, b), age in (rules.recent or {}).items():
        for x, y in ((a, b), (b, a)):
            i, j = left_pos.get(x), right_pos.get(y)
            if i is not None and j is not None:
                cells[(i, j)] = min(age, cells.get((i, j), age))
    keys = sorted(cells)
    return (
        np.asarray([k[0] for k in keys], np.int64),
        np.asarray([k[1] for k in keys], np.int64),
        np.asarray([cells[k] for k in keys], np.int64),
    )


def score_cohort(
    cohort: Cohort, settings: MatchingSettings, *, reference_week: date, rules: Rules | None = None
) -> Scores:
    """Score every (left, right) pair as whole matrices (small cohorts, tests, baselines)."""
    rules = rules or Rules()
    scorer = Scorer(cohort, settings, reference_week=reference_week, rules=rules)
    n, m = scorer.n, scorer.m
    parts = list(scorer.blocks()) if n and m else []

    def stack(name: str, dtype: type) -> np.ndarray:
        if not parts:
            return np.zeros((n, m), dtype)
        return np.concatenate([getattr(p, name) for p in parts]).astype(dtype)

    total = stack("total", np.float64)
    language_ok, team_ok, rule_ok = (stack(k, bool) for k in ("language_ok", "team_ok", "rule_ok"))
    base = language_ok & team_ok & rule_ok
    recent_ok = np.ones((n, m), bool)
    rows, cols, _ = recent_cells(cohort, rules)
    if len(rows):
        f_rows, f_cols = recent_forbidden(
            cohort, rules, settings, scorer.pairs(rows, cols), base.sum(axis=1), base.sum(axis=0)
        )
        recent_ok[f_rows, f_cols] = False
    hours = np.zeros((n, m), np.float32)
    for p in parts:
        hours[p.rows] = scorer.overlap.hours(p.rows, np.arange(m), True)
    return Scores(
        total=total,
        feasible=base & recent_ok,
        overlap_hours=hours,
        language_ok=language_ok,
        rule_ok=rule_ok,
        recent_ok=recent_ok,
        team_ok=team_ok,
    )
