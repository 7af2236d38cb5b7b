"""Goals and their progress updates."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.models import Goal, GoalUpdate

_GOALS_OF = (  # asked by every ``goals``: built once
    select(Goal).where(Goal.member_id == bindparam("member_id")).order_by(col(Goal.id))
)


def goals_of(*, session: Session, member_id: int) -> list[Goal]:
    """A member's goals in the order they were set (position + 1 is the goal's number)."""
    return list(session.exec(_GOALS_OF, params={"member_id": member_id}).all())


def latest_progress(*, session: Session, goal_ids: list[int]) -> dict[int, GoalUpdate]:
    """Each goal's most recent progress update."""
    if not goal_ids:
        return {}
    rows = session.exec(
        select(GoalUpdate)
        .where(col(GoalUpdate.goal_id).in_(goal_ids))
        .order_by(col(GoalUpdate.created_at), col(GoalUpdate.id))
    ).all()
    return {row.goal_id: row for row in rows}  # later rows win
