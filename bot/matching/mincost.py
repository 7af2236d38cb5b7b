"""A capacity assignment on a sparse graph, solved as a min-cost flow, with its proof.

Left nodes (mentees) take at most one partner, right nodes (mentors) at most their capacity;
each arc has an integer weight. OR-Tools' min-cost flow solves it (compiled, cost scaling):
either the most pairs first and then the highest total weight (``cardinality_first``, as the
bot matches), or simply the highest total weight (for the peers' upper bound).

The dual values come with the solution: ``left[i] + right[j] >= bonus + weight`` on every arc,
both non-negative, and ``sum(left) + sum(capacity * right)`` equal to the solution's value.
That is the linear program's dual, so the values prove the solution optimal, and they price
pairs outside the graph: a pair can improve the total only if ``bonus + weight`` exceeds
``left[i] + right[j]``. ``bonus`` is what one more pair is worth beyond any total score (0 when
the cardinality doesn't come first). OR-Tools does not return potentials, so they are read off
the optimal flow's residual graph as shortest-path distances (rustworkx's Bellman-Ford with
the SPFA heuristic: 0.1 s on 50,000 nodes and 600,000 arcs, where scipy's took 50 s).

People waiting from an earlier round (``waiting``) go first: the solution matches ``placed``
of them, the most any assignment of the cohort can (found beforehand, see
``bot.matching.cohort``), and is the best assignment among those that do. That is the same
linear program with one more constraint, "exactly ``placed`` waiting rows are matched", which
is a node of the flow network (a second source feeding the waiting rows), so the program stays
integral. Its dual adds one free value ``group`` (``g``) for that constraint; with
``left[i]`` standing for ``u[i] + g`` on waiting rows, the arc conditions and the pricing of
pairs outside the graph keep their form (``left[i] + right[j] >= bonus + weight``), waiting
rows get ``left[i] >= g`` (``= g`` if unmatched) instead of ``>= 0``, and the dual objective
loses ``g`` for each waiting row left out: ``sum(left) + sum(capacity * right) -
g * (waiting - placed)``. No huge weights are involved (a bonus for the waiting large enough
to outweigh any total fit would lose float64's exactness in the proof at 50,000 people): the
numbers stay as exact as without anyone waiting. The flow then has fixed supplies, the most
pairs (OR-Tools' max flow, first) of which ``placed`` come from the second source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class NotOptimal(RuntimeError):
    """The solver's answer failed its own optimality proof (a bug, never user input)."""


@dataclass
class Assignment:
    """Chosen arcs (indexes into the graph's arrays) and the proof of their optimality."""

    chosen: np.ndarray  # bool per arc
    left: np.ndarray  # dual value of each left node (float64, whole numbers)
    right: np.ndarray  # dual value of each right node
    bonus: int
    value: int  # sum of bonus + weight over chosen arcs
    waiting: np.ndarray | None = None  # bool per left node: must be placed first
    placed: int = 0  # how many waiting left nodes every optimal solution matches
    group: float = 0.0  # the dual value of "exactly ``placed`` waiting are matched"

    def dual_value(self, capacity: np.ndarray) -> int:
        """The dual objective; equal to ``value`` when the proof holds."""
        left = sum(int(x) for x in self.left.tolist())
        places = zip(np.asarray(capacity).tolist(), self.right.tolist(), strict=True)
        missed = 0 if self.waiting is None else int(self.waiting.sum()) - self.placed
        return left + sum(int(c) * int(x) for c, x in places) - int(self.group) * missed

    def row_duals(self) -> np.ndarray:
        """Each left node's own dual value (``left`` less ``group`` on waiting rows): all of
        them non-negative when the proof holds.
        """
        if self.waiting is None:
            return self.left
        return self.left - self.group * self.waiting


def bonus_for(max_weight: int, n: int, places: int) -> int:
    """What one more pair is worth: more than any total of weights can differ by."""
    return (max_weight + 1) * (min(n, places) + 1)


def solve(
    n: int,
    m: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    *,
    bonus: int,
    waiting: np.ndarray | None = None,
    placed: int = 0,
) -> Assignment:
    """Best assignment on the arcs ``(rows[k], cols[k], weight[k])`` (unique, weights >= 0).

    ``bonus > 0``: the most pairs, then the highest total weight (``bonus`` must be
    ``bonus_for`` the largest weight or more, for the duals to price the same problem).
    ``bonus == 0``: the highest total weight, whatever the number of pairs.
    ``waiting`` (bool per left node, with ``bonus > 0``): exactly ``placed`` of them are
    matched (the most any assignment can, as the caller has shown), then as above.
    """
    rows = np.asarray(rows, np.int64)
    cols = np.asarray(cols, np.int64)
    weight = np.asarray(weight, np.int64)
    capacity = np.maximum(np.asarray(capacity, np.int64), 0)
    group_rows = None
    if waiting is not None and bonus and placed:
        group_rows = np.asarray(waiting, bool)
        total = _max_pairs(n, m, rows, cols, capacity)
        flows = _flow(
            n,
            m,
            rows,
            cols,
            weight,
            capacity,
            bonus=0,
            waiting=group_rows,
            placed=placed,
            total=total,
        )
    else:
        flows = _flow(n, m, rows, cols, weight, capacity, bonus=bonus)
    chosen = flows > 0
    left, right, group = _duals(n, m, rows, cols, weight + bonus, chosen, capacity, group_rows)
    value = sum(int(x) + bonus for x in weight[chosen].tolist())
    result = Assignment(
        chosen=chosen,
        left=left,
        right=right,
        bonus=bonus,
        value=value,
        waiting=waiting if group_rows is not None else None,
        placed=placed if group_rows is not None else 0,
        group=group,
    )
    if result.dual_value(capacity) != value:
        raise NotOptimal("dual value differs from the solution's value")
    if (result.row_duals() < 0).any() or (right < 0).any():
        raise NotOptimal("a dual value is negative")
    return result


