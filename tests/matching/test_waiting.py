"""People waiting from an earlier round are placed first, inside the hard rules: the most
pairs, then the most waiting people placed, then the best total fit (issue 27, item 1).
"""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from sqlmodel import select

from bot.config import MatchingSettings
from bot.matching import candidates
from bot.matching.cohort import Matched, match_cohort
from bot.matching.profiles import Candidate
from bot.matching.scoring import Cohort, Rules
from bot.replies import Message
from storage.engine import transaction
from storage.models import Member, Person
from tests.matching.test_rounds import admin, join, outbox

WEEK = date(2026, 11, 23)  # a Monday
M = MatchingSettings()
SKILLS = ["python", "design", "sql", "rust"]


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


def placed(matched: Matched, left: list[Candidate], *, peer: bool = False) -> int:
    """How many waiting people the groups place (mentoring: the row of each group)."""
    return sum(1 for g in matched.groups for i in (g if peer else g[:1]) if left[i].priority > 0)


# -- the console: the reproduction from the issue -------------------------------------------


def dm_to(bot, who: str, prefix: str) -> list[str]:
    return [
        Message.from_json(r.payload).plain()
        for r in outbox(bot, prefix)
        if r.target_ids == [who] or tuple(r.target_ids) == (who,)
    ]


def round_one(bot) -> None:
    """2 mentors and 3 mentees: jack, who fits nobody well, is left out."""
    join(bot, "amy", "mentee", "wants python")
    join(bot, "ben", "mentee", "wants design")
    join(bot, "jack", "mentee", "wants rust")
    join(bot, "cat", "mentor", "skills python")
    join(bot, "dan", "mentor", "skills design")
    reply = admin(bot, "match")
    assert "amy & cat" in reply and "ben & dan" in reply and "1 person unmatched" in reply
    admin(bot, "publish")
    (told,) = dm_to(bot, "jack", "unmatched:")
    assert "more mentees than mentor places" in told
    assert "Next round you go before anyone new" in told
    assert "a mentor who fits the hard rules for you" in told


def test_someone_left_out_is_placed_before_a_newcomer_who_fits_better(bot):
    """Round 2: a new mentor, and a newcomer who fits that mentor far better than jack does;
    jack waited, so jack gets the place, the preview says so, and the newcomer hears the
    exact guarantee.
    """
    round_one(bot)
    join(bot, "eve", "mentor", "skills python, sql")
    join(bot, "kim", "mentee", "wants python, sql")
    reply = admin(bot, "match")
    assert "jack & eve" in reply and "kim & eve" not in reply
    assert "Waiting from earlier rounds* (1), placed before anyone new" in reply
    assert "placed first, with eve" in reply
    admin(bot, "publish")
    assert dm_to(bot, "jack", "unmatched:") == dm_to(bot, "jack", "unmatched:1:")  # round 1 only
    (told,) = dm_to(bot, "kim", "unmatched:")
    assert "Next round you go before anyone new" in told
    with transaction(bot.engine) as s:
        priority = {
            p.platform_user_id: m.match_priority
            for m, p in s.exec(select(Member, Person).join(Person)).all()
        }
    assert priority["jack"] == 0 and priority["kim"] == 1


def test_a_block_still_wins_and_the_one_left_out_again_hears_why(bot):
    """jack waits but is blocked from the only mentor with room: kim gets the place, and
    jack is told the block is why, not the same promise again.
    """
    round_one(bot)
    join(bot, "eve", "mentor", "skills python, sql")
    join(bot, "kim", "mentee", "wants python, sql")
    admin(bot, "block jack eve")
    reply = admin(bot, "match")
    assert "kim & eve" in reply
    assert "left out again: blocked from everyone who would fit" in reply
    admin(bot, "publish")
    _first, again = dm_to(bot, "jack", "unmatched:")
    assert "nobody available could be paired with you" in again
    assert "You were already waiting" in again and "What kept you out is the reason above" in again
    assert "Next round you go before anyone new" not in again


def test_two_waiting_for_one_place_the_other_hears_the_true_reason(bot):
    """Two people waiting, one place that fits both: one is placed, the other is told every
    fitting place went to someone else waiting (not "first in line" once more).
    """
    join(bot, "amy", "mentee", "wants python")
    join(bot, "ben", "mentee", "wants python")
    join(bot, "jack", "mentee", "wants python")
    join(bot, "cat", "mentor", "skills python")
    admin(bot, "match")
    admin(bot, "publish")  # amy, ben or jack with cat; two wait
    join(bot, "eve", "mentor", "skills python")
    join(bot, "kim", "mentee", "wants python")
    reply = admin(bot, "match")
    assert "kim & eve" not in reply
    assert "left out again: waiting, but every place that fits went to" in reply
    admin(bot, "publish")
    texts = {
        r.target_ids[0]: Message.from_json(r.payload).plain() for r in outbox(bot, "unmatched:2:")
    }
    assert "kim" in texts and len(texts) == 2
    (waited,) = [t for who, t in texts.items() if who != "kim"]
    assert "someone else who had been waiting too" in waited
    assert "You were already waiting" in waited


