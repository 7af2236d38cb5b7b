"""Circles: the whole cohort formed into groups at once, under the same hard rules as pairs.

Group mentoring (the program has mentors): each mentor leads one circle of up to
``high - 1`` mentees. Mentees are assigned to mentors by a min-cost flow
(:mod:`bot.matching.mincost`): the most mentees placed, those waiting from an earlier round
first, then the best total fit; a recent partner is taken only when nobody else fits. The
flow first fills even circles (the mentees shared out over the mentors), then whatever room
is left takes those still out, so one popular mentor doesn't take everyone. A
mentor whose circle would be smaller than ``low`` is set aside and the cohort solved again,
so the small circles merge into the others.

Peer circles (no mentors): ``ceil(n / high)`` circles of even sizes, seeded with the people
who have the fewest options (spread apart), filled greedily by summed pairwise fit, then
improved by swaps (between circles, or with someone left out) while the total rises.

Hard rules in both: a language everyone in the circle reads (when the program requires a
shared one), no two people blocked from each other, no same-team pair where the program
forbids it; recent partners are avoided where possible. Everyone not placed gets a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from bot.config import MatchingSettings
from bot.matching.profiles import Candidate
from bot.matching.scoring import Block, Cohort, Rules, Scorer

RECENT_PENALTY = 150.0  # a recent partner costs more than any fit is worth (0..100)
FORBIDDEN = 10_000.0  # a pair the hard rules forbid: never worth it
MAX_SWAPS = 2_000  # local search stops after this many improving swaps
SWAPS_TRIED = 50  # the best swaps checked for a shared language, each step


@dataclass
class Formed:
    """Circles as member ids (a mentor first), each one's fit, and who is left out and why."""

    circles: list[list[int]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)  # mean pairwise fit (0..100)
    left_out: list[tuple[int, str]] = field(default_factory=list)
    best_pairs: list[tuple[int, int]] = field(default_factory=list)  # each circle's best pair


def form(
    people: list[Candidate],
    settings: MatchingSettings,
    *,
    mentored: bool,
    sizes: tuple[int, int],
    rules: Rules,
    reference_week: date,
    seed: int = 0,
) -> Formed:
    """Circles for ``people`` (mentors and mentees, or peers), see the module's docstring."""
    if mentored:
        return _mentored(people, settings, sizes, rules, reference_week, seed)
    return _peers(people, settings, sizes, rules, reference_week, seed)


def _recent(rules: Rules, window: int, a: list[Candidate], b: list[Candidate]) -> np.ndarray:
    """Whether each (a, b) were partners inside the avoid window."""
    out = np.zeros((len(a), len(b)), bool)
    pos_a = {c.member_id: i for i, c in enumerate(a)}
    pos_b = {c.member_id: j for j, c in enumerate(b)}
    for (x, y), age in (rules.recent or {}).items():
        if age >= window:
            continue
        for p, q in ((x, y), (y, x)):
            if p in pos_a and q in pos_b:
                out[pos_a[p], pos_b[q]] = True
    return out


def common_language(people: list[Candidate], required: bool) -> bool:
    """Whether everyone in a circle reads one language (people with none set fit any)."""
    if not required:
        return True
    sets = [c.language_set() for c in people if c.language_set()]
    return not sets or bool(set.intersection(*sets))


def _rule_reason(ok_language: np.ndarray, ok_team: np.ndarray, ok_rule: np.ndarray) -> str | None:
    """The first hard rule that leaves someone nobody, or None."""
    language = ok_language
    team = language & ok_team
    rule = team & ok_rule
    for name, ok in (("language", language), ("team", team), ("blocked", rule)):
        if not ok.any():
            return name
    return None


