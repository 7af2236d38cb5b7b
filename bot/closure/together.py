"""What a pair did together (meetings held, goals set and reached) and how its people are
named in a closing message: only facts that are not zero, and never a forgotten name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.prompts import Prompts
from bot.spans import Text
from storage import goals as goals_db
from storage import pairs as pairs_db
from storage.models import Goal, GoalStatus, Pair, Role


@dataclass(frozen=True)
class Together:
    """A pair's facts: distinct check-in cycles in which anyone said "met", and the goals its
    mentee (everyone, in a peer pair) worked on while it lasted and reached in that time.
    """

    meetings: int
    goals: int
    reached: int


@dataclass(frozen=True)
class Partner:
    """Someone else in a pair: their membership and name ("" once they were forgotten)."""

    member_id: int
    name: str
    role: str


def together(session: Session, pair: Pair, *, now: datetime) -> Together:
    """What ``pair`` did, from its start to its end (or ``now``)."""
    assert pair.id is not None
    meetings = len(pairs_db.met_cycles(session=session, pair_ids=[pair.id]))
    members = pairs_db.members_by_id(
        session=session,
        member_ids=pairs_db.members_of_pairs(session=session, pair_ids=[pair.id])[pair.id],
    )
    owners = [m.id for m in members if m.role == Role.MENTEE and m.id is not None]
    if not owners:
        owners = [m.id for m in members if m.id is not None]
    start, end = pair.started_at or pair.created_at, pair.ended_at or now
    goals = [
        g for g in goals_db.of_members(session=session, member_ids=owners) if _during(g, start, end)
    ]
    reached = [
        g
        for g in goals
        if g.status == GoalStatus.DONE and g.completed_at is not None and g.completed_at <= end
    ]
    return Together(meetings, len(goals), len(reached))


def _during(goal: Goal, start: datetime, end: datetime) -> bool:
    """A goal worked on while the pair lasted: set before it ended, not dropped, and not
    already reached before it began.
    """
    if goal.status == GoalStatus.DROPPED or goal.created_at > end:
        return False
    return not (goal.completed_at is not None and goal.completed_at < start)


def facts(prompts: Prompts, done: Together) -> Text | None:
    """The facts that are not zero, like "4 meetings held, 2 goals set" (None if all are)."""
    parts: list[Text] = []
    if done.meetings:
        parts.append(prompts.render("closure.fact_meetings", count=done.meetings))
    if done.goals:
        parts.append(prompts.render("closure.fact_goals", count=done.goals))
    if done.reached:
        parts.append(prompts.render("closure.fact_reached", count=done.reached))
    return Text.join(parts, ", ") if parts else None


def partners_of(session: Session, pair_id: int, member_id: int) -> list[Partner]:
    """The other people of a pair, in the order they were linked."""
    rows = [
        r
        for r in pairs_db.names_in_pairs(session=session, pair_ids=[pair_id])
        if r.member_id != member_id
    ]
    roles = {
        m.id: m.role
        for m in pairs_db.members_by_id(session=session, member_ids=[r.member_id for r in rows])
    }
    return [Partner(r.member_id, r.display_name, roles.get(r.member_id, "")) for r in rows]


def name_of(prompts: Prompts, partners: list[Partner], gone: frozenset[int] = frozenset()) -> str:
    """The partners' names, comma-separated; a forgotten one (or one in ``gone``) is "a
    partner who left", never a blank.
    """
    left = prompts.text("closure.partner_left")
    names = [left if (not p.name or p.member_id in gone) else p.name for p in partners]
    return ", ".join(dict.fromkeys(names)) or left
