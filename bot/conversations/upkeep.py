"""Reminding people of a conversation they left, and closing it when they stay away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.checkins.timing import LocalRules, next_sensible
from bot.config import Settings
from bot.conversations.engine import Conversations, fill
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Message, Section
from storage.models import Conversation, ConversationStatus, Person, Program

CHUNK = 500


@dataclass
class UpkeepStats:
    """Conversations reminded and closed in one run."""

    reminded: int = 0
    expired: int = 0


def remind_and_expire(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    conversations: Conversations,
) -> UpkeepStats:
    """One reminder after ``remind_after_hours`` of silence (at a daytime hour for them);
    closed after ``expire_after_hours``. Answers given so far stay in the database.
    """
    stats = UpkeepStats()
    c = settings.conversations
    active = col(Conversation.status) == ConversationStatus.ACTIVE
    expired_ids = list(
        session.exec(
            select(Conversation.id).where(active, col(Conversation.expires_at) <= now)
        ).all()
    )
    for start in range(0, len(expired_ids), CHUNK):
        session.execute(
            update(Conversation)
            .where(col(Conversation.id).in_(expired_ids[start : start + CHUNK]))
            .values(status=ConversationStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
    stats.expired = len(expired_ids)

    due = session.execute(
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
        )
        .join(Person, col(Person.id) == col(Conversation.person_id))
        .join(Program, col(Program.id) == col(Conversation.program_id))
        .where(
            active,
            col(Conversation.reminded_at).is_(None),
            col(Conversation.updated_at) <= now - timedelta(hours=c.remind_after_hours),
            col(Conversation.expires_at) > now,
        )
    ).all()
    buttons = Buttons(
        (
            Button(prompts.text("button.conv_continue"), "conversation continue", "primary"),
            Button(prompts.text("button.conv_cancel"), "conversation cancel"),
        )
    )
    hint = Context(prompts.render("conv.reminder_hint", hours=c.expire_after_hours))
    by_program: dict[int, list[Outgoing]] = {}
    reminded: list[int] = []
    when: dict[LocalRules, datetime] = {}
    for (
        conv_id,
        script,
        context,
        updated_at,
        expires_at,
        name,
        user_id,
        zone,
        quiet_start,
        quiet_end,
        availability,
        program_id,
        platform,
        workspace_id,
    ) in due:
        if script not in conversations.scripts:
            continue
        rules = LocalRules.of(
            zone,
            quiet_start,
            quiet_end,
            availability,
            default_timezone=settings.program.default_timezone,
        )
        at = when.get(rules)
        if at is None:
            at = when[rules] = next_sensible(now, rules)
        values = {k: str(v) for k, v in (context or {}).get("values", {}).items()}
        title = fill(conversations.scripts[script].title, values)
        message = Message(
            (
                Section(prompts.render("conv.reminder", name=name, title=title)),
                buttons,
                hint,
            )
        )
        by_program.setdefault(program_id, []).append(
            Outgoing(
                dedupe_key=f"conv-reminder:{conv_id}:{updated_at.isoformat()}",
                target=Target(platform, workspace_id, "user", (user_id,)),
                message=message,
                not_before=at,
                expires_at=expires_at,  # a reminder after the close would confuse
            )
        )
        reminded.append(conv_id)
    for program_id, items in by_program.items():
        enqueue_many(session, items, now=now, program_id=program_id)
    for start in range(0, len(reminded), CHUNK):
        session.execute(
            update(Conversation)
            .where(col(Conversation.id).in_(reminded[start : start + CHUNK]))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
    stats.reminded = len(reminded)
    return stats
