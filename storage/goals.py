"""Goals and their progress updates."""

from __future__ import annotations

from sqlalchemy import bindparam, delete
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


def of_members(*, session: Session, member_ids: list[int]) -> list[Goal]:
    """The person's goals, by id (their export and forget)."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(Goal).where(col(Goal.member_id).in_(member_ids)).order_by(col(Goal.id))
        ).all()
    )


def updates_of(*, session: Session, goal_ids: list[int]) -> list[GoalUpdate]:
    """Progress updates of these goals."""
    if not goal_ids:
        return []
    return list(
        session.exec(
            select(GoalUpdate)
            .where(col(GoalUpdate.goal_id).in_(goal_ids))
            .order_by(col(GoalUpdate.id))
        ).all()
    )


def delete_updates(*, session: Session, goal_ids: list[int]) -> None:
    """Delete the progress updates of these goals."""
    if goal_ids:
        session.execute(delete(GoalUpdate).where(col(GoalUpdate.goal_id).in_(goal_ids)))
