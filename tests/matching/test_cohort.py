"""Matching a cohort: scores, hard constraints, the solver's optimality, slots and explanations."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import load_prompts
from bot.config import MatchingSettings
from bot.matching.explain import explain
from bot.matching.profiles import Candidate, week_bitmap, week_start
from bot.matching.reasons import render_reasons
from bot.matching.scoring import Cohort, Rules, score_cohort
from bot.matching.slots import suggest_slots
from bot.matching.solver import greedy_assignment, solve_assignment
from bot.time.holidays import DaysOff

WEEK = date(2026, 11, 23)  # a Monday
M = MatchingSettings()


def cand(member_id: int, role: str = "mentee", **kw) -> Candidate:
    kw.setdefault("timezone", "UTC")
    return Candidate(
        member_id=member_id,
        person_id=member_id,
        name=f"p{member_id}",
        role=role,
        platform_user_id=f"u{member_id}",
        **kw,
    )


def scores_for(left, right, peer=False, rules=None, settings_=M):
    return score_cohort(Cohort(left, right, peer), settings_, reference_week=WEEK, rules=rules)


# -- scoring ------------------------------------------------------------------------------


def test_skills_wanted_vs_offered_rank_the_right_mentor_first():
    """A mentor offering what the mentee wants scores higher than one who does not."""
    mentee = cand(1, skills_wanted=["python", "public speaking"])
    right = [
        cand(2, "mentor", skills_offered=["Python", "Public Speaking"]),
        cand(3, "mentor", skills_offered=["python programming"]),
        cand(4, "mentor", skills_offered=["knitting"]),
    ]
    total = scores_for([mentee], right).total[0]
    assert total[0] > total[1] > total[2]


@pytest.mark.parametrize(
    ("a_langs", "b_langs", "feasible"),
    [
        (["English"], ["english"], True),
        (["Spanish"], ["German"], False),
        ([], ["German"], True),
        (["Spanish", "German"], ["german"], True),
    ],
)
def test_shared_language_is_a_hard_constraint_when_both_set(a_langs, b_langs, feasible):
    """Two people who both listed languages must share one; an empty list never excludes."""
    s = scores_for([cand(1, languages=a_langs)], [cand(2, "mentor", languages=b_langs)])
    assert bool(s.feasible[0, 0]) is feasible


def test_language_constraint_can_be_switched_off():
    """With require_shared_language = false, language only affects the score."""
    relaxed = MatchingSettings(require_shared_language=False)
    s = scores_for(
        [cand(1, languages=["es"])], [cand(2, "mentor", languages=["de"])], settings_=relaxed
    )
    assert s.feasible[0, 0]


def test_different_team_rule():
    """require_different_team rules out same-team pairs; unknown teams are allowed."""
    strict = MatchingSettings(require_different_team=True, weight_team=1.0)
    s = scores_for(
        [cand(1, team="Infra")],
        [cand(2, "mentor", team="infra"), cand(3, "mentor", team="Web"), cand(4, "mentor")],
        settings_=strict,
    )
    assert s.feasible[0].tolist() == [False, True, True]
    assert s.total[0, 1] > s.total[0, 2]


def test_overlap_is_computed_on_real_dates_across_zones():
    """London 09-17 and New York 09-17 share 3 hours a weekday = 15 hours in a normal week."""
    london = cand(1, timezone="Europe/London")
    new_york = cand(2, "mentor", timezone="America/New_York")
    assert scores_for([london], [new_york]).overlap_hours[0, 0] == pytest.approx(15.0)
    # In the weeks between the US and EU clock changes the overlap is 4 hours a day.
    s = score_cohort(Cohort([london], [new_york]), M, reference_week=date(2026, 3, 9))
    assert s.overlap_hours[0, 0] == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("zone_a", "zone_b", "hours"),
    [
        ("Europe/London", "Australia/Sydney", 0.0),  # office hours never meet
        # Auckland's Tuesday morning is Honolulu's Monday afternoon: a real date matters.
        ("Pacific/Auckland", "Pacific/Honolulu", 28.0),  # 7 hours, Auckland Tue-Fri
    ],
)
def test_overlap_across_the_date_line(zone_a, zone_b, hours):
    """Overlap follows real instants, including across the date line."""
    s = scores_for([cand(1, timezone=zone_a)], [cand(2, "mentor", timezone=zone_b)])
    assert s.overlap_hours[0, 0] == pytest.approx(hours)


def test_week_bitmap_respects_half_hour_zones():
    """Kathmandu (UTC+5:45) 09:00-10:00 covers 03:15-04:15 UTC Monday."""
    c = cand(
        1, timezone="Asia/Kathmandu", availability=[{"days": [0], "start": "09:00", "end": "10:00"}]
    )
    bits = week_bitmap(c, WEEK)
    assert bits.sum() == 4
    assert np.flatnonzero(bits).tolist() == [13, 14, 15, 16]  # 03:15 .. 04:00 in 15-min slots


def test_week_start_is_next_monday():
    """The reference week is the next full week."""
    assert week_start(datetime(2026, 11, 22, 12, tzinfo=UTC)) == date(2026, 11, 23)
    assert week_start(datetime(2026, 11, 23, 12, tzinfo=UTC)) == date(2026, 11, 30)


# -- hard rules ---------------------------------------------------------------------------


def test_blocks_rule_out_pairs():
    """A blocked pair is infeasible in either direction."""
    rules = Rules(blocked=frozenset({(2, 1)}))
    s = scores_for([cand(1)], [cand(2, "mentor"), cand(3, "mentor")], rules=rules)
    assert s.feasible[0].tolist() == [False, True]


@pytest.mark.parametrize(
    ("mentors", "age", "expected"),
    [
        (5, 0, False),  # big pool: last round's partner is excluded
        (5, 2, False),  # still inside the 3-round window
        (5, 3, True),  # outside the window
        (2, 0, False),  # two options: window shrinks to 1 round, last round still excluded
        (2, 1, True),  # ... but two rounds ago is fine again
        (1, 0, True),  # only one possible partner: never run out of partners
    ],
)
def test_recency_window_adapts_to_pool_size(mentors, age, expected):
    """Recent partners are excluded for a window that shrinks when the pool is small."""
    right = [cand(10 + k, "mentor") for k in range(mentors)]
    left = [cand(1)] + [cand(2 + k) for k in range(4)]  # the mentor has other options
    rules = Rules(recent={(1, 10): age})
    s = scores_for(left, right, rules=rules)
    assert bool(s.feasible[0, 0]) is expected
    assert s.feasible[0, 1:].all()


# -- solver -------------------------------------------------------------------------------


def brute_force(objective, feasible, capacity):
    """The best (count, total) over every assignment, for tiny instances."""
    n, m = objective.shape
    best = (0, 0.0)
    for choice in itertools.product(range(-1, m), repeat=n):
        used = np.zeros(m, int)
        total, count, ok = 0.0, 0, True
        for i, j in enumerate(choice):
            if j < 0:
                continue
            if not feasible[i, j]:
                ok = False
                break
            used[j] += 1
            total += objective[i, j]
            count += 1
        if ok and (used <= capacity).all():
            best = max(best, (count, round(total, 6)))
    return best


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 5),
    m=st.integers(1, 3),
    data=st.data(),
)
def test_assignment_is_optimal_and_never_below_greedy(n, m, data):
    """Most people matched first, then the highest total; always at least greedy's total."""
    objective = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 100), min_size=m, max_size=m), min_size=n, max_size=n)
        ),
        dtype=float,
    )
    feasible = np.array(
        data.draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n))
    )
    capacity = np.array(data.draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)))
    pairs = solve_assignment(objective, feasible, capacity)
    assert all(feasible[i, j] for i, j in pairs)
    assert len({i for i, _ in pairs}) == len(pairs)
    assert all(sum(1 for _, j in pairs if j == k) <= capacity[k] for k in range(m))
    ours = (len(pairs), round(sum(objective[i, j] for i, j in pairs), 6))
    assert ours == brute_force(objective, feasible, capacity)
    greedy = greedy_assignment(objective, feasible, capacity)
    assert len(pairs) >= len(greedy)
    if len(pairs) == len(greedy):
        assert ours[1] >= sum(objective[i, j] for i, j in greedy) - 1e-9


