"""Reminding people of a conversation they left, and closing it when they stay away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.checkins.timing import LocalRules, next_sensible, weekend_from
from bot.config import Settings
from bot.conversations.engine import Conversations, fill
from bot.delivery import Target
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Message, Section
from storage.models import ConversationStatus, Person, Program


@dataclass
class UpkeepStats:
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
    closed after ``expire_after_hours``. Answers given so far stay in the database."""
    stats = UpkeepStats()
    c = settings.conversations
    for conv in conversations.expired(session, now):
        conv.status = ConversationStatus.EXPIRED
        session.add(conv)
        stats.expired += 1
    for conv in conversations.due_for_reminder(session, now, c.remind_after_hours):
        person = session.get(Person, conv.person_id)
        program = session.get(Program, conv.program_id) if conv.program_id else None
        if person is None or program is None or conv.script not in conversations.scripts:
            continue
        rules = LocalRules(
            timezone=person.timezone or settings.program.default_timezone,
            quiet_start=person.quiet_start,
            quiet_end=person.quiet_end,
            weekend=weekend_from(person.availability),
        )
        script = conversations.scripts[conv.script]
        title = fill(script.title, {k: str(v) for k, v in conv.context.get("values", {}).items()})
        message = Message(
            (
                Section(prompts.render("conv.reminder", name=person.display_name, title=title)),
                Buttons(
                    (
                        Button(
                            prompts.text("button.conv_continue"), "conversation continue", "primary"
                        ),
                        Button(prompts.text("button.conv_cancel"), "conversation cancel"),
                    )
                ),
                Context(prompts.render("conv.reminder_hint", hours=c.expire_after_hours)),
            )
        )
        row = enqueue(
            session,
            dedupe_key=f"conv-reminder:{conv.id}:{conv.updated_at.isoformat()}",
            target=Target(
                program.platform, program.workspace_id, "user", (person.platform_user_id,)
            ),
            message=message,
            not_before=next_sensible(now, rules),
            now=now,
            program_id=program.id,
        )
        if row is not None:
            row.expires_at = conv.expires_at  # a reminder after the close would confuse
            session.add(row)
        conv.reminded_at = now
        session.add(conv)
        stats.reminded += 1
    return stats
