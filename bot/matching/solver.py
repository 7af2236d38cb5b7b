"""Solving a whole cohort at once.

Mentoring: a capacity-constrained assignment. Each mentor becomes ``capacity`` identical slots
and scipy's ``linear_sum_assignment`` (a shortest-augmenting-path Hungarian method) finds the
assignment with the most feasible pairs and, among those, the highest total score: every
feasible pair is worth a constant larger than any possible total score plus its own score, so
one more matched person always beats any gain in score.

Peers: a maximum-weight matching of maximum cardinality on the general graph (Edmonds' blossom
algorithm, networkx). Large cohorts keep each person's best ``peer_candidates`` edges, which
keeps the solve fast; an odd person out joins the pair they fit best, forming a trio.

Greedy and random matchers are here too, as baselines for tests and the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

EXACT_PEER_LIMIT = 200


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


def solve_peers(
    objective: np.ndarray, feasible: np.ndarray, *, candidates: int = 25
) -> list[tuple[int, ...]]:
    """Pairs (and at most one trio) of peers maximising the number matched, then total score."""
    n = objective.shape[0]
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    keep = n if n <= EXACT_PEER_LIMIT else candidates
    for i in range(n):
        options = np.flatnonzero(feasible[i] & feasible[:, i])
        options = options[options != i]
        if len(options) > keep:
            best = np.argpartition(-objective[i, options], keep - 1)[:keep]
            options = options[best]
        for j in options:
            weight = float(objective[i, j] + objective[j, i]) / 2
            graph.add_edge(i, int(j), weight=weight)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    groups: list[tuple[int, ...]] = [tuple(sorted((int(a), int(b)))) for a, b in matching]
    matched = {i for g in groups for i in g}
    leftovers = [i for i in range(n) if i not in matched]
    if len(leftovers) == 1 and groups:
        x = leftovers[0]
        best_gain, best_k = -1.0, -1
        for k, (a, b) in enumerate(groups):
            if feasible[x, a] and feasible[a, x] and feasible[x, b] and feasible[b, x]:
                gain = float(objective[x, a] + objective[x, b])
                if gain > best_gain:
                    best_gain, best_k = gain, k
        if best_k >= 0:
            groups[best_k] = (*groups[best_k], x)
    return sorted(groups)


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