def peer_cohort(n: int, seed: int) -> list[Candidate]:
    """``n`` peers with random skills, seniority and teams (everyone may meet everyone)."""
    rng = np.random.default_rng(seed)
    skills = ["python", "sql", "design", "writing", "testing", "leadership"]
    return [
        cand(
            k,
            "peer",
            skills_offered=list(rng.choice(skills, size=2, replace=False)),
            skills_wanted=list(rng.choice(skills, size=2, replace=False)),
            seniority=int(rng.integers(0, 8)),
            team=f"t{int(rng.integers(0, 3))}",
        )
        for k in range(n)
    ]


def test_peers_pair_everyone_and_form_one_trio_when_odd():
    """Five peers: two groups, one of them a trio; nobody left out; the odd one joins the
    pair where they fit best."""
    from bot.matching.cohort import match_cohort

    people = peer_cohort(5, 3)
    matched = match_cohort(Cohort(people, people, peer=True), M, reference_week=WEEK)
    groups = matched.groups
    assert sorted(len(g) for g in groups) == [2, 3]
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    units = matched.scorer.units(matched.scorer.block(np.arange(5)))
    (trio,) = [g for g in groups if len(g) == 3]
    (pair,) = [g for g in groups if len(g) == 2]
    # The odd one is whoever's partners in the trio were a pair of the matching (its total
    # counts pairs only); they joined the pair they fit best.
    odd = [
        x
        for x in trio
        if matched.units == sum(int(units[p, q]) for p, q in ([y for y in trio if y != x], pair))
    ]
    assert odd
    for x in odd:
        rest = [y for y in trio if y != x]
        assert units[x, rest].sum() >= units[x, list(pair)].sum()