def _mentored(
    people: list[Candidate],
    settings: MatchingSettings,
    sizes: tuple[int, int],
    rules: Rules,
    week: date,
    seed: int,
) -> Formed:
    """Mentees to mentors by min-cost flow; circles under ``low`` merged into others."""
    mentees = [c for c in people if c.role == "mentee"]
    mentors = [c for c in people if c.role == "mentor"]
    out = Formed()
    if not mentees or not mentors:
        out.left_out = [(c.member_id, "no_mentors" if mentees else "no_mentees") for c in people]
        return out
    low, high = sizes
    scorer = Scorer(Cohort(mentees, mentors, False), settings, reference_week=week, rules=rules)
    block = scorer.block(np.arange(len(mentees)))
    first = [c.languages[0].strip().lower() if c.languages else "" for c in mentors]
    reads = [c.language_set() for c in mentees]
    speaks = np.ones((len(mentees), len(mentors)), bool)
    for language in set(first) - {""}:
        cols = [j for j, f in enumerate(first) if f == language]
        rows = [i for i, r in enumerate(reads) if r and language not in r]
        speaks[np.ix_(rows, cols)] = False
    if not settings.require_shared_language:
        speaks[:] = True
    ok = block.base_ok & speaks
    recent = _recent(rules, settings.recency_rounds, mentees, mentors)
    fit = np.rint(block.total * 100).astype(np.int64) + 1  # 1..10001: every arc worth something
    weight = np.where(recent, 0, fit)
    lift = int(weight.max(initial=0) + 1) * (len(mentees) + 1)
    weight = weight + lift * np.asarray([c.priority > 0 for c in mentees])[:, None]
    active = list(range(len(mentors)))
    while True:
        even = min(high - 1, max(low - 1, math.ceil(len(mentees) / len(active))))
        taken: dict[int, list[int]] = {j: [] for j in active}
        _assign(ok, weight, active, taken, [even] * len(active))  # even circles first,
        _assign(ok, weight, active, taken, [high - 1 - len(taken[j]) for j in active])  # then room
        small = [j for j in active if 0 < len(taken[j]) < low - 1]
        if not small:
            break
        drop = min(small, key=lambda j: (len(taken[j]), int(weight[taken[j], j].sum()), j))
        active.remove(drop)
    split = _split_blocked(taken, mentees, ok, rules, high)
    return _mentored_result(mentees, mentors, taken, block, ok, low, split)


def _assign(
    ok: np.ndarray,
    weight: np.ndarray,
    active: list[int],
    taken: dict[int, list[int]],
    room: list[int],
) -> None:
    """The mentees not yet in ``taken`` to ``active`` mentors with ``room`` places each, by
    min-cost flow: the most placed, then the best total ``weight``.
    """
    from bot.matching import mincost

    placed = {i for rows in taken.values() for i in rows}
    free = np.asarray([i for i in range(ok.shape[0]) if i not in placed], np.int64)
    if not len(free):
        return
    rows, cols = np.nonzero(ok[np.ix_(free, np.asarray(active, np.int64))])
    w = weight[free[rows], np.asarray(active, np.int64)[cols]]
    places = np.asarray(room, np.int64)
    bonus = mincost.bonus_for(int(w.max(initial=0)), len(free), int(places.sum()))
    result = mincost.solve(len(free), len(active), rows, cols, w, places, bonus=bonus)
    for r, c in zip(rows[result.chosen], cols[result.chosen], strict=True):
        taken[active[int(c)]].append(int(free[r]))


def _split_blocked(
    taken: dict[int, list[int]], mentees: list[Candidate], ok: np.ndarray, rules: Rules, high: int
) -> set[int]:
    """Two mentees blocked from each other never share a circle: the later one moves to
    another circle with room that fits them, or is left out; returns those left out.
    """
    out: set[int] = set()

    def clash(i: int, rows: list[int]) -> bool:
        return any(rules.is_blocked(mentees[i].member_id, mentees[r].member_id) for r in rows)

    for j in list(taken):
        for i in list(taken[j]):
            others = [r for r in taken[j] if r != i]
            if not clash(i, others):
                continue
            taken[j].remove(i)
            room = [
                q
                for q in taken
                if q != j
                and taken[q]
                and len(taken[q]) < high - 1
                and ok[i, q]
                and not clash(i, taken[q])
            ]
            if room:
                taken[room[0]].append(i)
            else:
                out.add(i)
    return out