# -- the solver ---------------------------------------------------------------------------


def test_the_waiting_one_gets_the_only_place_though_a_newcomer_fits_better():
    """One place; the newcomer fits it far better, the waiting one still gets it."""
    left = [
        cand(1, skills_wanted=["rust"], priority=1),
        cand(2, skills_wanted=["python", "sql"], goals="python sql"),
    ]
    right = [cand(3, "mentor", skills_offered=["python", "sql"], capacity=1)]
    matched = match_cohort(Cohort(left, right), M, reference_week=WEEK)
    assert matched.groups == [(0, 0)]


def test_hard_rules_still_beat_waiting():
    """Blocked, or no shared language, from the only mentor: that waiting one stays out,
    while another waiting one the rules allow still goes before the newcomer who fits best.
    """
    right = [cand(4, "mentor", skills_offered=["python"], languages=["English"], capacity=1)]
    newcomer = cand(3, skills_wanted=["python"], goals="python", languages=["English"])
    other = cand(2, skills_wanted=["rust"], priority=1)
    blocked = match_cohort(
        Cohort([cand(1, priority=2), other, newcomer], right),
        M,
        reference_week=WEEK,
        rules=Rules(blocked=frozenset({(1, 4)})),
    )
    assert blocked.groups == [(1, 0)]
    language = match_cohort(
        Cohort([cand(1, priority=2, languages=["German"]), other, newcomer], right),
        M,
        reference_week=WEEK,
    )
    assert language.groups == [(1, 0)]


def test_a_waiting_peer_is_paired_before_a_better_fitting_newcomer():
    """Peers: ann may only be paired with bo, who fits cy far better; ann waited."""

    def peer(k: int, skill: str, priority: int = 0) -> Candidate:
        return cand(k, "peer", skills_wanted=[skill], skills_offered=[skill], priority=priority)

    people = [peer(1, "rust", 1), peer(2, "python"), peer(3, "python"), peer(4, "sql")]
    blocks = frozenset({(1, 3), (1, 4), (2, 4), (3, 4)})
    matched = match_cohort(
        Cohort(people, people, peer=True), M, reference_week=WEEK, rules=Rules(blocked=blocks)
    )
    assert matched.groups == [(0, 1)]


def best_by_brute_force(matched: Matched, left, caps) -> tuple[int, int, int]:
    """(pairs, waiting placed, total units): the lexicographic best over every assignment."""
    scorer = matched.scorer
    block = scorer.block(np.arange(scorer.n))
    units, ok = scorer.units(block), block.base_ok
    options = [[None] + [j for j in range(scorer.m) if ok[i, j]] for i in range(scorer.n)]
    best = (0, 0, 0)
    for choice in itertools.product(*options):
        taken = np.bincount([j for j in choice if j is not None], minlength=scorer.m)
        if (taken > caps).any():
            continue
        pairs = [(i, j) for i, j in enumerate(choice) if j is not None]
        waiting = sum(1 for i, _ in pairs if left[i].priority > 0)
        best = max(best, (len(pairs), waiting, sum(int(units[i, j]) for i, j in pairs)))
    return best


def random_people(rng, n: int, m: int):
    def langs():
        return list(rng.choice(["en", "es"], size=int(rng.integers(0, 2)), replace=False))

    left = [
        cand(
            k,
            skills_wanted=list(rng.choice(SKILLS, size=int(rng.integers(1, 3)), replace=False)),
            languages=langs(),
            priority=int(rng.random() < 0.4),
            seniority=int(rng.integers(0, 5)),
        )
        for k in range(n)
    ]
    right = [
        cand(
            100 + k,
            "mentor",
            skills_offered=list(rng.choice(SKILLS, size=int(rng.integers(1, 3)), replace=False)),
            languages=langs(),
            capacity=int(rng.integers(1, 3)),
            seniority=int(rng.integers(0, 9)),
        )
        for k in range(m)
    ]
    blocks = frozenset(
        (a.member_id, b.member_id) for a in left for b in right if rng.random() < 0.15
    )
    return left, right, Rules(blocked=blocks)


