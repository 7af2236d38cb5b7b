"""A matching round: propose (a stored preview that sends nothing), then publish.

``propose`` loads the pool, scores it, solves it and stores the proposal as a preview run with
``proposed`` pairs and the reason each unmatched person was left out. ``publish`` makes the
latest preview real: pairs become active and introductions and "not this time" messages are
queued in the outbox with dedupe keys, so publishing twice cannot introduce anyone twice.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.config import Settings
from bot.matching.capacity import plan as capacity_plan
from bot.matching.explain import explain
from bot.matching.profiles import Candidate, week_start
from bot.prompts import Prompts
from bot.time.holidays import region_of
from storage import choices as choices_db
from storage import pairs as pairs_db
from storage.models import (
    MatchRun,
    Member,
    MemberStatus,
    Pair,
    PairMember,
    PairStatus,
    Person,
    Program,
    ProgramKind,
    Role,
)

if TYPE_CHECKING:  # NumPy, SciPy and the solvers load when a round is proposed, not at start
    import numpy as np

    from bot.matching.candidates import Counts, Graph
    from bot.matching.cohort import Matched
    from bot.matching.scoring import Scorer

Progress = Callable[[str, float], None]  # what is happening, and about how much is done (0..1)


@dataclass
class Proposal:
    """What a preview shows: pairs with scores and reasons, and who is left out and why."""

    run: MatchRun
    pairs: list[Pair]
    members: dict[int, Candidate]
    pair_members: dict[int, list[int]]
    unmatched: list[tuple[int, str]]  # (member id, reason code)
    notes: list[list[str]] = field(default_factory=list)  # [code, name, name]
    ending: list[tuple[int, str]] = field(default_factory=list)  # (active pair id, reason)
    names: dict[int, str] = field(default_factory=dict)  # names of the pairs that would end

    def scores(self) -> list[float]:
        """The fit scores of the proposed pairs."""
        return [p.score for p in self.pairs]


def candidate_of(member: Member, person: Person, default_zone: str) -> Candidate:
    """A member and their person as a matching candidate."""
    assert member.id is not None and person.id is not None
    return Candidate(
        member_id=member.id,
        person_id=person.id,
        name=person.display_name or person.platform_user_id,
        role=member.role,
        platform_user_id=person.platform_user_id,
        timezone=person.timezone or default_zone,
        skills_offered=list(member.skills_offered),
        skills_wanted=list(member.skills_wanted),
        goals=member.goals,
        languages=list(person.languages),
        availability=list(person.availability),
        team=person.team,
        seniority=member.seniority,
        capacity=member.capacity,
        priority=member.match_priority,
        holiday_region=region_of(person.country, person.timezone or default_zone),
        locale=person.locale,
        platform_locale=person.platform_locale,
    )


def active_pairs(session: Session, program_id: int) -> dict[int, list[int]]:
    """Active pair id -> member ids."""
    return pairs_db.active_pair_members(session=session, program_id=program_id)


def recent_partners(session: Session, program_id: int) -> dict[tuple[int, int], int]:
    """Past partners -> how many published rounds ago they were paired (0 = the last one)."""
    runs = pairs_db.published_run_ids(session=session, program_id=program_id)
    age_of_run = {run_id: age for age, run_id in enumerate(runs)}
    groups: dict[int, tuple[int, list[int]]] = {}
    for pair_id, run_id, member_id in pairs_db.past_pairs(session=session, program_id=program_id):
        age = age_of_run.get(run_id, 0) if run_id is not None else 0
        groups.setdefault(pair_id, (age, []))[1].append(member_id)
    recent: dict[tuple[int, int], int] = {}
    for age, members in groups.values():
        for a in members:
            for b in members:
                if a < b:
                    recent[(a, b)] = min(age, recent.get((a, b), age))
    return recent


FRESH_MODES = ("", "stalled", "all")  # keep all pairs / re-pair pairs that aren't working / all


def pairs_to_end(session: Session, program_id: int, mode: str) -> list[tuple[int, str]]:
    """Active pairs a fresh round would end, with why: every pair for ``all``; for ``stalled``
    only the pairs that aren't working (stalled, or someone said the fit is poor).
    """
    if not mode:
        return []
    active = pairs_db.active_pairs(session=session, program_id=program_id)
    poor = pairs_db.poor_fit_pairs(session=session, pair_ids=[p.id for p in active if p.id])
    out: list[tuple[int, str]] = []
    for pair in active:
        assert pair.id is not None
        if pair.stalled_since is not None:
            out.append((pair.id, f"stalled_{pair.stall_reason or 'no_meeting'}"))
        elif pair.id in poor:
            out.append((pair.id, "poor_fit"))
        elif mode == "all":
            out.append((pair.id, "fresh_all"))
    return out


def _rules(session: Session, program_id: int) -> tuple[set[tuple[int, int]], list[tuple[int, int]]]:
    rows = pairs_db.match_rules(session=session, program_id=program_id)
    blocked = {(r.member_a_id, r.member_b_id) for r in rows if r.kind == "block"}
    pins = [(r.member_a_id, r.member_b_id) for r in rows if r.kind == "pin"]
    return blocked, pins


def _unmatched_reason(
    counts: Counts,
    k: int,
    *,
    side_empty: bool,
    left: bool,
    more_left_than_places: bool,
    places_left: int,
) -> str:
    """The true cause, checked rule by rule in the order people can act on it."""
    if side_empty:
        return "no_mentors" if left else "no_mentees"
    rule = counts.reason(k)
    if rule is not None:
        return rule
    if not left:
        return "surplus"
    # Someone fits, but every one of them is full.
    return "capacity" if places_left == 0 or more_left_than_places else "fits_full"


@dataclass
class _Pool:
    """Who can be matched this round, and the pairs that stay or end."""

    candidates: dict[int, Candidate]
    left: list[Candidate]
    right: list[Candidate]
    peer: bool
    busy: dict[int, int]  # member -> active pairs that stay
    current: dict[int, list[int]]  # active pair -> members
    ending: list[tuple[int, str]]  # pairs this round would end, with why

    def name(self, member_id: int) -> str:
        """A candidate's name (their member id if they aren't in the pool)."""
        found = self.candidates.get(member_id)
        return found.name if found else str(member_id)

    def places_left(self) -> np.ndarray:
        """Each mentor's capacity minus the pairs they keep."""
        import numpy as np

        return np.asarray(
            [max(0, c.capacity - self.busy.get(c.member_id, 0)) for c in self.right], dtype=int
        )


