"""Peer rounds at scale: each pair scored once (``candidates.collect_peers``), the candidate
graph it keeps, and the upper bound any pairing is measured against (``peer_bound``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import networkx as nx
import numpy as np
import pytest

from bench.matching import cohort, replace_role
from bot.config import MatchingSettings
from bot.matching import candidates, mincost, scoring
from bot.matching import cohort as cohort_matching
from bot.matching.profiles import Candidate, week_start
from bot.matching.scoring import Cohort, Rules, Scorer, score_cohort

WEEK = week_start(datetime(2026, 11, 22, tzinfo=UTC))
M = MatchingSettings()


def peers(n: int, seed: int) -> list[Candidate]:
    """``n`` peers from the benchmark's generator, some of them waiting from a round before."""
    mentees, mentors = cohort(n - n // 6, seed=seed)
    people = [replace_role(p, k) for k, p in enumerate((mentees + mentors)[:n])]
    rng = np.random.default_rng(seed)
    return [replace(p, priority=int(rng.random() < 0.1)) for p in people]


def peer_rules(people: list[Candidate], seed: int) -> Rules:
    """Blocked pairs and recent partners among ``people`` (by member id)."""
    rng = np.random.default_rng(seed + 100)
    ids = [p.member_id for p in people]

    def pair() -> tuple[int, int]:
        a, b = rng.choice(ids, size=2, replace=False)
        return int(a), int(b)

    blocked = frozenset(pair() for _ in range(len(ids) // 4))
    recent = {pair(): int(rng.integers(0, 4)) for _ in range(len(ids) // 3)}
    return Rules(blocked=blocked, recent=recent)


def every_pair_collect(scorer: Scorer, k: int, skip: np.ndarray) -> candidates.Graph:
    """The graph as it was built before: every row scored against every column."""
    graph = candidates.collect(scorer, k, skip_rows=skip, skip_cols=skip)
    graph.add(graph.cols, graph.rows, graph.units)
    return graph


def allowed_matrix(scorer: Scorer, rules: Rules, settings: MatchingSettings) -> np.ndarray:
    """Every pair the hard rules allow (language, team, blocks, recent partners)."""
    return score_cohort(scorer.cohort, settings, reference_week=WEEK, rules=rules).feasible


@pytest.mark.parametrize(("n", "k", "cells"), [(150, 6, 1), (260, 25, 2_000_000), (260, 8, 997)])
def test_scoring_each_pair_once_keeps_what_scoring_every_pair_kept(n, k, cells, monkeypatch):
    """Each pair scored once gives every person the same threshold, the same partner
    counts per rule and the same best values as scoring every pair both ways, whatever
    the block size (with blocked pairs, recent partners and pinned people)."""
    monkeypatch.setattr(scoring, "BLOCK_CELLS", cells)
    people = peers(n, seed=n)
    rules = peer_rules(people, seed=n)
    settings = replace(M, require_different_team=True)
    scorer = Scorer(Cohort(people, people, peer=True), settings, reference_week=WEEK, rules=rules)
    skip = np.asarray([3, 17, n - 1], np.int64)
    new = candidates.collect_peers(scorer, k, skip=skip)
    old = every_pair_collect(scorer, k, skip)
    assert np.array_equal(new.threshold, old.threshold)
    # Scoring every pair also counted each person as their own language (and team)
    # partner, which could name the wrong reason for someone left alone: no longer.
    own = scorer.pairs(np.arange(n), np.arange(n))
    expected = {
        "language": old.left.language - own.language_ok,
        "team": old.left.team - (own.language_ok & own.team_ok),
        "rule": old.left.rule,
        "feasible": old.left.feasible,
    }
    for side in ("left", "right"):
        for rule, counts in expected.items():
            assert np.array_equal(getattr(getattr(new, side), rule), counts)
    assert np.array_equal(new.forbidden, old.forbidden)
    for graph in (new, old):  # each pair is among someone's best
        low = np.minimum(graph.threshold[graph.rows], graph.threshold[graph.cols])
        assert (graph.units >= low).all()

    def best(graph: candidates.Graph) -> set[tuple[int, int, int]]:
        """The pairs above their row's threshold (kept whichever way ties fall)."""
        above = graph.units > graph.threshold[graph.rows]
        parts = (graph.rows[above], graph.cols[above], graph.units[above])
        return set(zip(*(x.tolist() for x in parts), strict=True))

    assert best(new) == best(old)


@pytest.mark.parametrize("n", [120, 260])
def test_the_candidate_graph_never_holds_a_forbidden_pair(n):
    """Every pair the candidate graph proposes is allowed by every hard rule (a shared
    language, different teams, not blocked, not a recent partner, not oneself, nobody
    pinned), and it is in the graph both ways round with the pair's own value."""
    people = peers(n, seed=7)
    rules = peer_rules(people, seed=7)
    settings = replace(M, require_different_team=True)
    scorer = Scorer(Cohort(people, people, peer=True), settings, reference_week=WEEK, rules=rules)
    skip = np.asarray([0, 5], np.int64)
    k = n if n <= cohort_matching.EXACT_PEER_LIMIT else settings.peer_candidates
    graph = candidates.collect_peers(scorer, k, skip=skip)
    allowed = allowed_matrix(scorer, rules, settings)
    assert len(graph.rows) and allowed[graph.rows, graph.cols].all()
    assert not np.isin(graph.rows, skip).any() and not np.isin(graph.cols, skip).any()
    pairs = set(zip(graph.rows.tolist(), graph.cols.tolist(), graph.units.tolist(), strict=True))
    assert pairs == {(b, a, w) for a, b, w in pairs}
    units = scorer.units(scorer.pairs(graph.rows, graph.cols), graph.cols)
    assert np.array_equal(units, graph.units)
    matched = cohort_matching.match_cohort(
        Cohort(people, people, peer=True), settings, reference_week=WEEK, rules=rules
    )
    for group in matched.groups:
        assert all(allowed[a, b] for a in group for b in group if a != b)


def best_pairing(units: np.ndarray, allowed: np.ndarray) -> int:
    """The highest total of any pairing on the allowed pairs (networkx's exact blossom)."""
    a, b = np.nonzero(np.triu(allowed, 1))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), units[a, b].tolist(), strict=True))
    return sum(int(units[x, y]) for x, y in nx.max_weight_matching(graph, maxcardinality=False))


@pytest.mark.parametrize(("n", "k", "seed"), [(24, 1, 1), (40, 2, 2), (60, 3, 3), (90, 4, 4)])
def test_the_peer_bound_is_at_least_the_best_pairing(n, k, seed):
    """On small cohorts with only each person's best ``k`` in the graph (most pairs outside
    it), the bound is at least the exact best pairing of the whole cohort and no more than
    half the sum of everyone's best pair; the pairing found is within it."""
    people = peers(n, seed=seed)
    rules = peer_rules(people, seed=seed)
    scorer = Scorer(Cohort(people, people, peer=True), M, reference_week=WEEK, rules=rules)
    graph = candidates.collect_peers(scorer, k)
    places = np.ones(n, np.int64)
    result = mincost.solve(n, n, graph.rows, graph.cols, graph.units, places, bonus=0)
    bound = candidates.peer_bound(graph, result)
    units = np.concatenate([scorer.units(b) for b in scorer.blocks()])
    allowed = allowed_matrix(scorer, rules, M)
    best = best_pairing(units, allowed)
    tops = np.where(allowed, units, 0).max(axis=1)
    assert best <= bound <= tops.sum() // 2
    pairs = cohort_matching._peers(scorer, graph, say=lambda _m, _d: None)
    assert pairs.units <= best


def test_the_bound_covers_the_pairs_it_found_short():
    """Pairs outside the graph that the double cover's duals undervalue raise the bound:
    with the graph emptied of its best pairs the bound still holds the best pairing."""
    n = 50
    people = peers(n, seed=11)
    scorer = Scorer(Cohort(people, people, peer=True), M, reference_week=WEEK)
    graph = candidates.collect_peers(scorer, 3)
    units = np.concatenate([scorer.units(b) for b in scorer.blocks()])
    allowed = allowed_matrix(scorer, Rules(), M)
    weak = graph.units < np.median(graph.units)  # keep only the weaker half of the graph
    graph.rows, graph.cols, graph.units = graph.rows[weak], graph.cols[weak], graph.units[weak]
    graph.threshold = np.where(allowed, units, -1).max(axis=1)  # still a true upper bound
    graph.col_threshold = graph.threshold.copy()
    places = np.ones(n, np.int64)
    result = mincost.solve(n, n, graph.rows, graph.cols, graph.units, places, bonus=0)
    plain = sum(int(x) for x in (result.left + result.right).tolist()) // 2
    bound = candidates.peer_bound(graph, result)
    assert bound > plain  # it had to raise
    assert bound >= best_pairing(units, allowed)


@pytest.mark.parametrize("n", [40, 260])
def test_a_peer_who_shares_no_language_is_told_so(n):
    """Someone who shares a language with nobody is left out for the language, not for a
    block or a team: they are not counted as their own partner."""
    people = [replace(p, languages=p.languages or ["English"]) for p in peers(n, seed=5)]
    people[4] = replace(people[4], languages=["Klingon"])  # nobody else speaks it
    for settings in (M, replace(M, require_different_team=True)):
        matched = cohort_matching.match_cohort(
            Cohort(people, people, peer=True), settings, reference_week=WEEK
        )
        assert all(4 not in group for group in matched.groups)
        assert matched.graph.left.reason(4) == "language"
