"""Matching without the dense matrix: block scoring, the candidate graph, the min-cost flow
with its dual proof, pricing, and the peers' upper bound.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from bench.matching import cohort, replace_role
from bot.cli.match import quality_line
from bot.config import MatchingSettings
from bot.matching import candidates, mincost, scoring
from bot.matching import cohort as cohort_matching
from bot.matching.profiles import week_start
from bot.matching.scoring import Cohort, Rules, Scorer, score_cohort
from tests.matching.test_cohort import brute_force

WEEK = week_start(datetime(2026, 11, 22, tzinfo=UTC))
M = MatchingSettings()


def dense(scorer: Scorer, rules: Rules, settings_: MatchingSettings = M):
    """Every pair's value (units) and whether the rules allow it, as whole matrices."""
    units = np.concatenate([scorer.units(b) for b in scorer.blocks()])
    allowed = score_cohort(scorer.cohort, settings_, reference_week=WEEK, rules=rules).feasible
    return units, allowed


def slots_optimum(units: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, bonus: int):
    """The optimum by scipy's dense Hungarian method on mentors expanded into slots."""
    slots = np.repeat(np.arange(units.shape[1]), capacity)
    value = np.where(allowed, units + bonus, 0).astype(np.float64)[:, slots]
    rows, cols = linear_sum_assignment(-value)
    taken = value[rows, cols] > 0
    return int(taken.sum()), round(value[rows, cols][taken].sum())


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 6), m=st.integers(1, 4), data=st.data())
def test_min_cost_flow_is_optimal_and_its_duals_prove_it(n, m, data):
    """Both objectives (most pairs then highest total; highest total) equal brute force, and
    the duals are feasible on every arc with the solution's value as their objective."""
    weights = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 50), min_size=m, max_size=m), min_size=n, max_size=n)
        )
    )
    allowed = np.array(
        data.draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n))
    )
    capacity = np.array(data.draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)))
    rows, cols = np.nonzero(allowed)
    bonus = mincost.bonus_for(50, n, int(capacity.sum()))
    for b in (bonus, 0):
        result = mincost.solve(n, m, rows, cols, weights[rows, cols], capacity, bonus=b)
        chosen = list(zip(rows[result.chosen], cols[result.chosen], strict=True))
        assert len({i for i, _ in chosen}) == len(chosen)
        assert all(sum(1 for _, j in chosen if j == k) <= capacity[k] for k in range(m))
        total = int(sum(weights[i, j] for i, j in chosen))
        if b:
            assert (len(chosen), total) == brute_force(weights.astype(float), allowed, capacity)
        else:
            assert total == best_weight(weights, allowed, capacity)
        assert (result.left >= 0).all() and (result.right >= 0).all()
        assert (result.left[rows] + result.right[cols] >= weights[rows, cols] + b).all()
        assert result.dual_value(capacity) == result.value == total + b * len(chosen)


