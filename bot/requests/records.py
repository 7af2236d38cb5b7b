"""Requests for help between meetings: who hears of a request, the one-winner claim, closing
with "did this help", and escalation to the admins when nobody picks one up in time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Message, Part, Section
from bot.spans import Text
from storage import repo
from storage import requests as requests_db
from storage.models import MentorRequest, Person, Program, ProgramKind, Role

URGENCIES = ("low", "normal", "high")


def helper_roles(program: Program) -> tuple[str, ...]:
    """Who may pick requests up: mentors, or everyone in a peer program."""
    return (Role.PEER.value,) if program.kind == ProgramKind.PEER else (Role.MENTOR.value,)


def matches(skills: list[str], text: str) -> bool:
    """Whether any offered skill is named in the request (whole words, any case)."""
    lowered = text.lower()
    return any(
        re.search(rf"(?<!\w){re.escape(skill.lower())}(?!\w)", lowered) for skill in skills if skill
    )


def card(prompts: Prompts, row: MentorRequest, requester: str) -> Message:
    """The request as mentors see it, with the Claim button."""
    parts: list[Part] = [
        Section(
            prompts.render(
                "request.card",
                name=requester,
                topic=row.topic,
                urgency=prompts.render(f"request.urgency.{row.urgency}"),
            )
        )
    ]
    if row.details:
        parts.append(Section(Text.user(row.details)))
    parts.append(
        Buttons((Button(prompts.text("button.claim"), f"request claim {row.id}", "primary"),))
    )
    parts.append(Context(prompts.render("request.card_hint")))
    return Message(tuple(parts), private=False)


def announce(
    session: Session,
    program: Program,
    row: MentorRequest,
    requester: Person,
    *,
    now: datetime,
    prompts: Prompts,
) -> tuple[int, bool]:
    """DM the helpers whose skills match and post to the mentors' channel; (helpers told,
    posted to the channel).
    """
    assert program.id is not None and row.id is not None
    helpers = requests_db.helpers(
        session=session,
        program_id=program.id,
        roles=helper_roles(program),
        except_member_id=row.requester_member_id,
    )
    text = f"{row.topic}\n{row.details}"
    chosen = [p for m, p in helpers if matches(list(m.skills_offered), text)]
    items = [
        Outgoing(
            f"request:{row.id}:{p.platform_user_id}",
            Target(program.platform, program.workspace_id, "user", (p.platform_user_id,)),
            now,
            message=card(prompts.for_person(p), row, requester.display_name),
        )
        for p in chosen
    ]
    message = card(prompts.for_everyone(), row, requester.display_name)  # the channel's
    if program.mentors_channel:
        target = Target(
            program.platform, program.workspace_id, "channel", (program.mentors_channel,)
        )
        items.append(Outgoing(f"request:{row.id}:channel", target, now, message=message))
    enqueue_many(session, items, now=now, program_id=program.id)
    return len(chosen), bool(program.mentors_channel)


def escalate(session: Session, *, now: datetime, settings: Settings, prompts: Prompts) -> int:
    """Tell the admins of each request nobody claimed in time (once); how many were."""
    r = settings.requests
    rows = requests_db.to_escalate(
        session=session,
        normal_before=now - timedelta(hours=r.escalate_after_hours),
        urgent_before=now - timedelta(hours=r.urgent_escalate_after_hours),
    )
    for row in rows:
        program = session.get(Program, row.program_id)
        requester = repo.person_of_member(session=session, member_id=row.requester_member_id)
        if program is None or requester is None:
            continue
        waited = int((now - row.created_at).total_seconds() // 3600)
        message = Message(
            (
                Section(
                    prompts.render(
                        "request.escalated",
                        id=Text.trusted(str(row.id)),
                        name=requester.display_name,
                        hours=waited,
                        topic=row.topic,
                    )
                ),
                Buttons((Button(prompts.text("button.claim"), f"request claim {row.id}"),)),
                Context(prompts.render("request.escalated_hint")),
            )
        )
        items = [
            Outgoing(
                f"escalate:{row.id}:{admin}",
                Target(program.platform, program.workspace_id, "user", (admin,)),
                now,
                message=message,
            )
            for admin in settings.admins.for_platform(program.platform)
        ]
        enqueue_many(session, items, now=now, program_id=program.id)
        row.escalated_at = now
        session.add(row)
    return len(rows)
