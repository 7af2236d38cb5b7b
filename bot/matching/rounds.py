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
from typing import Any

import numpy as np
from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.matching.explain import explain
from bot.matching.profiles import Candidate, week_start
from bot.matching.scoring import Cohort, Rules, Scores, score_cohort
from bot.matching.solver import solve_assignment, solve_peers
from bot.prompts import Prompts
from storage.models import (
    Feedback,
    MatchRule,
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

Progress = Callable[[str], None]


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
        return [p.score for p in self.pairs]


def candidate_of(member: Member, person: Person, default_zone: str) -> Candidate:
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
    )


def active_pairs(session: Session, program_id: int) -> dict[int, list[int]]:
    """Active pair id -> member ids."""
    rows = session.exec(
        select(PairMember.pair_id, PairMember.member_id)
        .join(Pair, col(Pair.id) == col(PairMember.pair_id))
        .where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
    ).all()
    pairs: dict[int, list[int]] = {}
    for pair_id, member_id in rows:
        pairs.setdefault(pair_id, []).append(member_id)
    return pairs


def _recent(session: Session, program_id: int) -> dict[tuple[int, int], int]:
    """Past partners -> how many published rounds ago they were paired (0 = the last one)."""
    runs = session.exec(
        select(MatchRun.id)
        .where(MatchRun.program_id == program_id, MatchRun.status == "published")
        .order_by(col(MatchRun.published_at).desc(), col(MatchRun.id).desc())
    ).all()
    age_of_run = {run_id: age for age, run_id in enumerate(runs)}
    rows = session.exec(
        select(Pair.id, Pair.match_run_id, PairMember.member_id)
        .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
        .where(Pair.program_id == program_id, Pair.status != PairStatus.PROPOSED)
    ).all()
    groups: dict[int, tuple[int, list[int]]] = {}
    for pair_id, run_id, member_id in rows:
        assert pair_id is not None
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
    only the pairs that aren't working (stalled, or someone said the fit is poor)."""
    if not mode:
        return []
    active = session.exec(
        select(Pair).where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE)
    ).all()
    ids = [p.id for p in active]
    poor = set(
        session.exec(
            select(Feedback.pair_id).where(
                col(Feedback.pair_id).in_(ids), Feedback.kind == "fit", Feedback.helped == "poor"
            )
        ).all()
    )
    out: list[tuple[int, str]] = []
    for pair in sorted(active, key=lambda p: p.id or 0):
        assert pair.id is not None
        if pair.stalled_since is not None:
            out.append((pair.id, f"stalled_{pair.stall_reason or 'no_meeting'}"))
        elif pair.id in poor:
            out.append((pair.id, "poor_fit"))
        elif mode == "all":
            out.append((pair.id, "fresh_all"))
    return out


def _rules(session: Session, program_id: int) -> tuple[set[tuple[int, int]], list[tuple[int, int]]]:
    rows = session.exec(select(MatchRule).where(MatchRule.program_id == program_id)).all()
    blocked = {(r.member_a_id, r.member_b_id) for r in rows if r.kind == "block"}
    pins = [(r.member_a_id, r.member_b_id) for r in rows if r.kind == "pin"]
    return blocked, pins


