"""Matching a whole cohort: score it in blocks, keep the candidate graph, solve it.

Mentoring is solved to the optimum of the whole cohort (``candidates.assign``: min-cost flow
on the graph, every other pair priced against the duals, which are kept as the proof). Peer
pairing runs Edmonds' blossom (rustworkx): on every allowed pair for small cohorts (exact),
otherwise on a small graph found through an upper bound for any pairing of the whole cohort,
half the best assignment of the bipartite double cover (each person once as a row and once
as a column), solved and priced the same way as mentoring; the bound is reported with it.

People waiting from an earlier round (``Candidate.priority > 0``, on the side that waits:
mentees, or peers) come first, inside the hard rules: the most pairs, then the most waiting
people placed, then the best total fit. Mentoring finds how many of them the cohort can place
(``candidates.place_waiting``) and solves for the best assignment placing exactly that many,
with its proof (``bot.matching.mincost``). Peers: see ``waiting_weights``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.config import MatchingSettings
from bot.matching import candidates, mincost, odd_peers
from bot.matching.candidates import SCORED_AT, SOLVED_AT, Progress
from bot.matching.scoring import JITTER_UNITS, SCORE_UNITS, Cohort, Rules, Scorer

COLUMN_CANDIDATES = 100  # each mentor's best mentees kept beside each mentee's best mentors
EXACT_PEER_LIMIT = 200  # peer cohorts up to this size keep every allowed pair
BLOSSOM_EDGES = 40_000  # blossom takes every candidate pair up to this many (0.5 s)
PEER_FEW = 3  # beside the double cover's pairs, blossom sees each person's best few
NEIGHBOURHOOD = 1  # and the mutual pairs this many steps from someone it must pair
REPAIR_STEPS = 3  # how far around people left unpaired the pairing is redone


@dataclass
class Matched:
    """The groups (row, col[, col]) and what proves or bounds their quality."""

    groups: list[tuple[int, ...]]
    scorer: Scorer
    graph: candidates.Graph
    units: int  # what the solver maximised, summed over the pairs (before any trio)
    proof: mincost.Assignment | None = None  # mentoring: the duals that prove the optimum
    rounds: int = 0  # mentoring: solves until no pair outside the graph could improve
    bound: int | None = None  # peers: no pairing of the cohort is worth more (units)
    edges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # peers: (a, b, units)

    def quality(self) -> dict[str, float | int | bool]:
        """How good the groups are known to be (JSON): proven optimal, or the total fit and
        the upper bound it is measured against (in score points).
        """
        if self.bound is None:
            return {"optimal": True, "rounds": self.rounds}
        points = SCORE_UNITS * JITTER_UNITS
        return {
            "optimal": False,
            "total": round(self.units / points, 1),
            "bound": round(self.bound / points, 1),
            "ratio": round(self.units / self.bound, 4) if self.bound else 1.0,
        }


def match_cohort(
    cohort: Cohort,
    settings: MatchingSettings,
    *,
    reference_week: date,
    rules: Rules | None = None,
    seed: int = 0,
    capacity: np.ndarray | None = None,
    pinned: set[int] | None = None,
    progress: Progress | None = None,
) -> Matched:
    """Best groups for the cohort. Mentoring: at most ``capacity[j]`` mentees per mentor;
    ``pinned`` rows (and, for peers, columns) are already placed and take nobody.
    """
    say = progress or (lambda _msg, _done: None)
    scorer = Scorer(cohort, settings, reference_week=reference_week, rules=rules, seed=seed)
    skip = np.asarray(sorted(pinned or ()), np.int64)
    if cohort.peer:
        k = scorer.m if scorer.n <= EXACT_PEER_LIMIT else settings.peer_candidates
        graph = candidates.collect_peers(scorer, k, skip=skip, progress=say)
        return _peers(scorer, graph, say=say)
    graph = candidates.collect(
        scorer,
        settings.mentor_candidates,
        column_k=COLUMN_CANDIDATES,
        skip_rows=skip,
        progress=say,
    )
    places = np.asarray(capacity if capacity is not None else [c.capacity for c in cohort.right])
    waiting = scorer.waiting.copy()
    waiting[skip] = False  # a pinned row is placed already
    placed = candidates.place_waiting(graph, places, waiting)
    solution = candidates.assign(graph, places, progress=say, waiting=waiting, placed=placed)
    groups = [(int(i), int(j)) for i, j in zip(solution.rows, solution.cols, strict=True)]
    return Matched(
        groups=sorted(groups),
        scorer=scorer,
        graph=graph,
        units=int(solution.units.sum()),
        proof=solution.proof,
        rounds=solution.rounds,
    )


def _peers(scorer: Scorer, graph: candidates.Graph, *, say: Progress) -> Matched:
    """Small cohorts: blossom on every allowed pair (exact). Large ones: the best assignment
    of the double cover on the candidate graph, and from its duals, raised to cover every
    other pair in one scan, an upper bound for any pairing of the whole cohort. Blossom then
    runs on every candidate pair while that is quick; beyond, the double cover's mutual
    pairs (i takes j and j takes i) are kept and blossom pairs the rest on the solution's
    other pairs plus each remaining person's best few.
    """
    from bot.matching.solver import match_peers

    n = scorer.n
    keep = graph.rows < graph.cols  # the graph is symmetric: each pair once
    a, b, weight = graph.rows[keep], graph.cols[keep], graph.units[keep]
    bound = None
    fixed: list[tuple[int, int]] = []
    if n > EXACT_PEER_LIMIT:
        say("bounding: the best assignment of the double cover", SCORED_AT)
        places = np.ones(n, np.int64)
        result = mincost.solve(n, n, graph.rows, graph.cols, graph.units, places, bonus=0)
        graph.col_threshold = np.minimum(graph.col_threshold, graph.threshold)  # symmetric
        bound = candidates.peer_bound(graph, result)
        if len(a) > BLOSSOM_EDGES:
            fixed, (a, b, weight) = _reduce(graph, result, scorer.waiting)
    say(f"pairing {n} peers on {len(a)} candidate pairs", (SCORED_AT + SOLVED_AT) / 2)
    pairs = sorted(fixed + match_peers(n, a, b, waiting_weights(scorer, a, b, weight)))
    if fixed:
        pairs = _repair(graph, pairs)
    units = _units_of(graph, pairs)
    groups: list[tuple[int, ...]] = list(pairs)
    matched = {i for p in pairs for i in p}
    placed = set(graph.skip_rows.tolist())
    leftovers = [i for i in range(n) if i not in matched and i not in placed]
    if leftovers and n <= odd_peers.SOFT_LIMIT:
        groups = odd_peers.place_everyone(scorer, graph, groups)
    elif len(leftovers) == 1 and groups:
        groups = _trio(scorer, graph, groups, leftovers[0])
    return Matched(
        groups=sorted(groups),
        scorer=scorer,
        graph=graph,
        units=units,
        bound=bound,
        edges=(a, b, weight),
    )


def waiting_weights(scorer: Scorer, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> list[int]:
    """Blossom weights that put people waiting from an earlier round first.

    Each pair is worth its fit plus ``lift`` for each waiting person in it. A person is in
    at most one pair, so a pairing is worth ``lift`` times the waiting people it places plus
    its total fit, and ``lift`` is more than the total fit of any pairing (at most n / 2
    pairs, each worth at most ``max_units``): one more waiting person placed outweighs any
    fit. Blossom keeps the most pairs first (``max_cardinality``), and since any set of
    people some pairing covers is covered by a largest pairing too (the matching matroid),
    that costs no waiting person: the most pairs, then the most waiting, then the best fit.
    """
    lift = (scorer.max_units() + 1) * (scorer.n // 2 + 1)
    extra = scorer.waiting[a].astype(np.int64) + scorer.waiting[b].astype(np.int64)
    return (np.asarray(weight, np.int64) + lift * extra).tolist()


def _reduce(
    graph: candidates.Graph, result: mincost.Assignment, waiting: np.ndarray
) -> tuple[list[tuple[int, int]], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The double cover's mutual pairs, and the graph blossom gets for everyone else: the
    solution's other pairs plus each one's ``PEER_FEW`` best, among themselves, each once.
    The ``waiting`` are never in a fixed pair: blossom places them first.
    """
    n = graph.scorer.n
    chosen = result.chosen
    rows, cols, units = graph.rows[chosen], graph.cols[chosen], graph.units[chosen]
    partner = np.full(n, -1, np.int64)
    partner[rows] = cols
    mutual = (rows < cols) & (partner[cols] == rows)
    rest = np.ones(n, bool)
    rest[rows[mutual]] = False
    rest[cols[mutual]] = False
    rest |= waiting
    order = np.lexsort((-graph.units, graph.rows))
    g_rows, g_cols, g_units = graph.rows[order], graph.cols[order], graph.units[order]
    starts = np.flatnonzero(np.r_[True, g_rows[1:] != g_rows[:-1]]) if len(g_rows) else g_rows
    rank = np.arange(len(g_rows)) - np.repeat(starts, np.diff(np.r_[starts, len(g_rows)]))
    few = rank < PEER_FEW
    g_rows, g_cols, g_units = g_rows[few], g_cols[few], g_units[few]
    for _ in range(NEIGHBOURHOOD):  # free the mutual pairs next to someone still to pair
        near = np.zeros(n, bool)
        near[g_cols[rest[g_rows]]] = True
        near[g_rows[rest[g_cols]]] = True
        near |= near[np.maximum(partner, 0)] & (partner >= 0)  # both of a freed pair
        rest |= near
    rest |= rest[np.maximum(partner, 0)] & (partner >= 0)  # the partners of the waiting too
    fixed = [(x, y) for x, y in zip(rows[mutual].tolist(), cols[mutual].tolist(), strict=True)]
    fixed = [(x, y) for x, y in fixed if not rest[x]]
    inside = rest[g_rows] & rest[g_cols]
    g_rows, g_cols, g_units = g_rows[inside], g_cols[inside], g_units[inside]
    few = np.ones(len(g_rows), bool)
    others = rest[rows] & rest[cols]
    a = np.concatenate([g_rows[few], rows[others]])
    b = np.concatenate([g_cols[few], cols[others]])
    weight = np.concatenate([g_units[few], units[others]])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys, first = np.unique(lo * n + hi, return_index=True)
    return fixed, (keys // n, keys % n, weight[first])


def _repair(graph: candidates.Graph, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Nobody left out for the small graph's sake: while two or more people with candidates
    are unpaired, pair again the region around them (every candidate pair of it, and the
    pairs of the people in it freed), a step wider each time.
    """
    from bot.matching.solver import match_peers

    n = graph.scorer.n
    rows, cols = graph.rows, graph.cols
    has_candidates = np.zeros(n, bool)
    has_candidates[rows] = True
    has_candidates[graph.skip_rows] = False
    for hops in range(1, REPAIR_STEPS + 1):
        partner = np.full(n, -1, np.int64)
        for x, y in pairs:
            partner[x], partner[y] = y, x
        loose = has_candidates & (partner < 0)
        if loose.sum() < 2:
            break
        region = loose.copy()
        for _ in range(hops):
            region[cols[region[rows]]] = True
            region[partner[region & (partner >= 0)]] = True
        inside = region[rows] & region[cols] & (rows < cols)
        a, b, weight = rows[inside], cols[inside], graph.units[inside]
        again = match_peers(n, a, b, waiting_weights(graph.scorer, a, b, weight))
        kept = [(x, y) for x, y in pairs if not region[x]]
        if len(kept) + len(again) > len(pairs):
            pairs = sorted(kept + again)
    return pairs


def _units_of(graph: candidates.Graph, pairs: list[tuple[int, int]]) -> int:
    """The solver's total over ``pairs`` (each is in the graph)."""
    n = max(graph.scorer.n, 1)
    keys = graph.rows * n + graph.cols
    wanted = np.asarray([x * n + y for x, y in pairs], np.int64)
    return int(graph.units[np.isin(keys, wanted)].sum())


def _trio(
    scorer: Scorer, graph: candidates.Graph, groups: list[tuple[int, ...]], x: int
) -> list[tuple[int, ...]]:
    """An odd person out joins the pair they fit best under the hard rules, a pair without
    a recent partner of theirs first (large pools; small ones: ``odd_peers``).
    """
    row = np.asarray([x])
    block = scorer.block(row)
    units = scorer.units(block)[0]
    ok = block.base_ok[0]
    recent = graph.ruled_out(row)[0]
    best: tuple[int, int] | None = None
    best_k = -1
    for k, (p, q) in enumerate(groups):
        if ok[p] and ok[q]:
            key = (-int(recent[p]) - int(recent[q]), int(units[p]) + int(units[q]))
            if best is None or key > best:
                best, best_k = key, k
    if best_k >= 0:
        groups = list(groups)
        groups[best_k] = tuple(sorted((*groups[best_k], x)))
    return groups