def propose(
    session: Session,
    program: Program,
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
    seed: int | None = None,
    fresh: bool | str = False,
    created_by: int | None = None,
    progress: Progress | None = None,
    sitting_out: frozenset[int] = frozenset(),
) -> Proposal:
    """Store a preview run for ``program``, replacing an earlier one. ``fresh`` re-pairs people
    whose pairs aren't working (``"stalled"``/``True``) or everyone (``"all"``), listing the
    pairs it ends; ``sitting_out`` (who ``/mentor skip`` this round) stay out of the pool.
    """
    if program.kind == ProgramKind.CIRCLES:  # groups, not pairs
        return _propose_circles(
            session, program, settings, now, seed, fresh, created_by, sitting_out
        )
    mode = _fresh_mode(fresh)
    say = progress or (lambda _msg, _done: None)
    assert program.id is not None
    _discard_previews(session, program.id)
    say("loading the pool", 0.0)
    pool = _load_pool(session, program, settings, now=now, mode=mode, skip=sitting_out)
    blocked, pins = _rules(session, program.id)
    recent = recent_partners(session, program.id)
    seed = seed if seed is not None else _default_seed(session, program.id)
    capacity = pool.places_left()
    groups, pinned, notes = _apply_pins(pool, pins, blocked, recent, capacity, settings)
    matched = _match(pool, settings, now, blocked, recent, capacity, pinned, seed=seed, say=say)
    groups += matched.groups

    say("explaining pairs", 0.95)
    run = MatchRun(
        program_id=program.id, seed=seed, created_at=now, created_by_person_id=created_by
    )
    session.add(run)
    session.flush()
    scorer = matched.scorer
    pairs, pair_members = _store_pairs(session, run, pool, groups, scorer, settings, prompts, now)
    unmatched = _left_out(pool, matched.graph, groups, capacity, pair_members)
    names = _pair_names(session, [pair_id for pair_id, _ in pool.ending])
    run.summary = _summary(mode, pool, pairs, unmatched, notes, names)
    run.summary["waiting"] = _waiting(pool, pair_members)
    run.summary["quality"] = matched.quality()
    run.summary["capacity"] = _capacity(pool, unmatched, now)
    session.add(run)
    return Proposal(
        run=run,
        pairs=pairs,
        members=pool.candidates,
        pair_members=pair_members,
        unmatched=unmatched,
        notes=notes,
        ending=pool.ending,
        names=names,
    )


