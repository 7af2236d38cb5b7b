"""Matching a whole cohort: score it in blocks, keep the candidate graph, solve it.

Mentoring is solved to the optimum of the whole cohort (``candidates.assign``: min-cost flow
on the graph, every other pair priced against the duals, which are kept as the proof). Peer
pairing runs Edmonds' blossom (rustworkx) on the graph of each person's best
``peer_candidates`` partners, and can report how close that is to an upper bound for any
pairing of the whole cohort: half the best assignment of the bipartite double cover (each
person once as a row and once as a column), solved and priced the same way as mentoring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.config import MatchingSettings
from bot.matching import candidates, flow
from bot.matching.scoring import Cohort, Rules, Scorer

Progress = Callable[[str], None]
COLUMN_CANDIDATES = 100  # each mentor's best mentees kept beside each mentee's best mentors
EXACT_PEER_LIMIT = 200  # peer cohorts up to this size keep every allowed pair


@dataclass
class Matched:
    """The groups (row, col[, col]) and what proves or bounds their quality."""

    groups: list[tuple[int, ...]]
    scorer: Scorer
    graph: candidates.Graph
    units: int  # what the solver maximised, summed over the pairs (before any trio)
    proof: flow.Assignment | None = None  # mentoring: the duals that prove the optimum
    rounds: int = 0  # mentoring: solves until no pair outside the graph could improve
    bound: int | None = None  # peers: no pairing of the cohort is worth more (units)
    edges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # peers: (a, b, units)


def match_cohort(
    cohort: Cohort,
    settings: MatchingSettings,
    *,
    reference_week: date,
    rules: Rules | None = None,
    seed: int = 0,
    capacity: np.ndarray | None = None,
    pinned: set[int] | None = None,
    peer_bound: bool = False,
    progress: Progress | None = None,
) -> Matched:
    """Best groups for the cohort. Mentoring: at most ``capacity[j]`` mentees per mentor;
    ``pinned`` rows (and, for peers, columns) are already placed and take nobody.
    """
    say = progress or (lambda _msg: None)
    scorer = Scorer(cohort, settings, reference_week=reference_week, rules=rules, seed=seed)
    skip = np.asarray(sorted(pinned or ()), np.int64)
    if cohort.peer:
        k = scorer.m if scorer.n <= EXACT_PEER_LIMIT else settings.peer_candidates
        graph = candidates.collect(scorer, k, skip_rows=skip, skip_cols=skip, progress=say)
        return _peers(scorer, graph, peer_bound=peer_bound, say=say)
    graph = candidates.collect(
        scorer,
        settings.mentor_candidates,
        column_k=COLUMN_CANDIDATES,
        skip_rows=skip,
        progress=say,
    )
    places = np.asarray(capacity if capacity is not None else [c.capacity for c in cohort.right])
    solution = candidates.assign(graph, places, progress=say)
    groups = [(int(i), int(j)) for i, j in zip(solution.rows, solution.cols, strict=True)]
    return Matched(
        groups=sorted(groups),
        scorer=scorer,
        graph=graph,
        units=int(solution.units.sum()),
        proof=solution.proof,
        rounds=solution.rounds,
    )


def _peers(scorer: Scorer, graph: candidates.Graph, *, peer_bound: bool, say: Progress) -> Matched:
    from bot.matching.solver import match_peers

    keep = graph.rows != graph.cols
    a = np.minimum(graph.rows, graph.cols)[keep]
    b = np.maximum(graph.rows, graph.cols)[keep]
    keys, first = np.unique(a * max(scorer.n, 1) + b, return_index=True)
    a, b, weight = a[first], b[first], graph.units[keep][first]
    say(f"pairing {scorer.n} peers on {len(a)} candidate pairs")
    pairs = match_peers(scorer.n, a, b, weight)
    lookup = dict(zip(keys.tolist(), weight.tolist(), strict=True))
    units = sum(lookup[x * max(scorer.n, 1) + y] for x, y in pairs)
    groups: list[tuple[int, ...]] = list(pairs)
    matched = {i for p in pairs for i in p}
    placed = set(graph.skip_rows.tolist())
    leftovers = [i for i in range(scorer.n) if i not in matched and i not in placed]
    if len(leftovers) == 1 and groups:
        groups = _trio(scorer, graph, groups, leftovers[0])
    bound = None
    if peer_bound:
        say("bounding: the best pairing of the double cover")
        graph.add(b, a, weight)  # both directions: the double cover's rows and columns
        solution = candidates.assign(
            graph, np.ones(scorer.m, np.int64), cardinality_first=False, progress=say
        )
        bound = solution.proof.value // 2
    return Matched(
        groups=sorted(groups),
        scorer=scorer,
        graph=graph,
        units=units,
        bound=bound,
        edges=(a, b, weight),
    )


def _trio(
    scorer: Scorer, graph: candidates.Graph, groups: list[tuple[int, ...]], x: int
) -> list[tuple[int, ...]]:
    """An odd person out joins the pair they fit best (both must be allowed for them)."""
    row = np.asarray([x])
    block = scorer.block(row)
    units = scorer.units(block)[0]
    ok = (block.base_ok & ~graph.ruled_out(row))[0]
    best_gain, best_k = -1, -1
    for k, (p, q) in enumerate(groups):
        if ok[p] and ok[q]:
            gain = int(units[p]) + int(units[q])
            if gain > best_gain:
                best_gain, best_k = gain, k
    if best_k >= 0:
        groups = list(groups)
        groups[best_k] = tuple(sorted((*groups[best_k], x)))
    return groups