def _unmatched_reason(
    scores: Scores,
    i: int,
    *,
    side_empty: bool,
    left: bool,
    places_left: int,
    more_left_than_places: bool,
) -> str:
    """The true cause, checked rule by rule in the order people can act on it."""
    if side_empty:
        return "no_mentors" if left else "no_mentees"
    feasible = scores.feasible[i] if left else scores.feasible[:, i]
    if feasible.any():
        if not left:
            return "surplus"
        # Someone fits, but every one of them is full.
        return "capacity" if places_left == 0 or more_left_than_places else "fits_full"
    rule = scores.rule_ok[i] if left else scores.rule_ok[:, i]
    lang = scores.language_ok[i] if left else scores.language_ok[:, i]
    team = scores.team_ok[i] if left else scores.team_ok[:, i]
    if not lang.any():
        return "language"
    if not (lang & team).any():
        return "team"
    if not (lang & team & rule).any():
        return "blocked"
    return "recent"


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
) -> Proposal:
    """Compute and store a preview run for ``program`` (an earlier preview is discarded).

    ``fresh`` re-pairs people whose pairs aren't working (``"stalled"``, or ``True``) or
    everyone (``"all"``); the pairs it would end are listed in the preview with why.
    """
    mode = "stalled" if fresh is True else (fresh or "")
    if mode not in FRESH_MODES:
        raise ValueError(f"unknown fresh mode {fresh!r}")
    say = progress or (lambda _msg: None)
    assert program.id is not None
    for old in session.exec(
        select(MatchRun).where(MatchRun.program_id == program.id, MatchRun.status == "preview")
    ).all():
        discard(session, old)

    say("loading the pool")
    rows = session.exec(
        select(Member, Person)
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Member.program_id == program.id, Member.status != MemberStatus.LEFT)
        .order_by(col(Member.id))
    ).all()
    candidates: dict[int, Candidate] = {}
    for member, person in rows:
        paused = member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > now
        )
        if not paused:
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
    if peer:
        left = [c for c in candidates.values() if c.role == Role.PEER and not busy.get(c.member_id)]
        right = left
    else:
        left = [
            c for c in candidates.values() if c.role == Role.MENTEE and not busy.get(c.member_id)
        ]
        right = [c for c in candidates.values() if c.role == Role.MENTOR]

    blocked, pins = _rules(session, program.id)
    recent = _recent(session, program.id)
    # Pairs ended because they weren't working are not re-made this round, however small
    # the pool (the recency rule alone would give way when there is nobody else).
    round_blocked = set(blocked)
    for pair_id, reason in ending:
        if reason != "fresh_all":
            members = current.get(pair_id, [])
            round_blocked |= {(a, b) for a in members for b in members if a != b}
    rules = Rules(blocked=frozenset(round_blocked), recent=recent)
    seed = seed if seed is not None else _default_seed(session, program.id)
    notes: list[list[str]] = []

    say(f"scoring {len(left)} x {len(right)} candidate pairs")
    scores = score_cohort(
        Cohort(left, right, peer), settings.matching, reference_week=week_start(now), rules=rules
    )
    rng = np.random.default_rng(seed)
    priority = settings.matching.priority_bonus * (
        np.asarray([c.priority for c in left], float)[:, None]
        + np.asarray([c.priority for c in right], float)[None, :]
    )
    objective = scores.total + priority + rng.random(scores.total.shape) * 1e-6

    capacity = np.asarray([max(0, c.capacity - busy.get(c.member_id, 0)) for c in right], dtype=int)
    left_pos = {c.member_id: i for i, c in enumerate(left)}
    right_pos = {c.member_id: j for j, c in enumerate(right)}
    groups: list[tuple[int, ...]] = []  # indices: (left, right) or peers' indices
    pinned_left: set[int] = set()

    def name(member_id: int) -> str:
        found = candidates.get(member_id)
        return found.name if found else str(member_id)

    for a, b in pins:
        if (a, b) in blocked or (b, a) in blocked:
            notes.append(["pin_blocked", name(a), name(b)])
            continue
        for x, y in ((a, b), (b, a)):
            i, j = left_pos.get(x), right_pos.get(y)
            if i is None or j is None or i in pinned_left or (not peer and capacity[j] <= 0):
                continue
            if peer and (j in pinned_left or i == j):
                continue
            pair_key = (min(a, b), max(a, b))
            if recent.get(pair_key, settings.matching.recency_rounds) < (
                settings.matching.recency_rounds
            ):
                notes.append(["pin_recent", name(a), name(b)])
            groups.append((i, j))
            pinned_left.add(i)
            if peer:
                pinned_left.add(j)
            else:
                capacity[j] -= 1
            break
        else:
            notes.append(["pin_skipped", name(a), name(b)])

    feasible = scores.feasible.copy()
    if pinned_left:
        idx = sorted(pinned_left)
        feasible[idx, :] = False
        if peer:
            feasible[:, idx] = False

    if peer:
        say(f"solving {len(left)} peers")
        groups += list(
            solve_peers(objective, feasible, candidates=settings.matching.peer_candidates)
        )
    else:
        groups += solve_assignment(objective, feasible, capacity, progress=say)

    say("explaining pairs")
    run = MatchRun(
        program_id=program.id,
        seed=seed,
        status="preview",
        created_at=now,
        created_by_person_id=created_by,
        summary={"fresh": mode},
    )
    session.add(run)
    session.flush()
    pairs: list[Pair] = []
    pair_members: dict[int, list[int]] = {}
    for group in groups:
        people = [left[group[0]]] + [right[k] for k in group[1:]]
        pair_score = float(np.mean([scores.total[group[0], k] for k in group[1:]]))
        if peer and len(group) == 3:
            pair_score = float(np.mean([scores.total[a, b] for a in group for b in group if a < b]))
        hours = float(scores.overlap_hours[group[0], group[1]])
        reasons = explain(
            people[0],
            people[1],
            peer=peer,
            overlap_hours=hours,
            settings=settings.matching,
            prompts=prompts,
        )
        pair = Pair(
            program_id=program.id,
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

    matched = {m for ids in pair_members.values() for m in ids}
    taken: dict[int, int] = {}
    for group in groups:
        for k in group[1:]:
            taken[k] = taken.get(k, 0) + 1
    places_left = int(sum(max(0, int(capacity[j]) - taken.get(j, 0)) for j in range(len(right))))
    if peer:
        places_left = 0
    waiting = sum(1 for c in left if c.member_id not in matched)
    more_left_than_places = waiting > places_left
    unmatched: list[tuple[int, str]] = []
    for i, c in enumerate(left):
        if c.member_id not in matched:
            unmatched.append(
                (
                    c.member_id,
                    _unmatched_reason(
                        scores,
                        i,
                        side_empty=not right or (peer and len(left) < 2),
                        left=True,
                        places_left=places_left,
                        more_left_than_places=more_left_than_places,
                    ),
                )
            )
    if not peer:
        for j, c in enumerate(right):
            if c.member_id not in matched and not busy.get(c.member_id) and capacity[j] > 0:
                unmatched.append(
                    (
                        c.member_id,
                        _unmatched_reason(
                            scores,
                            j,
                            side_empty=not left,
                            left=False,
                            places_left=places_left,
                            more_left_than_places=more_left_than_places,
                        ),
                    )
                )
    for c in candidates.values():
        wrong_role = (c.role != Role.PEER) if peer else (c.role == Role.PEER)
        if wrong_role and not busy.get(c.member_id):
            unmatched.append((c.member_id, "no_role"))  # after a change of program kind
    names = _pair_names(session, [pair_id for pair_id, _ in ending])
    values = [p.score for p in pairs]
    run.summary = {
        "fresh": mode,
        "pairs": len(pairs),
        "pool": {"left": len(left), "right": len(right)},
        "unmatched": [[m, r] for m, r in unmatched],
        "score": _distribution(values),
        "notes": notes,
        "ending": [[p, r] for p, r in ending],
        "ending_names": {str(k): v for k, v in names.items()},
        "kept": len(current) - len(ending),
    }
    session.add(run)
    return Proposal(
        run=run,
        pairs=pairs,
        members=candidates,
        pair_members=pair_members,
        unmatched=unmatched,
        notes=notes,
        ending=ending,
        names=names,
    )


def _pair_names(session: Session, pair_ids: list[int]) -> dict[int, str]:
    """Pair id -> "ann & mia", for the pairs a preview would end."""
    if not pair_ids:
        return {}
    rows = session.exec(
        select(PairMember.pair_id, Person.display_name)
        .join(Member, col(Member.id) == col(PairMember.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(col(PairMember.pair_id).in_(pair_ids))
        .order_by(col(PairMember.id))
    ).all()
    out: dict[int, list[str]] = {}
    for pair_id, display in rows:
        out.setdefault(pair_id, []).append(display)
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
    runs = session.exec(select(MatchRun.id).where(MatchRun.program_id == program_id)).all()
    return program_id * 1000 + len(runs)


def discard(session: Session, run: MatchRun) -> None:
    """Throw away a preview and its proposed pairs."""
    pair_ids = list(
        session.exec(
            select(Pair.id).where(Pair.match_run_id == run.id, Pair.status == PairStatus.PROPOSED)
        ).all()
    )
    if pair_ids:
        # Links first: without ORM relationships the flush would not order these deletes.
        session.execute(delete(PairMember).where(col(PairMember.pair_id).in_(pair_ids)))
        session.execute(delete(Pair).where(col(Pair.id).in_(pair_ids)))
    run.status = "discarded"
    session.add(run)


def latest_preview(session: Session, program_id: int) -> MatchRun | None:
    return session.exec(
        select(MatchRun)
        .where(MatchRun.program_id == program_id, MatchRun.status == "preview")
        .order_by(col(MatchRun.id).desc())
    ).first()


def load_proposal(session: Session, run: MatchRun, settings: Settings) -> Proposal:
    """Rebuild a stored preview (or published run) for display and publishing."""
    pairs = list(
        session.exec(select(Pair).where(Pair.match_run_id == run.id).order_by(col(Pair.id))).all()
    )
    pair_members: dict[int, list[int]] = {}
    for pair in pairs:
        links = session.exec(
            select(PairMember).where(PairMember.pair_id == pair.id).order_by(col(PairMember.id))
        ).all()
        pair_members[pair.id] = [link.member_id for link in links]  # type: ignore[index]
    unmatched = [(int(m), str(r)) for m, r in run.summary.get("unmatched", [])]
    ids = {m for v in pair_members.values() for m in v} | {m for m, _ in unmatched}
    members: dict[int, Candidate] = {}
    if ids:
        for member, person in session.exec(
            select(Member, Person)
            .join(Person, col(Person.id) == col(Member.person_id))
            .where(col(Member.id).in_(ids))
        ).all():
            members[member.id] = candidate_of(member, person, settings.program.default_timezone)  # type: ignore[index]
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
    return dict(proposal.run.summary)