def _capacity(
    pool: _Pool, unmatched: list[tuple[int, str]], now: datetime
) -> dict[str, Any] | None:
    """A mentoring round's capacity facts for the preview (``bot.matching.capacity``)."""
    if pool.peer:
        return None
    return capacity_plan(pool.left, pool.right, pool.places_left(), unmatched, week_start(now))


def _propose_circles(
    session: Session,
    program: Program,
    settings: Settings,
    now: datetime,
    seed: int | None,
    fresh: bool | str,
    created_by: int | None,
    sitting_out: frozenset[int],
) -> Proposal:
    """A circles program's round (:mod:`bot.matching.circle_round`)."""
    from bot.matching.circle_round import propose_circles

    return propose_circles(
        session,
        program,
        settings,
        now=now,
        seed=seed,
        fresh=fresh,
        created_by=created_by,
        sitting_out=sitting_out,
    )


def _match(
    pool: _Pool,
    settings: Settings,
    now: datetime,
    blocked: set[tuple[int, int]],
    recent: dict[tuple[int, int], int],
    capacity: np.ndarray,
    pinned: set[int],
    *,
    seed: int,
    say: Progress,
) -> Matched:
    """The whole cohort at once: most people matched, then the most of those waiting from
    an earlier round placed, then the best total fit (a seeded tie-break). NumPy, SciPy,
    OR-Tools and rustworkx load here, when a round is matched.
    """
    from bot.matching.cohort import match_cohort
    from bot.matching.scoring import Cohort, Rules

    return match_cohort(
        Cohort(pool.left, pool.right, pool.peer),
        settings.matching,
        reference_week=week_start(now),
        rules=Rules(blocked=frozenset(_round_blocked(pool, blocked)), recent=recent),
        seed=seed,
        capacity=capacity,
        pinned=pinned,
        progress=say,
    )


def _discard_previews(session: Session, program_id: int) -> None:
    """A new preview replaces any earlier one."""
    for old in pairs_db.previews(session=session, program_id=program_id):
        discard(session, old)


def _fresh_mode(fresh: bool | str) -> str:
    """``True`` means "stalled" (re-pair pairs that aren't working); "" keeps every pair."""
    mode = "stalled" if fresh is True else (fresh or "")
    if mode not in FRESH_MODES:
        raise ValueError(f"unknown fresh mode {fresh!r}")
    return mode


def _summary(
    mode: str,
    pool: _Pool,
    pairs: list[Pair],
    unmatched: list[tuple[int, str]],
    notes: list[list[str]],
    names: dict[int, str],
) -> dict[str, Any]:
    """What a stored preview keeps beside its pairs (JSON)."""
    return {
        "fresh": mode,
        "pairs": len(pairs),
        "pool": {"left": len(pool.left), "right": len(pool.right)},
        "unmatched": [[m, r] for m, r in unmatched],
        "score": _distribution([p.score for p in pairs]),
        "notes": notes,
        "ending": [[p, r] for p, r in pool.ending],
        "ending_names": {str(k): v for k, v in names.items()},
        "kept": len(pool.current) - len(pool.ending),
    }


