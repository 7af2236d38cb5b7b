"""A round of a circles program: the same preview as for pairs, but each proposed ``Pair`` is
a whole circle (one ``PairMember`` per person, the mentor first).

Whether the circles are group mentoring or peer circles follows the members' roles: a
program with any mentor among its members forms group mentoring (members who are peers are
left out with ``no_role``); one without mentors forms peer circles of its peers (mentees are
left out with ``no_mentors``). People already in an active circle stay in it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.matching import rounds
from bot.matching.circle_reasons import circle_reasons
from bot.matching.circle_sizes import circle_sizes
from bot.matching.circles import Formed, form
from bot.matching.profiles import Candidate, week_start
from storage.models import MatchRun, Pair, PairMember, PairStatus, Program, Role


def is_mentored(candidates: list[Candidate]) -> bool:
    """Group mentoring when any member is a mentor, else peer circles."""
    return any(c.role == Role.MENTOR for c in candidates)


def propose_circles(
    session: Session,
    program: Program,
    settings: Settings,
    *,
    now: datetime,
    seed: int | None,
    fresh: bool | str,
    created_by: int | None,
    sitting_out: frozenset[int] = frozenset(),
) -> rounds.Proposal:
    """Form and store a preview of circles for ``program`` (an earlier preview is discarded),
    leaving out who sits this round out.
    """
    assert program.id is not None
    mode = rounds._fresh_mode(fresh)
    rounds._discard_previews(session, program.id)
    pool = rounds._load_pool(session, program, settings, now=now, mode=mode, skip=sitting_out)
    blocked, _pins = rounds._rules(session, program.id)  # pins make pairs, not circles
    recent = rounds.recent_partners(session, program.id)
    seed = seed if seed is not None else rounds._default_seed(session, program.id)
    free = [c for c in pool.candidates.values() if not pool.busy.get(c.member_id)]
    mentored = is_mentored(list(pool.candidates.values()))
    roles = (Role.MENTOR, Role.MENTEE) if mentored else (Role.PEER,)
    wrong = "no_role" if mentored else "no_mentors"
    sizes = circle_sizes(program.circle_min, program.circle_max, mentored=mentored)
    from bot.matching.scoring import Rules

    formed = form(
        [c for c in free if c.role in roles],
        settings.matching,
        mentored=mentored,
        sizes=sizes,
        rules=Rules(blocked=frozenset(rounds._round_blocked(pool, blocked)), recent=recent),
        reference_week=week_start(now),
        seed=seed,
    )
    unmatched = formed.left_out + [(c.member_id, wrong) for c in free if c.role not in roles]
    run = MatchRun(
        program_id=program.id, seed=seed, created_at=now, created_by_person_id=created_by
    )
    session.add(run)
    session.flush()
    pairs, members = _store(session, run, pool.candidates, formed, now, mentored)
    names = rounds._pair_names(session, [pair_id for pair_id, _ in pool.ending])
    run.summary = rounds._summary(mode, pool, pairs, unmatched, [], names)
    run.summary["circles"] = {"mentored": mentored, "sizes": list(sizes)}
    run.summary["waiting"] = _waiting(free, members)
    session.add(run)
    return rounds.Proposal(
        run=run,
        pairs=pairs,
        members=pool.candidates,
        pair_members=members,
        unmatched=unmatched,
        ending=pool.ending,
        names=names,
    )


def _store(
    session: Session,
    run: MatchRun,
    candidates: dict[int, Candidate],
    formed: Formed,
    now: datetime,
    mentored: bool,
) -> tuple[list[Pair], dict[int, list[int]]]:
    """Each circle as one ``proposed`` pair: its mean pairwise fit, and its reasons worded
    for the group (:mod:`bot.matching.circle_reasons`).
    """
    pairs: list[Pair] = []
    members: dict[int, list[int]] = {}
    for ids, score in zip(formed.circles, formed.scores, strict=True):
        pair = Pair(
            program_id=run.program_id,
            match_run_id=run.id,
            status=PairStatus.PROPOSED,
            score=score,
            reasons=circle_reasons([candidates[m] for m in ids], mentored=mentored),
            created_at=now,
        )
        session.add(pair)
        session.flush()
        assert pair.id is not None
        for member_id in ids:
            role = candidates[member_id].role
            session.add(PairMember(pair_id=pair.id, member_id=member_id, role=role))
        members[pair.id] = list(ids)
        pairs.append(pair)
    return pairs, members


def _waiting(free: list[Candidate], members: dict[int, list[int]]) -> dict[str, list[list[int]]]:
    """Who was waiting from an earlier round: placed (with their circle), or left out again."""
    circle_of = {m: ids for ids in members.values() for m in ids}
    placed, left_out = [], []
    for c in free:
        if c.priority > 0:
            if c.member_id in circle_of:
                placed.append(
                    [c.member_id, *(m for m in circle_of[c.member_id] if m != c.member_id)]
                )
            else:
                left_out.append([c.member_id])
    return {"placed": placed, "left_out": left_out}
