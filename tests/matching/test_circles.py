"""Circle formation: sizes, hard rules, recent partners, fit quality and reasons for who's out."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest

from bot.config import MatchingSettings
from bot.matching.circle_sizes import circle_setting, circle_sizes
from bot.matching.circles import Formed, form
from bot.matching.profiles import Candidate
from bot.matching.scoring import Cohort, Rules, Scorer

WEEK = date(2026, 1, 5)
SKILLS = ["python", "design", "go", "rust", "sql", "ml", "ux", "sales", "ops", "data"]


def person(i: int, role: str, rng: random.Random, **extra: object) -> Candidate:
    values: dict[str, object] = {
        "skills_offered": rng.sample(SKILLS, 2),
        "skills_wanted": rng.sample(SKILLS, 2),
        "languages": ["English"],
    }
    values.update(extra)
    return Candidate(
        member_id=i,
        person_id=i,
        name=f"p{i}",
        role=role,
        platform_user_id=f"u{i}",
        timezone="UTC",
        goals="",
        availability=[],
        team=None,
        seniority=None,
        capacity=1,
        **values,  # type: ignore[arg-type]
    )


def peers(n: int, seed: int = 1) -> list[Candidate]:
    rng = random.Random(seed)
    return [person(i, "peer", rng) for i in range(n)]


def circles_of(formed: Formed) -> list[set[int]]:
    return [set(c) for c in formed.circles]


@pytest.mark.parametrize(
    ("n", "sizes", "expected"),
    [
        (10, (3, 6), [5, 5]),
        (13, (3, 6), [4, 4, 5]),
        (7, (3, 6), [7 // 2, 7 - 7 // 2]),
        (12, (3, 4), [4, 4, 4]),
        (6, (3, 3), [3, 3]),
    ],
)
def test_peer_circles_place_everyone_in_even_sizes(n, sizes, expected):
    """Everyone is placed when the sizes allow, in circles as even as they can be."""
    formed = form(
        peers(n),
        MatchingSettings(),
        mentored=False,
        sizes=sizes,
        rules=Rules(),
        reference_week=WEEK,
    )
    assert sorted(len(c) for c in formed.circles) == sorted(expected)
    assert formed.left_out == []
    assert sorted(m for c in formed.circles for m in c) == list(range(n))


def test_too_few_peers_are_told_why():
    """Fewer peers than the smallest circle: nobody is placed and each is told why."""
    formed = form(
        peers(2),
        MatchingSettings(),
        mentored=False,
        sizes=(3, 6),
        rules=Rules(),
        reference_week=WEEK,
    )
    assert formed.circles == [] and formed.left_out == [(0, "too_few"), (1, "too_few")]


def test_more_peers_than_sizes_allow_are_left_out_with_a_reason():
    """Seven peers in circles of exactly three: two circles, one person out ("capacity")."""
    formed = form(
        peers(7),
        MatchingSettings(),
        mentored=False,
        sizes=(3, 3),
        rules=Rules(),
        reference_week=WEEK,
    )
    assert sorted(len(c) for c in formed.circles) == [3, 3]
    assert [r for _, r in formed.left_out] == ["capacity"]


def test_blocked_peers_never_share_a_circle():
    """A block keeps two people apart; everyone is still placed."""
    blocked = frozenset({(0, 1), (2, 3), (4, 5), (0, 6)})
    formed = form(
        peers(12),
        MatchingSettings(),
        mentored=False,
        sizes=(3, 6),
        rules=Rules(blocked=blocked),
        reference_week=WEEK,
    )
    assert formed.left_out == []
    for circle in circles_of(formed):
        assert not any({a, b} <= circle for a, b in blocked)


def test_a_circle_shares_one_language():
    """Three English, three Spanish and two who read both: every circle has a common language,
    although English and Spanish speakers could each pair with the bilinguals."""
    rng = random.Random(3)
    langs = [["English"]] * 3 + [["Spanish"]] * 3 + [["English", "Spanish"]] * 2
    people = [person(i, "peer", rng, languages=lang) for i, lang in enumerate(langs)]
    formed = form(
        people, MatchingSettings(), mentored=False, sizes=(3, 5), rules=Rules(), reference_week=WEEK
    )
    assert formed.left_out == []
    for circle in formed.circles:
        common = set.intersection(*(people[m].language_set() for m in circle))
        assert common


def test_someone_nobody_can_read_is_left_out_with_the_language_reason():
    """A peer sharing no language with anyone is not placed, and the reason says so."""
    rng = random.Random(4)
    people = [person(i, "peer", rng) for i in range(6)]
    people.append(person(6, "peer", rng, languages=["Japanese"]))
    formed = form(
        people, MatchingSettings(), mentored=False, sizes=(3, 6), rules=Rules(), reference_week=WEEK
    )
    assert formed.left_out == [(6, "language")]


def test_recent_partners_are_kept_apart_where_possible():
    """Last round's circles are not formed again when another grouping exists."""
    people = peers(9, seed=5)
    first = form(
        people, MatchingSettings(), mentored=False, sizes=(3, 3), rules=Rules(), reference_week=WEEK
    )
    recent = {
        (min(a, b), max(a, b)): 0
        for circle in first.circles
        for a, b in itertools.combinations(circle, 2)
    }
    second = form(
        people,
        MatchingSettings(),
        mentored=False,
        sizes=(3, 3),
        rules=Rules(recent=recent),
        reference_week=WEEK,
    )
    assert second.left_out == []
    for circle in second.circles:
        assert not any(
            (min(a, b), max(a, b)) in recent for a, b in itertools.combinations(circle, 2)
        )