def _load_pool(
    session: Session,
    program: Program,
    settings: Settings,
    *,
    now: datetime,
    mode: str,
    skip: frozenset[int] = frozenset(),
) -> _Pool:
    """Everyone in the program not on a break; the waiting on one side, mentors (with the
    places they have left) on the other; pairs a fresh round ends free their people.
    """
    assert program.id is not None
    rows = pairs_db.members_with_people(
        session=session, program_id=program.id, statuses=pairs_db.STAYING
    )
    candidates: dict[int, Candidate] = {}
    for member, person in rows:
        paused = member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > now
        )
        if not paused and member.id not in skip:
            candidates[member.id] = candidate_of(member, person, settings.program.default_timezone)  # type: ignore[index]
    ending = pairs_to_end(session, program.id, mode)
    ending_ids = {pair_id for pair_id, _ in ending}
    busy: dict[int, int] = {}
    current = active_pairs(session, program.id)
    for pair_id, members in current.items():
        if pair_id in ending_ids:
            continue
        for member_id in members:
            busy[member_id] = busy.get(member_id, 0) + 1
    peer = program.kind == ProgramKind.PEER
    waiting_role = Role.PEER if peer else Role.MENTEE
    choosing = choices_db.choosing_mentees(session=session, program_id=program.id)  # asked one
    left = [
        c
        for c in candidates.values()
        if c.role == waiting_role and not busy.get(c.member_id) and c.member_id not in choosing
    ]
    right = left if peer else [c for c in candidates.values() if c.role == Role.MENTOR]
    return _Pool(candidates, left, right, peer, busy, current, ending)