def _max_pairs(n: int, m: int, rows: np.ndarray, cols: np.ndarray, capacity: np.ndarray) -> int:
    """The most pairs the arcs allow (OR-Tools' max flow: far quicker than a min-cost one)."""
    from ortools.graph.python import max_flow

    if not len(rows):
        return 0
    source, sink = n + m, n + m + 1
    used_rows = np.unique(rows)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.concatenate([np.full(len(used_rows), source), rows, n + np.arange(m)]),
        np.concatenate([used_rows, n + cols, np.full(m, sink)]),
        np.concatenate([np.ones(len(used_rows) + len(rows), np.int64), capacity]),
    )
    if flow.solve(source, sink) != flow.OPTIMAL:
        raise NotOptimal("max flow did not finish")
    return int(flow.optimal_flow())


def _flow(
    n: int,
    m: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    *,
    bonus: int,
    waiting: np.ndarray | None = None,
    placed: int = 0,
    total: int = 0,
) -> np.ndarray:
    """The flow on each arc of an optimal solution (OR-Tools' min-cost flow).

    Plain: one source feeds every row, the most flow (``bonus > 0``) or any (``bonus == 0``,
    an arc around everything makes leaving someone out free). With ``waiting``: exactly
    ``total`` pairs, ``placed`` of them fed through a second source to the waiting rows.
    """
    from ortools.graph.python import min_cost_flow

    k = len(rows)
    if not k:
        return np.zeros(0, np.int64)
    source, sink, second = n + m, n + m + 1, n + m + 2
    used_rows = np.unique(rows)
    feeds = np.full(len(used_rows), source)
    if waiting is not None:
        feeds[waiting[used_rows]] = second
    tails = np.concatenate([feeds, rows, n + np.arange(m)])
    heads = np.concatenate([used_rows, n + cols, np.full(m, sink)])
    caps = np.concatenate([np.ones(len(used_rows) + k, np.int64), capacity])
    costs = np.concatenate([np.zeros(len(used_rows), np.int64), -weight, np.zeros(m, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    if waiting is None and bonus == 0:  # an arc around everything: leaving someone out is free
        tails = np.append(tails, source)
        heads = np.append(heads, sink)
        caps = np.append(caps, len(used_rows))
        costs = np.append(costs, 0)
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    if waiting is not None:
        flow.set_node_supply(second, placed)
        flow.set_node_supply(source, total - placed)
        flow.set_node_supply(sink, -total)
        status = flow.solve()
    else:
        flow.set_node_supply(source, len(used_rows))
        flow.set_node_supply(sink, -len(used_rows))
        status = flow.solve_max_flow_with_min_cost() if bonus else flow.solve()
    if status != flow.OPTIMAL:
        raise NotOptimal(f"min-cost flow ended with status {status}")
    return np.asarray(flow.flows(np.arange(len(used_rows), len(used_rows) + k)), np.int64)


def _duals(
    n: int,
    m: int,
    rows: np.ndarray,
    cols: np.ndarray,
    value: np.ndarray,
    chosen: np.ndarray,
    capacity: np.ndarray,
    waiting: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Dual values satisfying complementary slackness with the chosen arcs.

    With p = left and q = -right, every dual condition is a difference constraint
    ``x[b] <= x[a] + c`` (an arc a -> b of length c), so shortest-path distances from an
    extra node z (p = q = 0 there) satisfy all of them; a negative cycle would mean the flow
    was not optimal. Conditions: left + right >= value on every arc (i -> j, -value), and
    <= on chosen arcs (j -> i, +value); left >= 0 (i -> z), left = 0 if unmatched (z -> i);
    right >= 0 (z -> j), right = 0 if the right node has places left (j -> z). ``waiting``
    rows compare with a node g (the group's value, free) instead of z: left >= g, and
    left = g if unmatched.
    """
    z = n + m
    g = z + 1
    taken = np.bincount(cols[chosen], minlength=m)
    matched = np.zeros(n, bool)
    matched[rows[chosen]] = True
    base = np.full(n, z, np.int64)
    if waiting is not None:
        base[waiting] = g
    free_left = np.flatnonzero(~matched)
    open_right = np.flatnonzero(taken < capacity)
    tails = [rows, n + cols[chosen], np.arange(n), base[free_left]]
    heads = [n + cols, rows[chosen], base, free_left]
    lengths = [-value.astype(np.float64), value[chosen].astype(np.float64), np.zeros(n)]
    lengths.append(np.zeros(len(free_left)))
    tails += [np.full(m, z), n + open_right]
    heads += [n + np.arange(m), np.full(len(open_right), z)]
    lengths += [np.zeros(m), np.zeros(len(open_right))]
    import rustworkx as rx

    graph = rx.PyDiGraph()
    graph.add_nodes_from(range(g + 1))
    arcs = zip(
        np.concatenate(tails).tolist(),
        np.concatenate(heads).tolist(),
        np.concatenate(lengths).tolist(),
        strict=True,
    )
    graph.add_edges_from(list(arcs))
    try:
        found = rx.digraph_bellman_ford_shortest_path_lengths(graph, z, float)
    except rx.NegativeCycle as exc:
        raise NotOptimal("negative cycle: the flow was not optimal") from exc
    dist = np.zeros(g + 1)
    for node, length in found.items():
        dist[node] = length
    return dist[:n], -dist[n:z], float(dist[g])