def _mentored_result(
    mentees: list[Candidate],
    mentors: list[Candidate],
    taken: dict[int, list[int]],
    block: Block,
    ok: np.ndarray,
    low: int,
    split: set[int],
) -> Formed:
    """The solved circles as member ids, their fit, and reasons for everyone left out."""
    total = np.asarray(block.total)
    out = Formed()
    placed: set[int] = set()
    for j, mentor in enumerate(mentors):
        rows = taken.get(j, [])
        if not rows:
            enough = sum(1 for i in range(len(mentees)) if ok[i, j]) >= low - 1
            out.left_out.append((mentor.member_id, "surplus" if enough else "circle_small"))
            continue
        placed.update(rows)
        out.circles.append([mentor.member_id] + [mentees[i].member_id for i in rows])
        out.scores.append(round(float(np.mean([total[i, j] for i in rows])), 1))
        best = max(rows, key=lambda i: total[i, j])
        out.best_pairs.append((mentees[best].member_id, mentor.member_id))
    for i, mentee in enumerate(mentees):
        if i not in placed:
            why = _rule_reason(
                block.language_ok[i],
                block.team_ok[i],
                block.rule_ok[i],
            )
            if why is None and not ok[i].any():
                why = "language"  # nobody's circle language is one of theirs
            if why is None and i in split:
                why = "blocked"  # blocked from someone in every circle with room
            out.left_out.append((mentee.member_id, why or "capacity"))
    return out


class _PeerState:
    """Peer circles being improved: who is where, and each one's summed value with every
    circle's members (kept up to date as people move, never recomputed whole).
    """

    def __init__(self, weight: np.ndarray, k: int) -> None:
        self.weight = weight  # n x n pairwise value (fit, less penalties), 0 on the diagonal
        self.where = np.full(len(weight), -1, np.int64)  # each one's circle, -1: left out
        self.k = k
        self.sums = np.zeros((len(weight), k))  # n x k

    def move(self, i: int, circle: int) -> None:
        """Put person ``i`` in ``circle`` (-1: out of every circle)."""
        if self.where[i] >= 0:
            self.sums[:, self.where[i]] -= self.weight[:, i]
        if circle >= 0:
            self.sums[:, circle] += self.weight[:, i]
        self.where[i] = circle

    def members(self, c: int) -> list[int]:
        """The people in circle ``c``."""
        return np.flatnonzero(self.where == c).tolist()


def _peers(
    people: list[Candidate],
    settings: MatchingSettings,
    sizes: tuple[int, int],
    rules: Rules,
    week: date,
    seed: int,
) -> Formed:
    """Peer circles: seeded greedy, then improving swaps; see the module's docstring."""
    low, high = sizes
    n = len(people)
    out = Formed()
    if n < low:
        out.left_out = [(c.member_id, "too_few") for c in people]
        return out
    scorer = Scorer(Cohort(people, people, True), settings, reference_week=week, rules=rules)
    block = scorer.block(np.arange(n))
    ok = block.base_ok
    np.fill_diagonal(ok, False)
    weight = np.asarray(block.total, float) - RECENT_PENALTY * _recent(
        rules, settings.recency_rounds, people, people
    )
    weight[~ok] = -FORBIDDEN
    np.fill_diagonal(weight, 0.0)
    alone = np.asarray(~ok.any(axis=1), bool)
    k = math.ceil((n - int(alone.sum())) / high)
    if k * low > n - int(alone.sum()):
        k = (n - int(alone.sum())) // low
    state = _PeerState(weight, max(k, 0))
    if k:
        _greedy(state, people, alone, low, high, seed)
        _swap(state, people, settings.require_shared_language)
    return _peer_result(people, state, block, alone, low, settings.require_shared_language)


