"""Who may choose, and the mentors they are shown: the round's scoring and reasons for one
mentee against every mentor, inside the round's hard rules (a shared language when required,
a different team when required, no block, a free place, not a recent partner), best first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.errors import UserError
from bot.matching.explain import explain
from bot.matching.profiles import Candidate, week_start
from bot.matching.rounds import active_pairs, candidate_of, recent_partners
from storage import choices as choices_db
from storage import pairs as pairs_db
from storage.models import Member, MemberStatus, Person, Program, ProgramKind, Role

SUGGESTIONS = 5  # mentors shown at most


@dataclass(frozen=True)
class Suggestion:
    """A mentor worth asking: their candidate, the fit (0..100) and why (stored reasons)."""

    mentor: Candidate
    score: float
    reasons: list[dict[str, Any]]


def on_break(member: Member, now: datetime) -> bool:
    """Whether the member is paused now (a pause that has run out no longer counts)."""
    return member.status == MemberStatus.PAUSED and (
        member.paused_until is None or member.paused_until > now
    )


def load(session: Session, program_id: int) -> dict[int, int]:
    """Member id -> their active pairs in the program."""
    counts: dict[int, int] = {}
    for members in active_pairs(session, program_id).values():
        for member_id in members:
            counts[member_id] = counts.get(member_id, 0) + 1
    return counts


def check_mentee(session: Session, program: Program, member: Member, *, now: datetime) -> None:
    """Raise a friendly UserError unless ``member`` may choose a mentor now: the program lets
    mentees choose, they are a mentee, here and not on a break, with room for a mentor.
    """
    assert program.id is not None and member.id is not None
    if not program.mentees_choose or program.kind != ProgramKind.MENTORING:
        raise UserError("choose.off", program=program.name)
    if member.role != Role.MENTEE:
        raise UserError("choose.not_mentee")
    if member.status == MemberStatus.LEFT:
        raise UserError("error.not_member")
    if on_break(member, now):
        raise UserError("choose.paused")
    if load(session, program.id).get(member.id, 0) >= max(1, member.capacity):
        raise UserError("choose.paired", program=program.name)


def suggest(
    session: Session,
    program: Program,
    settings: Settings,
    mentee: tuple[Member, Person],
    *,
    now: datetime,
) -> list[Suggestion]:
    """The mentee's best mentors (at most ``SUGGESTIONS``) that every hard rule allows, with
    the reasons a round would give. NumPy and SciPy load here, as they do for a round.
    """
    import numpy as np

    from bot.matching.scoring import Cohort, Rules, Scorer

    assert program.id is not None
    zone = settings.program.default_timezone
    me = candidate_of(mentee[0], mentee[1], zone)
    mentors = _open_mentors(session, program, settings, me.member_id, now=now)
    if not mentors:
        return []
    blocked = frozenset(
        (r.member_a_id, r.member_b_id)
        for r in pairs_db.match_rules(session=session, program_id=program.id, kind="block")
    )
    scorer = Scorer(
        Cohort([me], mentors, False),
        settings.matching,
        reference_week=week_start(now),
        rules=Rules(blocked=blocked),
    )
    block = scorer.block(np.asarray([0], np.int64))
    allowed = np.flatnonzero(block.base_ok[0])
    best = allowed[np.argsort(-block.total[0][allowed], kind="stable")][:SUGGESTIONS]
    hours = scorer.hours(np.zeros(len(best), np.int64), best)
    return [
        Suggestion(
            mentors[j],
            round(float(block.total[0][j]), 1),
            explain(
                me,
                mentors[j],
                peer=False,
                overlap_hours=float(h),
                settings=settings.matching,
            ),
        )
        for j, h in zip(best.tolist(), hours.tolist(), strict=True)
    ]


def _open_mentors(
    session: Session, program: Program, settings: Settings, mentee_id: int, *, now: datetime
) -> list[Candidate]:
    """Mentors here and not on a break, with a free place, who are not the mentee's current
    or recent partners and did not already decline them or let their request lapse.
    """
    assert program.id is not None
    busy = load(session, program.id)
    window = settings.matching.recency_rounds
    recent = {
        b if a == mentee_id else a
        for (a, b), age in recent_partners(session, program.id).items()
        if mentee_id in (a, b) and age < window
    }
    current = {
        m
        for members in active_pairs(session, program.id).values()
        if mentee_id in members
        for m in members
    }
    skip = recent | current | choices_db.asked_before(session=session, mentee_member_id=mentee_id)
    zone = settings.program.default_timezone
    rows = pairs_db.members_with_people(
        session=session, program_id=program.id, statuses=(MemberStatus.ACTIVE, MemberStatus.PAUSED)
    )
    return [
        candidate_of(member, person, zone)
        for member, person in rows
        if member.role == Role.MENTOR
        and member.id not in skip
        and not on_break(member, now)
        and busy.get(member.id or 0, 0) < member.capacity
    ]
