"""Solving a whole cohort at once.

Mentoring: a capacity-constrained assignment. Each mentor becomes ``capacity`` identical slots
and scipy's ``linear_sum_assignment`` (a shortest-augmenting-path Hungarian method) finds the
assignment with the most feasible pairs and, among those, the highest total score: every
feasible pair is worth a constant larger than any possible total score plus its own score, so
one more matched person always beats any gain in score.

Peers: a maximum-weight matching of maximum cardinality on the general graph (Edmonds' blossom
algorithm, rustworkx). Large cohorts keep each person's best ``peer_candidates`` edges, which
keeps the solve fast; an odd person out joins the pair they fit best, forming a trio.

Greedy and random matchers are here too, as baselines for tests and the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import linear_sum_assignment

EXACT_PEER_LIMIT = 200
WEIGHT_SCALE = 1000  # peer matching counts scores in thousandths (it takes integer weights)


def solve_assignment(
    objective: np.ndarray,
    feasible: np.ndarray,
    capacity: np.ndarray,
    *,
    progress: Callable[[str], None] | None = None,
) -> list[tuple[int, int]]:
    """Best (left, right) pairs with each right used at most ``capacity[right]`` times."""
    n, m = objective.shape
    slots = np.repeat(np.arange(m), np.maximum(capacity, 0))
    if n == 0 or len(slots) == 0 or not feasible.any():
        return []
    bonus = float(np.abs(objective).max(initial=0.0)) * min(n, len(slots)) + 1.0
    value = np.where(feasible, objective + bonus, 0.0)
    cost = -value[:, slots]
    del value
    if progress:
        progress(f"solving {n} x {len(slots)} assignment")
    rows, cols = linear_sum_assignment(cost)
    return [
        (int(i), int(slots[c])) for i, c in zip(rows, cols, strict=True) if feasible[i, slots[c]]
    ]


def peer_edges(
    objective: np.ndarray, feasible: np.ndarray, *, candidates: int = 25
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate graph of a peer cohort: (a, b, weight) arrays with a < b, weight the mean
    of both directions' scores. Cohorts above ``EXACT_PEER_LIMIT`` keep each person's best
    ``candidates`` partners (an edge stays when either end keeps it).
    """
    n = objective.shape[0]
    mutual = feasible & feasible.T
    np.fill_diagonal(mutual, False)
    if n > EXACT_PEER_LIMIT and candidates < n - 1:
        ranked = np.where(mutual, objective, -np.inf)
        best = np.argpartition(-ranked, candidates - 1, axis=1)[:, :candidates]
        keep = np.zeros_like(mutual)
        np.put_along_axis(keep, best, True, axis=1)
        mutual &= keep | keep.T
    a, b = np.nonzero(np.triu(mutual, k=1))
    weight = (objective[a, b] + objective[b, a]) / 2
    return a, b, weight


def solve_peers(
    objective: np.ndarray, feasible: np.ndarray, *, candidates: int = 25
) -> list[tuple[int, ...]]:
    """Pairs (and at most one trio) of peers maximising the number matched, then total score.

    Edmonds' blossom algorithm in compiled code (rustworkx's ``max_weight_matching``, about
    100x faster than networkx's pure-Python one on 2,000 peers). It takes integer weights, so
    scores (0..100) are counted in thousandths: the matching is optimal for those, within
    0.0005 per pair of the optimum on the unrounded scores.
    """
    n = objective.shape[0]
    a, b, weight = peer_edges(objective, feasible, candidates=candidates)
    scaled = np.rint(weight * WEIGHT_SCALE).astype(np.int64)
    groups: list[tuple[int, ...]] = list(match_peers(n, a, b, scaled))
    matched = {i for g in groups for i in g}
    leftovers = [i for i in range(n) if i not in matched]
    if len(leftovers) == 1 and groups:
        x = leftovers[0]
        best_gain, best_k = -1.0, -1
        for k, (p, q) in enumerate(groups):
            if feasible[x, p] and feasible[p, x] and feasible[x, q] and feasible[q, x]:
                gain = float(objective[x, p] + objective[x, q])
                if gain > best_gain:
                    best_gain, best_k = gain, k
        if best_k >= 0:
            groups[best_k] = (*groups[best_k], x)
    return sorted(groups)


def match_peers(n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> list[tuple[int, int]]:
    """The most pairs of the graph's edges (a[k], b[k]) and, among those, the highest total
    of the integer ``weight``s: rustworkx's compiled blossom.
    """
    import rustworkx as rx

    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    edges = zip(
        np.asarray(a).tolist(), np.asarray(b).tolist(), np.asarray(weight).tolist(), strict=True
    )
    graph.add_edges_from(list(edges))
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda w: w)
    return sorted((min(int(x), int(y)), max(int(x), int(y))) for x, y in matching)


def greedy_assignment(
    objective: np.ndarray, feasible: np.ndarray, capacity: np.ndarray
) -> list[tuple[int, int]]:
    """Baseline: take the best remaining feasible pair until nothing fits."""
    remaining = capacity.astype(int).copy()
    used = np.zeros(objective.shape[0], dtype=bool)
    rows, cols = np.nonzero(feasible)
    order = np.argsort(-objective[rows, cols], kind="stable")
    pairs = []
    for k in order:
        i, j = int(rows[k]), int(cols[k])
        if not used[i] and remaining[j] > 0:
            used[i] = True
            remaining[j] -= 1
            pairs.append((i, j))
    return pairs


def random_assignment(
    feasible: np.ndarray, capacity: np.ndarray, seed: int = 0
) -> list[tuple[int, int]]:
    """Baseline: mentees in random order each take a random feasible mentor with room."""
    rng = np.random.default_rng(seed)
    remaining = capacity.astype(int).copy()
    pairs = []
    for i in rng.permutation(feasible.shape[0]):
        options = np.flatnonzero(feasible[i] & (remaining > 0))
        if len(options):
            j = int(rng.choice(options))
            remaining[j] -= 1
            pairs.append((int(i), j))
    return pairs
