"""Reminding people of a conversation they left, and closing it when they stay away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.conversations.runner import Conversations, fill
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Message, Section
from bot.time.nudges import LocalRules, next_sensible
from storage import conversations as conversations_db
from storage.models import ConversationStatus


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
    c = settings.conversations
    expired_ids = conversations_db.expired_ids(session=session, now=now)
    conversations_db.mark_conversations(
        session=session, ids=expired_ids, status=ConversationStatus.EXPIRED
    )
    quiet = conversations_db.quiet_conversations(
        session=session, now=now, quiet_since=now - timedelta(hours=c.remind_after_hours)
    )
    by_program: dict[int, list[Outgoing]] = {}
    reminded: list[int] = []
    when: dict[LocalRules, datetime] = {}
    for conv in quiet:
        if conv.script not in conversations.scripts:
            continue
        rules = LocalRules.for_person(conv, default_timezone=settings.program.default_timezone)
        at = when.get(rules)
        if at is None:
            at = when[rules] = next_sensible(now, rules)
        by_program.setdefault(conv.program_id, []).append(
            Outgoing(
                dedupe_key=f"conv-reminder:{conv.conversation_id}:{conv.updated_at.isoformat()}",
                target=Target(conv.platform, conv.workspace_id, "user", (conv.user_id,)),
                message=_reminder(conv, conversations, prompts, settings),
                not_before=at,
                expires_at=conv.expires_at,  # a reminder after the close would confuse
            )
        )
        reminded.append(conv.conversation_id)
    for program_id, items in by_program.items():
        enqueue_many(session, items, now=now, program_id=program_id)
    conversations_db.mark_conversations(session=session, ids=reminded, reminded_at=now)
    return UpkeepStats(reminded=len(reminded), expired=len(expired_ids))


def _reminder(
    conv: conversations_db.QuietConversation,
    conversations: Conversations,
    prompts: Prompts,
    settings: Settings,
) -> Message:
    """The reminder, "want to pick it up?", with Continue / Stop buttons, in their language."""
    raw = conv.context.get("values", {}) if conv.context else {}
    values = {k: str(v) for k, v in (raw if isinstance(raw, dict) else {}).items()}
    prompts = prompts.for_person(conv)
    title = fill(conversations.script_in(conv.script, prompts.locale).title, values)
    buttons = Buttons(
        (
            Button(prompts.text("button.conv_continue"), "conversation continue", "primary"),
            Button(prompts.text("button.conv_cancel"), "conversation cancel"),
        )
    )
    hours = settings.conversations.expire_after_hours
    return Message(
        (
            Section(prompts.render("conv.reminder", name=conv.display_name, title=title)),
            buttons,
            Context(prompts.render("conv.reminder_hint", hours=hours)),
        )
    )