def total_fit(people: list[Candidate], circles: list[list[int]]) -> float:
    scorer = Scorer(Cohort(people, people, True), MatchingSettings(), reference_week=WEEK)
    block = scorer.block(list(range(len(people))))  # type: ignore[arg-type]
    return sum(float(block.total[a, b]) for c in circles for a, b in itertools.combinations(c, 2))


def test_peer_circles_fit_better_than_random_groupings():
    """The formed circles' summed pairwise fit is at least that of the best of 200 random
    groupings of the same sizes."""
    people = peers(12, seed=7)
    formed = form(
        people, MatchingSettings(), mentored=False, sizes=(4, 4), rules=Rules(), reference_week=WEEK
    )
    ours = total_fit(people, formed.circles)
    rng = random.Random(0)
    best_random = 0.0
    for _ in range(200):
        ids = list(range(12))
        rng.shuffle(ids)
        best_random = max(best_random, total_fit(people, [ids[0:4], ids[4:8], ids[8:12]]))
    assert ours >= best_random


def mentoring(n_mentors: int, n_mentees: int, seed: int = 2) -> list[Candidate]:
    rng = random.Random(seed)
    mentors = [person(i, "mentor", rng) for i in range(n_mentors)]
    return mentors + [person(100 + i, "mentee", rng) for i in range(n_mentees)]


def test_group_mentoring_one_mentor_per_circle_within_sizes():
    """Each circle has exactly one mentor first and 3 to 7 mentees; every mentee is placed."""
    people = mentoring(3, 14)
    formed = form(
        people, MatchingSettings(), mentored=True, sizes=(4, 8), rules=Rules(), reference_week=WEEK
    )
    assert formed.left_out == []
    assert sorted(c[0] for c in formed.circles) == [0, 1, 2]
    assert all(4 <= len(c) <= 8 for c in formed.circles)
    assert all(m >= 100 for c in formed.circles for m in c[1:])


def test_group_mentoring_merges_circles_too_small():
    """Five mentees and three mentors, circles of at least four: the small circles merge into
    one (a mentor with all five); the mentors without a circle are told why."""
    people = mentoring(3, 5)
    formed = form(
        people, MatchingSettings(), mentored=True, sizes=(4, 8), rules=Rules(), reference_week=WEEK
    )
    assert len(formed.circles) == 1 and len(formed.circles[0]) == 6
    reasons = dict(formed.left_out)
    assert sorted(reasons) == sorted(set(range(3)) - {formed.circles[0][0]})
    assert set(reasons.values()) <= {"surplus", "circle_small"}


def test_group_mentoring_mentees_beyond_capacity_are_left_out_with_a_reason():
    """One mentor with room for seven and nine mentees: two are out, as "capacity"."""
    formed = form(
        mentoring(1, 9),
        MatchingSettings(),
        mentored=True,
        sizes=(4, 8),
        rules=Rules(),
        reference_week=WEEK,
    )
    assert len(formed.circles[0]) == 8
    assert [r for _, r in formed.left_out] == ["capacity", "capacity"]


def test_group_mentoring_waiting_mentees_go_first():
    """Mentees waiting from an earlier round are placed before newcomers."""
    people = mentoring(1, 9)
    for c in people[-2:]:
        c.priority = 1
    formed = form(
        people, MatchingSettings(), mentored=True, sizes=(4, 8), rules=Rules(), reference_week=WEEK
    )
    placed = set(formed.circles[0])
    assert {people[-1].member_id, people[-2].member_id} <= placed


def test_group_mentoring_keeps_blocked_mentees_apart_and_blocked_mentors_away():
    """A mentee blocked from a mentor is not in their circle; two mentees blocked from each
    other are in different circles."""
    people = mentoring(2, 8)
    blocked = frozenset({(100, 101), (102, 0)})
    formed = form(
        people,
        MatchingSettings(),
        mentored=True,
        sizes=(4, 8),
        rules=Rules(blocked=blocked),
        reference_week=WEEK,
    )
    assert formed.left_out == []
    for circle in circles_of(formed):
        assert not any({a, b} <= circle for a, b in blocked)


def test_group_mentoring_circle_language_is_the_mentors():
    """A mentee who doesn't read the mentor's language joins another mentor's circle."""
    rng = random.Random(9)
    people = [
        person(0, "mentor", rng, languages=["English"]),
        person(1, "mentor", rng, languages=["Spanish", "English"]),
        *(person(100 + i, "mentee", rng, languages=["English"]) for i in range(4)),
        *(person(200 + i, "mentee", rng, languages=["Spanish"]) for i in range(3)),
    ]
    formed = form(
        people, MatchingSettings(), mentored=True, sizes=(4, 8), rules=Rules(), reference_week=WEEK
    )
    assert formed.left_out == []
    spanish = next(c for c in formed.circles if c[0] == 1)
    assert {200, 201, 202} <= set(spanish)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3-6", (3, 6)), ("4 - 8", (4, 8)), ("6-3", None), ("1-4", None), ("x", None), ("3-21", None)],
)
def test_the_circle_setting(value, expected):
    """``admin program set circle 3-6``: two sizes from 2 to 20, the smaller first."""
    if expected is None:
        with pytest.raises(ValueError):
            circle_setting(value, ValueError("bad"))
    else:
        assert circle_setting(value, ValueError("bad")) == expected


def test_default_sizes_by_kind_of_circle():
    """Unset sizes take the kind's defaults: a mentor with 3-7 mentees, or 3-6 peers."""
    assert circle_sizes(None, None, mentored=True) == (4, 8)
    assert circle_sizes(None, None, mentored=False) == (3, 6)
    assert circle_sizes(5, None, mentored=False) == (5, 6)
