"""Conversations: the one in progress, the ones gone quiet or past their expiry."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Conversation, ConversationStatus, Person, Program

_ACTIVE_OF = select(Conversation).where(  # asked by every DM: built once
    Conversation.person_id == bindparam("person_id"),
    Conversation.status == ConversationStatus.ACTIVE,
)


def active_of(*, session: Session, person_id: int) -> Conversation | None:
    """The person's conversation in progress, if any."""
    return session.exec(_ACTIVE_OF, params={"person_id": person_id}).first()


def last_expired(*, session: Session, person_id: int, since: datetime) -> Conversation | None:
    """The person's most recent conversation that timed out since ``since``."""
    return session.exec(
        select(Conversation)
        .where(
            Conversation.person_id == person_id,
            Conversation.status == ConversationStatus.EXPIRED,
            col(Conversation.updated_at) >= since,
        )
        .order_by(col(Conversation.updated_at).desc())
    ).first()


def expired_ids(*, session: Session, now: datetime) -> list[int]:
    """Conversations in progress past their expiry."""
    return [
        conv_id
        for conv_id in session.exec(
            select(Conversation.id).where(
                col(Conversation.status) == ConversationStatus.ACTIVE,
                col(Conversation.expires_at) <= now,
            )
        ).all()
        if conv_id is not None
    ]


class QuietConversation(NamedTuple):
    """A conversation left unanswered, with whom to remind and where."""

    conversation_id: int
    script: str
    context: dict[str, object]
    updated_at: datetime
    expires_at: datetime
    display_name: str
    user_id: str
    timezone: str | None
    quiet_start: str | None
    quiet_end: str | None
    availability: list[dict[str, object]]
    program_id: int
    platform: str
    workspace_id: str
    locale: str | None = None  # the language they chose, and their platform's
    platform_locale: str | None = None


def quiet_conversations(
    *, session: Session, now: datetime, quiet_since: datetime
) -> list[QuietConversation]:
    """Active conversations not reminded yet, silent since ``quiet_since``, not expired."""
    rows = session.execute(
        sa_select(
            col(Conversation.id),
            col(Conversation.script),
            col(Conversation.context),
            col(Conversation.updated_at),
            col(Conversation.expires_at),
            col(Person.display_name),
            col(Person.platform_user_id),
            col(Person.timezone),
            col(Person.quiet_start),
            col(Person.quiet_end),
            col(Person.availability),
            col(Program.id),
            col(Program.platform),
            col(Program.workspace_id),
            col(Person.locale),
            col(Person.platform_locale),
        )
        .join(Person, col(Person.id) == col(Conversation.person_id))
        .join(Program, col(Program.id) == col(Conversation.program_id))
        .where(
            col(Conversation.status) == ConversationStatus.ACTIVE,
            col(Conversation.reminded_at).is_(None),
            col(Conversation.updated_at) <= quiet_since,
            col(Conversation.expires_at) > now,
        )
    ).all()
    return [QuietConversation(*row) for row in rows]  # type: ignore[arg-type]


def mark_conversations(
    *, session: Session, ids: list[int], chunk: int = 500, **values: object
) -> None:
    """Set ``values`` on many conversations, ``chunk`` ids per statement (set-based, no ORM)."""
    for start in range(0, len(ids), chunk):
        session.execute(
            update(Conversation)
            .where(col(Conversation.id).in_(ids[start : start + chunk]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def of_person(*, session: Session, person_id: int) -> list[Conversation]:
    """The person's guided conversations, finished or not."""
    return list(
        session.exec(
            select(Conversation)
            .where(Conversation.person_id == person_id)
            .order_by(col(Conversation.id))
        ).all()
    )