def test_peers_matching_is_optimal_on_small_cohorts():
    """Six peers: the total equals the best of all perfect matchings of their scores."""
    from bot.matching.cohort import match_cohort

    people = peer_cohort(6, 7)
    matched = match_cohort(Cohort(people, people, peer=True), M, reference_week=WEEK)
    units = matched.scorer.units(matched.scorer.block(np.arange(6)))

    def best(rest):
        if not rest:
            return 0
        a, others = rest[0], rest[1:]
        return max(int(units[a, b]) + best([x for x in others if x != b]) for b in others)

    assert len(matched.groups) == 3
    assert matched.units == best(list(range(6)))


# -- slots and explanations ---------------------------------------------------------------


def test_slots_fall_inside_both_availabilities_in_local_time():
    """Suggested slots are inside both people's windows, on different days."""
    london = cand(
        1,
        timezone="Europe/London",
        availability=[{"days": [0, 1, 2, 3, 4], "start": "14:00", "end": "18:00"}],
    )
    ny = cand(
        2,
        "mentor",
        timezone="America/New_York",
        availability=[{"days": [1, 3], "start": "08:00", "end": "12:00"}],
    )
    slots = suggest_slots(
        [london, ny], after=datetime(2026, 11, 22, 12, tzinfo=UTC), days_off=DaysOff()
    )
    assert len(slots) == 3
    assert len({s.date() for s in slots}) == 3
    from zoneinfo import ZoneInfo

    for slot in slots:
        local_l = slot.astimezone(ZoneInfo("Europe/London"))
        local_n = slot.astimezone(ZoneInfo("America/New_York"))
        assert local_n.weekday() in (1, 3)
        assert 14 <= local_l.hour < 18 and 8 <= local_n.hour < 12


def test_no_slots_without_overlap():
    """No common time: no suggestions (the intro then says so)."""
    a = cand(1, timezone="Europe/London")
    b = cand(2, "mentor", timezone="Australia/Sydney")
    assert suggest_slots([a, b], after=datetime(2026, 11, 22, tzinfo=UTC), days_off=DaysOff()) == []


def test_explanations_name_the_reasons():
    """Reasons mention shared skills, languages and shared hours, strongest first."""
    prompts = load_prompts()
    hours = [{"days": [0, 1, 2], "start": "09:00", "end": "14:00"}]
    mentee = cand(
        1, skills_wanted=["Python"], languages=["Spanish"], goals="lead a team", availability=hours
    )
    mentor = cand(
        2,
        "mentor",
        skills_offered=["python", "leadership"],
        languages=["spanish"],
        availability=hours,
    )
    said = explain(mentee, mentor, peer=False, overlap_hours=15, settings=M)
    reasons = render_reasons(prompts, said)
    assert reasons[0] == "p2 can help with python"
    assert "15 hours a week when you're both available" in reasons
    assert "you both speak Spanish" in reasons
    # nothing in common and no overlap: never only good news
    nothing = explain(cand(3), cand(4, "mentor"), peer=False, overlap_hours=0, settings=M)
    assert render_reasons(prompts, nothing) == [
        "you were the best fit available in this round",
        "heads-up: your available hours don't overlap, so you'll need to agree on a time "
        "outside them",
    ]


