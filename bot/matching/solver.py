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

    Both aims add up over the graph's connected components, so each component is solved on
    its own (a lone edge is its own answer): blossom's time grows with the cube of the
    nodes it is given, and people with no edge are never given to it.
    """
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    weight = np.asarray(weight, np.int64)
    if not len(a):
        return []
    label, count = _components(n, a, b)
    edge_label = label[a]
    sizes = np.bincount(edge_label, minlength=count)
    single = sizes[edge_label] == 1
    pairs = list(zip(a[single].tolist(), b[single].tolist(), strict=True))
    rest = np.flatnonzero(~single)
    order = rest[np.argsort(edge_label[rest], kind="stable")]
    bounds = np.flatnonzero(np.diff(edge_label[order])) + 1
    for part in np.split(order, bounds) if len(order) else []:
        pairs += _blossom(a[part], b[part], weight[part])
    return sorted((min(int(x), int(y)), max(int(x), int(y))) for x, y in pairs)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    """Each node's connected component (scipy), and how many there are."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    adjacency = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n))
    count, label = connected_components(adjacency, directed=False)
    return label, int(count)


def _blossom(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> list[tuple[int, int]]:
    """Blossom on one component, its nodes numbered in the order of their ids."""
    import rustworkx as rx

    nodes, local = np.unique(np.concatenate([a, b]), return_inverse=True)
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(len(nodes)))
    edges = zip(local[: len(a)].tolist(), local[len(a) :].tolist(), weight.tolist(), strict=True)
    graph.add_edges_from(list(edges))
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda w: w)
    return [(int(nodes[x]), int(nodes[y])) for x, y in matching]


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
