"""Who a DM cannot reach (``bot.unreachable``): marks on people, DMs still queued for them."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Member, OutboxMessage, OutboxStatus, Person


def clear_marks(*, session: Session, platform: str, user_ids: list[str]) -> int:
    """Lift the unreachable mark of these platform users (a DM reached them); returns how many
    people had one.
    """
    if not user_ids:
        return 0
    result = session.execute(
        update(Person)
        .where(
            col(Person.platform) == platform,
            col(Person.platform_user_id).in_(sorted(set(user_ids))),
            col(Person.unreachable_since).is_not(None),
        )
        .values(unreachable_since=None, unreachable_reason=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending_dms(*, session: Session, platform: str, user_id: str) -> list[OutboxMessage]:
    """The DMs to one platform user that are still waiting to be sent."""
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.platform == platform,
            OutboxMessage.target_kind == "user",
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    return [r for r in rows if list(r.target_ids) == [user_id]]


def unreachable_members(*, session: Session, program_id: int) -> list[tuple[Member, Person]]:
    """The program's members a DM cannot reach now, longest unreachable first."""
    rows = session.exec(
        select(Member, Person)
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(Member.program_id == program_id, col(Person.unreachable_since).is_not(None))
        .order_by(col(Person.unreachable_since), col(Person.display_name))
    ).all()
    return [(m, p) for m, p in rows]


def reachable_again(session: Session, person: Person) -> None:
    """Lift ``person``'s unreachable mark (they wrote to the bot in a DM)."""
    person.unreachable_since, person.unreachable_reason = None, None
    session.add(person)