def test_explanations_say_when_availability_is_assumed():
    """Without availability, weekday office hours are assumed: the reason says so."""
    prompts = load_prompts()
    mentee = cand(1, availability=[{"days": [0], "start": "09:00", "end": "17:00"}])
    said = explain(mentee, cand(2, "mentor"), peer=False, overlap_hours=8, settings=M)
    reasons = render_reasons(prompts, said)
    assert "when you're both available" not in " ".join(reasons)
    assert (
        "about 8 hours a week in common, assuming weekday office hours for p2 (no availability "
        "set yet)" in reasons
    )


def test_generated_cohort_matches_an_independent_lp_optimum():
    """On a generated cohort, our total equals the optimum of scipy's LP solver (HiGHS)."""
    from bench.matching import run_size

    result = run_size(120)
    assert result["pairs"] == result["lp_pairs"]
    assert result["ours"] == pytest.approx(result["lp"], rel=1e-9)
    assert result["ours"] >= result["greedy"] and result["ours"] > result["random"]


@pytest.mark.parametrize("seed", range(6))
def test_peer_matching_equals_networkx_on_the_same_graph(seed):
    """Random graphs of 40-235 people with integer weights and some people with few edges
    (both sizes odd and even): rustworkx's matching has the same number of pairs and the same
    total as networkx's reference blossom on the same graph."""
    import networkx as nx

    from bot.matching.solver import match_peers

    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 91)) if seed < 4 else 230 + seed
    keep = np.triu(rng.random((n, n)) < 8 / n, k=1)
    a, b = np.nonzero(keep)
    weight = rng.integers(0, 100_000, len(a))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), weight.tolist(), strict=True))
    reference = nx.max_weight_matching(graph, maxcardinality=True)
    expected = sum(graph[x][y]["weight"] for x, y in reference)

    pairs = match_peers(n, a, b, weight)
    assert len(pairs) == len(reference)
    assert sum(graph[x][y]["weight"] for x, y in pairs) == expected
    assert len({i for p in pairs for i in p}) == 2 * len(pairs)


def test_peer_matching_solves_each_component_on_its_own(monkeypatch):
    """40,000 people of whom 8,000 have partners, in 2,000 paths of four: each path's two end
    pairs (the most pairs) are the answer, and blossom (cubic in the nodes it is given) only
    ever sees one path's four people, never the whole cohort (which took 90 s).
    """
    import rustworkx

    from bot.matching.solver import match_peers

    sizes: list[int] = []
    real = rustworkx.max_weight_matching

    def measured(graph, *args, **kwargs):  # type: ignore[no-untyped-def]
        sizes.append(graph.num_nodes())
        return real(graph, *args, **kwargs)

    monkeypatch.setattr(rustworkx, "max_weight_matching", measured)
    n = 40_000
    starts = np.arange(0, 16_000, 8)
    a = np.concatenate([starts, starts + 1, starts + 2])
    b = a + 1
    weight = np.concatenate([np.full(2000, 5), np.full(2000, 100), np.full(2000, 7)])
    pairs = match_peers(n, a, b, weight)
    expected = sorted((int(s + d), int(s + d + 1)) for s in starts for d in (0, 2))
    assert pairs == expected
    assert sizes and max(sizes) <= 4


def test_column_top_keeps_each_columns_best_rows_block_by_block():
    """Each column's best k values over blocks of rows (many values tied, some not allowed),
    and the value after them as its threshold, as if the whole matrix were sorted."""
    from bot.matching.candidates import _ColumnTop

    rng = np.random.default_rng(3)
    units = rng.integers(-1, 40, (900, 30))
    top = _ColumnTop(5, 30)
    for start in range(0, 900, 7):
        top.add(np.arange(start, min(start + 7, 900)), units[start : start + 7].copy())
    rows, cols, values, threshold = top.result()
    assert (units[rows, cols] == values).all()
    ranked = -np.sort(-units, axis=0)
    for j in range(30):
        assert sorted(values[cols == j].tolist(), reverse=True) == ranked[:5, j].tolist()
        assert threshold[j] == ranked[5, j]
        assert len(set(rows[cols == j].tolist())) == 5