def _round_blocked(pool: _Pool, blocked: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The blocks, plus the pairs ended because they weren't working: those are not re-made
    this round however small the pool (the recency rule alone would give way).
    """
    out = set(blocked)
    for pair_id, reason in pool.ending:
        if reason != "fresh_all":
            members = pool.current.get(pair_id, [])
            out |= {(a, b) for a in members for b in members if a != b}
    return out


def _apply_pins(
    pool: _Pool,
    pins: list[tuple[int, int]],
    blocked: set[tuple[int, int]],
    recent: dict[tuple[int, int], int],
    capacity: np.ndarray,
    settings: Settings,
) -> tuple[list[tuple[int, ...]], set[int], list[list[str]]]:
    """Pinned pairs first (taking their places); a pin never beats a block, and a pin with a
    recent partner is used but noted.
    """
    left_pos = {c.member_id: i for i, c in enumerate(pool.left)}
    right_pos = {c.member_id: j for j, c in enumerate(pool.right)}
    groups: list[tuple[int, ...]] = []
    pinned: set[int] = set()
    notes: list[list[str]] = []
    window = settings.matching.recency_rounds
    for a, b in pins:
        if (a, b) in blocked or (b, a) in blocked:
            notes.append(["pin_blocked", pool.name(a), pool.name(b)])
            continue
        for x, y in ((a, b), (b, a)):
            i, j = left_pos.get(x), right_pos.get(y)
            if i is None or j is None or i in pinned or (not pool.peer and capacity[j] <= 0):
                continue
            if pool.peer and (j in pinned or i == j):
                continue
            if recent.get((min(a, b), max(a, b)), window) < window:
                notes.append(["pin_recent", pool.name(a), pool.name(b)])
            groups.append((i, j))
            pinned.add(i)
            if pool.peer:
                pinned.add(j)
            else:
                capacity[j] -= 1
            break
        else:
            notes.append(["pin_skipped", pool.name(a), pool.name(b)])
    return groups, pinned, notes


def _store_pairs(
    session: Session,
    run: MatchRun,
    pool: _Pool,
    groups: list[tuple[int, ...]],
    scorer: Scorer,
    settings: Settings,
    prompts: Prompts,
    now: datetime,
) -> tuple[list[Pair], dict[int, list[int]]]:
    """Each group as a ``proposed`` pair with its score and reasons."""
    import numpy as np

    # Every pair the groups hold, scored at once (a trio of peers is three pairs).
    cells = sorted(
        {(g[0], k) for g in groups for k in g[1:]}
        | {(a, b) for g in groups if pool.peer and len(g) == 3 for a in g for b in g if a < b}
    )
    rows = np.asarray([c[0] for c in cells], np.int64)
    cols = np.asarray([c[1] for c in cells], np.int64)
    totals = dict(zip(cells, scorer.pairs(rows, cols).total.tolist(), strict=True))
    hours = dict(zip(cells, scorer.hours(rows, cols).tolist(), strict=True))
    pairs: list[Pair] = []
    pair_members: dict[int, list[int]] = {}
    for group in groups:
        people = [pool.left[group[0]]] + [pool.right[k] for k in group[1:]]
        pair_score = float(np.mean([totals[(group[0], k)] for k in group[1:]]))
        if pool.peer and len(group) == 3:
            pair_score = float(np.mean([totals[(a, b)] for a in group for b in group if a < b]))
        reasons = explain(
            people[0],
            people[1],
            peer=pool.peer,
            overlap_hours=float(hours[(group[0], group[1])]),
            settings=settings.matching,
        )
        pair = Pair(
            program_id=run.program_id,
            match_run_id=run.id,
            status=PairStatus.PROPOSED,
            score=round(pair_score, 1),
            reasons=reasons,
            created_at=now,
        )
        session.add(pair)
        session.flush()
        assert pair.id is not None
        for cand in people:
            session.add(PairMember(pair_id=pair.id, member_id=cand.member_id, role=cand.role))
        pair_members[pair.id] = [cand.member_id for cand in people]
        pairs.append(pair)
    return pairs, pair_members


def _waiting(pool: _Pool, pair_members: dict[int, list[int]]) -> dict[str, list[list[int]]]:
    """Who was waiting from an earlier round (JSON): each placed one with their partners,
    and each one left out again.
    """
    partners: dict[int, list[int]] = {}
    for ids in pair_members.values():
        for member_id in ids:
            partners[member_id] = [m for m in ids if m != member_id]
    placed, left_out = [], []
    for c in pool.left:
        if c.priority > 0:
            if c.member_id in partners:
                placed.append([c.member_id, *partners[c.member_id]])
            else:
                left_out.append([c.member_id])
    return {"placed": placed, "left_out": left_out}


def _left_out(
    pool: _Pool,
    graph: Graph,
    groups: list[tuple[int, ...]],
    capacity: np.ndarray,
    pair_members: dict[int, list[int]],
) -> list[tuple[int, str]]:
    """Everyone not matched, with the true reason."""
    matched = {m for ids in pair_members.values() for m in ids}
    taken: dict[int, int] = {}
    for group in groups:
        for k in group[1:]:
            taken[k] = taken.get(k, 0) + 1
    places_left = 0
    if not pool.peer:
        places_left = int(
            sum(max(0, int(capacity[j]) - taken.get(j, 0)) for j in range(len(pool.right)))
        )
    waiting = sum(1 for c in pool.left if c.member_id not in matched)
    more = waiting > places_left
    unmatched: list[tuple[int, str]] = []
    for i, c in enumerate(pool.left):
        if c.member_id not in matched and pool.peer and len(pool.left) > 1:
            unmatched.append((c.member_id, _peer_reason(graph, i)))
        elif c.member_id not in matched:
            empty = not pool.right or (pool.peer and len(pool.left) < 2)
            reason = _unmatched_reason(
                graph.left,
                i,
                side_empty=empty,
                left=True,
                places_left=places_left,
                more_left_than_places=more,
            )
            if c.priority > 0 and reason in ("capacity", "fits_full"):
                reason = _waiting_reason(graph, i, capacity, peer=pool.peer)
            unmatched.append((c.member_id, reason))
    if not pool.peer:
        for j, c in enumerate(pool.right):
            if c.member_id not in matched and not pool.busy.get(c.member_id) and capacity[j] > 0:
                reason = _unmatched_reason(
                    graph.right,
                    j,
                    side_empty=not pool.left,
                    left=False,
                    places_left=places_left,
                    more_left_than_places=more,
                )
                unmatched.append((c.member_id, reason))
    for c in pool.candidates.values():
        wrong_role = (c.role != Role.PEER) if pool.peer else (c.role == Role.PEER)
        if wrong_role and not pool.busy.get(c.member_id):
            unmatched.append((c.member_id, "no_role"))  # after a change of program kind
    return unmatched


def _peer_reason(graph: Graph, i: int) -> str:
    """Why a peer was left out: the hard rule that leaves them nobody, else no pair they
    fit could take a third (recency gives way, so it is never the reason in a peer round).
    """
    rule = graph.left.reason(i)
    return rule if rule in ("language", "team", "blocked") else "odd_out"


def _waiting_reason(graph: Graph, i: int, capacity: np.ndarray, *, peer: bool) -> str:
    """Why row ``i``, placed first, was still left out: the first hard rule that leaves it
    nobody among those with room this round, else "waiting_full" (every place that fits
    went to someone else waiting, or was pinned).
    """
    import numpy as np

    scorer = graph.scorer
    cols = np.arange(scorer.m) if peer else np.flatnonzero(np.asarray(capacity) > 0)
    cols = cols[~np.isin(cols, graph.skip_cols)]
    pairs = scorer.pairs(np.full(len(cols), i, np.int64), cols)
    recent = np.isin(i * max(scorer.m, 1) + cols, graph.forbidden)
    language = pairs.language_ok
    team = language & pairs.team_ok
    rule = team & pairs.rule_ok
    for name, ok in (("language", language), ("team", team), ("blocked", rule)):
        if not ok.any():
            return name
    return "recent" if not (rule & ~recent).any() else "waiting_full"


def _pair_names(session: Session, pair_ids: list[int]) -> dict[int, str]:
    """Pair id -> "ann & mia", for the pairs a preview would end."""
    if not pair_ids:
        return {}
    out: dict[int, list[str]] = {}
    for row in pairs_db.names_in_pairs(session=session, pair_ids=pair_ids):
        out.setdefault(row.pair_id, []).append(row.display_name)
    return {k: " & ".join(v) for k, v in out.items()}


def _distribution(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "min": min(values),
        "median": round(statistics.median(values), 1),
        "max": max(values),
        "mean": round(statistics.fmean(values), 1),
    }


def _default_seed(session: Session, program_id: int) -> int:
    return program_id * 1000 + pairs_db.count_runs(session=session, program_id=program_id)


def discard(session: Session, run: MatchRun) -> None:
    """Throw away a preview and its proposed pairs."""
    assert run.id is not None
    pairs_db.delete_proposed_pairs(session=session, run_id=run.id)
    run.status = "discarded"
    session.add(run)


def latest_preview(session: Session, program_id: int) -> MatchRun | None:
    """The program's newest unpublished preview, if any."""
    return next(iter(pairs_db.previews(session=session, program_id=program_id)), None)


def load_proposal(session: Session, run: MatchRun, settings: Settings) -> Proposal:
    """Rebuild a stored preview (or published run) for display and publishing."""
    assert run.id is not None
    pairs = pairs_db.pairs_of_run(session=session, run_id=run.id)
    pair_members = pairs_db.members_of_pairs(
        session=session, pair_ids=[p.id for p in pairs if p.id is not None]
    )
    unmatched = [(int(m), str(r)) for m, r in run.summary.get("unmatched", [])]
    ids = {m for v in pair_members.values() for m in v} | {m for m, _ in unmatched}
    members = {
        member.id: candidate_of(member, person, settings.program.default_timezone)
        for member, person in pairs_db.members_with_people(session=session, member_ids=ids)
        if member.id is not None
    }
    return Proposal(
        run=run,
        pairs=pairs,
        members=members,
        pair_members=pair_members,
        unmatched=unmatched,
        notes=[n for n in run.summary.get("notes", []) if isinstance(n, list)],
        ending=[(int(p), str(r)) for p, r in run.summary.get("ending", [])],
        names={int(k): str(v) for k, v in run.summary.get("ending_names", {}).items()},
    )


def summary_of(proposal: Proposal) -> dict[str, Any]:
    """A copy of a proposal's stored summary."""
    return dict(proposal.run.summary)