def best_weight(weights: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> int:
    """The highest total of any assignment, however many pairs (every choice tried)."""
    n, m = weights.shape
    best = 0
    for choice in itertools.product(range(-1, m), repeat=n):
        used = np.bincount([j for j in choice if j >= 0], minlength=m)
        if (used <= capacity).all() and all(j < 0 or allowed[i, j] for i, j in enumerate(choice)):
            best = max(best, sum(int(weights[i, j]) for i, j in enumerate(choice) if j >= 0))
    return best


def mentoring_cohort(n: int, seed: int):
    mentees, mentors = cohort(n, seed=seed, n_mentors=n // 4)
    rng = np.random.default_rng(seed)
    ids_l = [c.member_id for c in mentees]
    ids_r = [c.member_id for c in mentors]
    blocked = frozenset((int(rng.choice(ids_l)), int(rng.choice(ids_r))) for _ in range(n // 5))
    recent = {
        (int(rng.choice(ids_l)), int(rng.choice(ids_r))): int(rng.integers(0, 4))
        for _ in range(n // 3)
    }
    return Cohort(mentees, mentors), Rules(blocked=blocked, recent=recent)


@pytest.mark.parametrize("seed", range(3))
def test_mentoring_is_optimal_for_the_whole_cohort_with_a_checked_certificate(seed, monkeypatch):
    """Starting from each mentee's single best mentor (and each mentor's best two mentees),
    pricing must bring in the pairs that matter: the total equals scipy's dense optimum over
    every pair, and the duals hold for every allowed pair of the cohort (not just the graph).
    With blocks, recent partners, the language rule and unequal capacities.
    """
    monkeypatch.setattr(cohort_matching, "COLUMN_CANDIDATES", 2)
    settings_ = replace(M, mentor_candidates=1)
    pool, rules = mentoring_cohort(160, seed)
    capacity = np.asarray([c.capacity for c in pool.right])
    matched = cohort_matching.match_cohort(
        pool, settings_, reference_week=WEEK, rules=rules, seed=seed, capacity=capacity
    )
    assert matched.rounds > 1  # the first graph was not enough: pricing added pairs
    units, allowed = dense(matched.scorer, rules, settings_)
    proof = matched.proof
    assert proof is not None
    rows, cols = np.nonzero(allowed)
    assert (proof.left >= 0).all() and (proof.right >= 0).all()
    assert (proof.left[rows] + proof.right[cols] >= units[rows, cols] + proof.bonus).all()
    assert proof.dual_value(capacity) == proof.value
    count, value = slots_optimum(units, allowed, capacity, proof.bonus)
    assert len(matched.groups) == count
    assert proof.value == value
    assert all(allowed[i, j] for i, j in matched.groups)
    assert matched.units == value - proof.bonus * count


def test_the_certificate_catches_a_pair_pricing_would_miss(monkeypatch):
    """Without pricing, the graph's own optimum is worse than the cohort's and its duals
    fail on some pair outside the graph: the certificate is what proves the optimum."""
    monkeypatch.setattr(cohort_matching, "COLUMN_CANDIDATES", 1)
    monkeypatch.setattr(candidates, "_price", lambda *args: 0)
    settings_ = replace(M, mentor_candidates=1)
    pool, rules = mentoring_cohort(160, 0)
    capacity = np.asarray([c.capacity for c in pool.right])
    matched = cohort_matching.match_cohort(
        pool, settings_, reference_week=WEEK, rules=rules, capacity=capacity
    )
    units, allowed = dense(matched.scorer, rules, settings_)
    proof = matched.proof
    rows, cols = np.nonzero(allowed)
    assert not (proof.left[rows] + proof.right[cols] >= units[rows, cols] + proof.bonus).all()
    assert proof.value < slots_optimum(units, allowed, capacity, proof.bonus)[1]


def test_results_do_not_depend_on_the_block_size(monkeypatch):
    """Scoring one row at a time or the whole cohort at once: the same graph, thresholds,
    counts and groups, for mentoring and for peers."""
    pool, rules = mentoring_cohort(120, 4)
    people = [replace_role(p, k) for k, p in enumerate(pool.left + pool.right)]

    def run():
        mentoring = cohort_matching.match_cohort(pool, M, reference_week=WEEK, rules=rules)
        peers = cohort_matching.match_cohort(
            Cohort(people, people, peer=True), M, reference_week=WEEK
        )
        return mentoring, peers

    whole = run()
    monkeypatch.setattr(scoring, "BLOCK_CELLS", 1)
    by_row = run()
    for a, b in zip(whole, by_row, strict=True):
        assert a.groups == b.groups and a.units == b.units
        assert np.array_equal(a.graph.threshold, b.graph.threshold)
        assert np.array_equal(a.graph.left.feasible, b.graph.left.feasible)
        assert np.array_equal(a.graph.right.rule, b.graph.right.rule)


def test_single_pairs_score_like_blocks_and_peers_are_symmetric():
    """The pricing scores single pairs; they must equal the block scores exactly, or the
    certificate would price a different problem. Peer scores read the same both ways."""
    pool, rules = mentoring_cohort(80, 5)
    people = [replace_role(p, k) for k, p in enumerate(pool.left + pool.right)]
    for c in (pool, Cohort(people, people, peer=True)):
        scorer = Scorer(c, M, reference_week=WEEK, rules=rules, seed=3)
        block = scorer.block(np.arange(scorer.n))
        units = scorer.units(block)
        rng = np.random.default_rng(0)
        i = rng.integers(0, scorer.n, 500)
        j = rng.integers(0, scorer.m, 500)
        pairs = scorer.pairs(i, j)
        assert np.array_equal(scorer.units(pairs, j), units[i, j])
        assert np.array_equal(pairs.base_ok, block.base_ok[i, j])
        if c.peer:
            assert np.array_equal(units, units.T)


@pytest.mark.parametrize("small_graph", [False, True])
def test_peer_pairing_at_scale_is_close_to_a_true_upper_bound(small_graph, monkeypatch):
    """400 peers (above the size where every pair is kept), paired on all their candidate
    pairs or, as large cohorts are, on the small graph around the double cover's solution:
    everyone who can be paired is, the bound is at least the double cover's exact optimum
    (so at least any pairing's total), our total is within 1% of it and above greedy's on
    every allowed pair."""
    import rustworkx as rx

    if small_graph:
        monkeypatch.setattr(cohort_matching, "BLOSSOM_EDGES", 0)

    mentees, mentors = cohort(340, seed=1)  # a cohort the small graph alone leaves 2 out of
    people = [replace_role(p, k) for k, p in enumerate((mentees + mentors)[:400])]
    matched = cohort_matching.match_cohort(
        Cohort(people, people, peer=True), M, reference_week=WEEK
    )
    units, allowed = dense(matched.scorer, Rules())
    n = len(people)
    assert matched.bound is not None
    value = np.where(allowed, units, 0).astype(np.float64)
    r, c = linear_sum_assignment(-value)
    assert matched.bound >= int(value[r, c].sum()) // 2
    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    a, b = np.nonzero(np.triu(allowed, 1))
    graph.add_edges_from(list(zip(a.tolist(), b.tolist(), [1] * len(a), strict=True)))
    most = len(rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda w: w))
    pairs = [g[:2] for g in matched.groups]
    assert len(pairs) == most
    total = sum(int(units[x, y]) for x, y in pairs)
    assert total == matched.units
    assert total >= 0.99 * matched.bound
    quality = matched.quality()  # what the preview states
    assert quality["optimal"] is False and quality["ratio"] == round(total / matched.bound, 4)
    line = quality_line(quality, pairs=len(pairs))
    assert line is not None and f"at least {total / matched.bound:.1%} of the best" in line
    assert f"upper bound {round(matched.bound / 1e6, 1):g}" in line
    used: set[int] = set()
    greedy = 0
    for k in np.argsort(-units[a, b], kind="stable"):
        x, y = int(a[k]), int(b[k])
        if x not in used and y not in used:
            used |= {x, y}
            greedy += int(units[x, y])
    assert total > greedy


def test_small_peer_cohorts_are_paired_exactly():
    """Up to 200 peers every allowed pair is in the graph: the same total as networkx's
    blossom on all of them."""
    import networkx as nx

    mentees, mentors = cohort(60, seed=2)
    people = [replace_role(p, k) for k, p in enumerate(mentees + mentors)]
    matched = cohort_matching.match_cohort(
        Cohort(people, people, peer=True), M, reference_week=WEEK
    )
    units, allowed = dense(matched.scorer, Rules())
    a, b = np.nonzero(np.triu(allowed, 1))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), units[a, b].tolist(), strict=True))
    reference = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = [g[:2] for g in matched.groups]
    assert len(pairs) == len(reference)
    assert matched.units == sum(int(units[x, y]) for x, y in reference)
