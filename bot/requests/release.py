"""Requests a helper picked up but cannot finish (they went away): open again, the asker told,
and the mentors' channel (or, without one, the helpers whose skills match) asked once more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session

from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts, language_args
from bot.replies import Button, Buttons, Context, Message, Section
from bot.requests.records import helper_roles, matches
from storage import repo
from storage import requests as requests_db
from storage.models import MentorRequest, Person, Program, RequestStatus

RELEASED_RENDERER = "request_released"  # rendered when sent, so rewording applies


def render_released(prompts: Prompts, args: dict[str, Any]) -> Message:
    """Outbox renderer: to the asker (``to`` = "requester"), or a fresh call for a helper."""
    values = {k: args[k] for k in ("id", "topic", "helper")}
    if args["to"] == "requester":
        return Message((Section(prompts.render("request.released_requester", **values)),))
    return Message(
        (
            Section(prompts.render("request.released", name=args["name"], **values)),
            Buttons(
                (Button(prompts.text("button.claim"), f"request claim {args['id']}", "primary"),)
            ),
            Context(prompts.render("request.card_hint")),
        ),
        private=False,
    )


def release_claims(session: Session, *, now: datetime, member_id: int) -> int:
    """Put back every request ``member_id`` claimed and did not see closed; how many."""
    rows = requests_db.claimed_by(session=session, member_id=member_id)
    helper = repo.person_of_member(session=session, member_id=member_id)
    for row in rows:
        row.status, row.claimed_by_member_id, row.claimed_at = RequestStatus.OPEN, None, None
        session.add(row)
        session.flush()
        program = session.get(Program, row.program_id)
        if program is not None:
            _tell(session, program, row, helper.display_name if helper else "?", now=now)
    return len(rows)


def _tell(
    session: Session, program: Program, row: MentorRequest, helper: str, *, now: datetime
) -> None:
    requester = repo.person_of_member(session=session, member_id=row.requester_member_id)
    name = requester.display_name if requester else "?"
    args = {"id": str(row.id), "topic": row.topic, "helper": helper, "name": name}
    key = f"released:{row.id}:{now.isoformat()}"

    def item(
        kind: Literal["user", "channel"], to: str, who: str, person: Person | None = None
    ) -> Outgoing:
        target = Target(program.platform, program.workspace_id, kind, (to,))
        language = language_args(person) if person else {}  # a channel: the program's
        render = (RELEASED_RENDERER, {**args, "to": who, **language})
        return Outgoing(f"{key}:{to}", target, now, render=render)

    items = [item("user", requester.platform_user_id, "requester", requester)] if requester else []
    if program.mentors_channel:
        items.append(item("channel", program.mentors_channel, "helpers"))
    else:
        assert program.id is not None
        text = f"{row.topic}\n{row.details}"
        for member, person in requests_db.helpers(
            session=session,
            program_id=program.id,
            roles=helper_roles(program),
            except_member_id=row.requester_member_id,
        ):
            if matches(list(member.skills_offered), text):
                items.append(item("user", person.platform_user_id, "helpers", person))
    enqueue_many(session, items, now=now, program_id=program.id)
