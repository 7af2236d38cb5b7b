"""Matchers on given pairs: the peers' blossom, and the baselines tests and benchmarks
compare the bot with.

``match_peers``: a maximum-weight matching of maximum cardinality on a general graph
(Edmonds' blossom algorithm, compiled, rustworkx); ``bot.matching.cohort`` builds the graph.

Baselines (dense: every pair in memory): ``solve_assignment``, the exact dense solver the bot
used before block scoring (mentors expanded into capacity slots, scipy's
``linear_sum_assignment``, one more pair always worth more than any gain in score), and greedy
and random matchers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import linear_sum_assignment


def solve_assignment(
    objective: np.ndarray,
    feasible: np.ndarray,
    capacity: np.ndarray,
    *,
    progress: Callable[[str], None] | None = None,
) -> list[tuple[int, int]]:
    """Best (left, right) pairs with each right used at most ``capacity[right]`` times
    (dense baseline).
    """
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


def match_peers(
    n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray | list[int]
) -> list[tuple[int, int]]:
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