def _greedy(
    state: _PeerState, people: list[Candidate], alone: np.ndarray, low: int, high: int, seed: int
) -> None:
    """Seeds spread apart (the fewest options first), then everyone into the circle they
    add the most to, the waiting and the hardest to place first, up to even sizes.
    """
    k = state.k
    placeable = int((~alone).sum())
    target = [placeable // k + (1 if c < placeable % k else 0) for c in range(k)]
    target = [min(high, t) for t in target]
    rng = np.random.default_rng(seed)
    options = (state.weight > -FORBIDDEN).sum(axis=1)
    waiting = np.asarray([c.priority > 0 for c in people])
    order = sorted(
        np.flatnonzero(~alone).tolist(),
        key=lambda i: (not waiting[i], int(options[i]), float(rng.random())),
    )
    seeds = [order[0]]
    while len(seeds) < k:
        rest = [i for i in order if i not in seeds]
        seeds.append(min(rest, key=lambda i: float(state.weight[i, seeds].max())))
    for c, i in enumerate(seeds):
        state.move(i, c)
    size = [1] * k
    for i in order:
        if state.where[i] >= 0:
            continue
        gain = state.sums[i]
        room = [c for c in range(k) if size[c] < target[c]]
        if not room:
            break
        best = max(room, key=lambda c: (gain[c] / size[c], -c))
        state.move(i, best)
        size[best] += 1


def _swap(state: _PeerState, people: list[Candidate], language: bool) -> None:
    """Improving swaps until none is left: two people in different circles trade places,
    or someone left out takes a placed person's place (the waiting count before any fit).
    """
    lift = 1_000.0  # more than a circle's summed fit, less than a forbidden pair
    waiting = np.asarray([c.priority > 0 for c in people], float) * lift
    for _ in range(MAX_SWAPS):
        sums = state.sums
        placed = state.where >= 0
        col = np.where(placed, state.where, 0)
        own = np.where(placed, sums[np.arange(len(col)), col], 0.0)
        cross = np.where(placed[None, :], sums[:, col] - state.weight, 0.0)  # x into y's place
        delta = cross + cross.T - own[:, None] - own[None, :]
        w_in, w_out = waiting * placed, waiting * ~placed
        one_placed = placed[:, None] ^ placed[None, :]
        change = w_out[:, None] + w_out[None, :] - w_in[:, None] - w_in[None, :]
        delta += np.where(one_placed, change, 0.0)
        same = state.where[:, None] == state.where[None, :]
        delta[same] = -np.inf  # same circle, or both left out
        if not _apply_best(state, people, delta, language):
            return


def _apply_best(
    state: _PeerState, people: list[Candidate], delta: np.ndarray, language: bool
) -> bool:
    """Make the best improving swaps that keep a shared language in both circles, as many as
    touch different circles; whether any was made.
    """
    flat = delta.ravel()
    tried = min(len(flat), SWAPS_TRIED + 4 * state.k)
    top = np.argpartition(-flat, tried - 1)[:tried]
    n = len(state.where)
    touched: set[int] = set()  # a swap's gain depends only on its two circles: swaps in
    made = 0  # circles nobody else touched this step are made together
    for cell in top[np.argsort(-flat[top])].tolist():
        a, b = divmod(cell, n)
        if delta[a, b] <= 1e-6:
            break
        to_a, to_b = int(state.where[b]), int(state.where[a])
        if {a, b, to_a + n + 1, to_b + n + 1} & touched:
            continue  # (a person left out is "circle -1": never shared, only the person)
        where = state.where.copy()
        where[a], where[b] = to_a, to_b
        if all(
            common_language([people[i] for i in np.flatnonzero(where == c)], language)
            for c in {to_a, to_b} - {-1}
        ):
            for person in (a, b):
                state.move(person, -1)
            state.move(a, to_a)
            state.move(b, to_b)
            touched |= {a, b} | {c + n + 1 for c in (to_a, to_b) if c >= 0}
            made += 1
    return made > 0


def _peer_result(
    people: list[Candidate],
    state: _PeerState,
    block: Block,
    alone: np.ndarray,
    low: int,
    language: bool,
) -> Formed:
    """Circles with a broken hard rule lose the person breaking it; circles left too small
    are let go; everyone not placed gets the reason.
    """
    total = np.asarray(block.total)
    out = Formed()
    reasons: dict[int, str] = {}
    for i in np.flatnonzero(alone).tolist():
        others = np.arange(len(people)) != i  # nobody is paired with themselves
        why = _rule_reason(
            block.language_ok[i][others],
            block.team_ok[i][others],
            block.rule_ok[i][others],
        )
        reasons[i] = why or "blocked"
    for c in range(state.k):
        members = state.members(c)
        while len(members) > 1:
            worst = min(members, key=lambda i: float(state.weight[i, members].sum()))
            forbidden = (state.weight[worst, members] <= -FORBIDDEN).any()
            shared = common_language([people[i] for i in members], language)
            if not forbidden and shared:
                break
            members.remove(worst)
            reasons[worst] = "blocked" if forbidden else "language"
        if len(members) < low:
            reasons.update({i: reasons.get(i, "too_few") for i in members})
            continue
        out.circles.append([people[i].member_id for i in members])
        pairs = [(a, b) for a in members for b in members if a < b]
        out.scores.append(round(float(np.mean([total[a, b] for a, b in pairs])), 1))
        a, b = max(pairs, key=lambda p: total[p[0], p[1]])
        out.best_pairs.append((people[a].member_id, people[b].member_id))
    placed = {m for circle in out.circles for m in circle}
    for i, person in enumerate(people):
        if person.member_id not in placed:
            default = "capacity" if state.k else "too_few"  # no circle could be formed
            out.left_out.append((person.member_id, reasons.get(i, default)))
    return out