@pytest.mark.parametrize("seed", range(40))
def test_most_waiting_placed_then_the_best_fit_among_those_assignments(seed):
    """Against every assignment of small random cohorts: the most pairs, then the most
    waiting placed, then the highest total; and the duals prove it over every pair.
    """
    rng = np.random.default_rng(seed)
    left, right, rules = random_people(rng, 6, 3)
    caps = np.asarray([c.capacity for c in right])
    matched = match_cohort(Cohort(left, right), M, reference_week=WEEK, rules=rules, seed=seed)
    ours = (len(matched.groups), placed(matched, left), matched.units)
    assert ours == best_by_brute_force(matched, left, caps)
    assert certified(matched, caps)


def certified(matched: Matched, caps: np.ndarray) -> bool:
    """The proof, checked over every allowed pair of the cohort, not just the graph's."""
    proof, scorer = matched.proof, matched.scorer
    assert proof is not None
    if (proof.row_duals() < 0).any() or (proof.right < 0).any():
        return False
    if proof.dual_value(caps) != proof.value:
        return False
    for block in scorer.blocks():
        allowed = block.base_ok & ~matched.graph.ruled_out(block.rows)
        value = proof.bonus + scorer.units(block).astype(np.float64)
        slack = proof.left[block.rows, None] + proof.right[None, :] - value
        if (slack[allowed] < -1e-6).any():
            return False
    return True


@pytest.mark.parametrize("start", [10, 1])
def test_a_larger_cohort_solved_through_pricing_places_every_waiting_one_it_can(start, monkeypatch):
    """400 mentees (a quarter waiting), 60 mentors, one candidate each, so pairs outside the
    graph must be priced in (and, from one column per waiting row, the search for the most
    waiting placed too): the waiting placed equal an independent maximum matching of the
    waiting alone, and the proof holds over every pair.
    """
    monkeypatch.setattr(candidates, "WAITING_START", start)
    rng = np.random.default_rng(7)
    left, right, rules = random_people(rng, 400, 60)
    left = [
        Candidate(**{**c.__dict__, "priority": int(rng.random() < 0.25)})
        for c in left  # a quarter waiting
    ]
    caps = np.asarray([c.capacity for c in right])
    settings_ = MatchingSettings(mentor_candidates=1)
    matched = match_cohort(Cohort(left, right), settings_, reference_week=WEEK, rules=rules)
    assert certified(matched, caps)
    scorer = matched.scorer
    waiting = np.flatnonzero(scorer.waiting)
    ok = scorer.block(waiting).base_ok
    slots = np.repeat(np.arange(len(right)), caps)
    most = maximum_bipartite_matching(csr_matrix(ok[:, slots].astype(np.int8)), perm_type="column")
    assert placed(matched, left) == int((most >= 0).sum())
    assert len(matched.groups) == min(len(left), int(caps.sum()))


def all_pairings(people: list[int], ok) -> list[list[tuple[int, int]]]:
    if not people:
        return [[]]
    first, rest = people[0], people[1:]
    out = [p for p in all_pairings(rest, ok)]  # first left out
    for other in rest:
        if ok[first, other]:
            others = [x for x in rest if x != other]
            out += [[(first, other), *p] for p in all_pairings(others, ok)]
    return out


@pytest.mark.parametrize("seed", range(30))
def test_peers_most_pairs_then_most_waiting_then_best_fit(seed):
    """Peer rounds too, against every pairing of small random cohorts."""
    rng = np.random.default_rng(100 + seed)
    people, _, _ = random_people(rng, 10, 0)  # even: never one left over to join a trio
    people = [
        Candidate(**{**c.__dict__, "role": "peer", "skills_offered": c.skills_wanted})
        for c in people
    ]
    blocks = frozenset(
        (a.member_id, b.member_id)
        for a in people
        for b in people
        if a.member_id < b.member_id and rng.random() < 0.5
    )
    matched = match_cohort(
        Cohort(people, people, peer=True), M, reference_week=WEEK, rules=Rules(blocked=blocks)
    )
    scorer = matched.scorer
    block = scorer.block(np.arange(len(people)))
    units, ok = scorer.units(block), block.base_ok
    best = max(
        (
            len(p),
            sum(1 for x, y in p for k in (x, y) if people[k].priority),
            sum(units[x, y] for x, y in p),
        )
        for p in all_pairings(list(range(len(people))), ok)
    )
    ours = (len(matched.groups), placed(matched, people, peer=True), matched.units)
    assert ours == best
