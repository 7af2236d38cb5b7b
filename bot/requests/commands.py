"""``request`` (ask for help: a form, or the topic as words), ``request claim|close <id>``
and ``requests`` (the open ones, and your own).
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Ctx
from bot.errors import FormInvalid, UserError
from bot.replies import (
    Button,
    Buttons,
    Context,
    Fields,
    Form,
    FormField,
    Message,
    Part,
    Reply,
    Section,
)
from bot.requests.records import URGENCIES, announce, helper_roles
from bot.spans import Text
from storage import repo
from storage import requests as requests_db
from storage.models import MentorRequest, RequestStatus

MAX_TOPIC = 200
MAX_DETAILS = 2000


def request_form(ctx: Ctx) -> Form:
    """Topic, details and urgency."""
    t = ctx.prompts.text
    return Form(
        form_id="request",
        title=t("request.form_title"),
        fields=(
            FormField("topic", t("request.label.topic"), required=True, max_length=MAX_TOPIC),
            FormField("details", t("request.label.details"), "multiline", max_length=MAX_DETAILS),
            FormField(
                "urgency",
                t("request.label.urgency"),
                "choice",
                choices=tuple((u, t(f"request.urgency.{u}")) for u in URGENCIES),
                initial="normal",
                hint=", ".join(URGENCIES),
            ),
        ),
        submit_label=t("button.send"),
        cancel_label=t("button.cancel"),
        intro=ctx.t("request.form_intro"),
    )


def request(ctx: Ctx, args: list[str]) -> Reply:
    """``request`` opens the form; ``request <topic>`` asks at once; ``claim``/``close``."""
    if args and args[0].lower() in ("claim", "close") and len(args) >= 2:
        number = args[1].lstrip("#")
        if not number.isdigit():
            raise UserError("request.unknown", id=args[1])
        row = _get(ctx, int(number))
        if args[0].lower() == "claim":
            return claim(ctx, row)
        return close(ctx, row, args[2] if len(args) > 2 else "")
    if not args:
        ctx.require_member()
        return request_form(ctx)
    return _create(ctx, " ".join(args), "", "normal")


def request_submitted(ctx: Ctx, values: dict[str, str]) -> Reply:
    """The request form."""
    urgency = (values.get("urgency") or "normal").strip().lower()
    if urgency not in URGENCIES:
        raise FormInvalid(
            {"urgency": ctx.prompts.text("request.bad_urgency", value=urgency)}, retry="request"
        )
    return _create(ctx, values.get("topic", ""), values.get("details", ""), urgency)


def _create(ctx: Ctx, topic: str, details: str, urgency: str) -> Reply:
    member = ctx.require_member()
    program = ctx.program()
    topic, details = topic.strip(), details.strip()
    if not topic:
        raise UserError("request.usage")
    if len(topic) > MAX_TOPIC or len(details) > MAX_DETAILS:
        raise UserError("request.too_long", topic=MAX_TOPIC, details=MAX_DETAILS)
    assert program.id is not None and member.id is not None
    row = MentorRequest(
        program_id=program.id,
        requester_member_id=member.id,
        topic=topic,
        details=details,
        urgency=urgency,
        created_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    told, posted = announce(ctx.session, program, row, ctx.person, now=ctx.now, prompts=ctx.prompts)
    hours = (
        ctx.settings.requests.urgent_escalate_after_hours
        if urgency == "high"
        else ctx.settings.requests.escalate_after_hours
    )
    parts: list[Part] = [
        Section(
            ctx.t("request.posted", id=Text.trusted(str(row.id)), count=told)
            if told
            else ctx.t("request.posted_none", id=Text.trusted(str(row.id)))
        ),
        Context(
            ctx.t("request.posted_channel" if posted else "request.posted_no_channel", hours=hours)
        ),
        Buttons((Button(ctx.prompts.text("button.request_close"), f"request close {row.id}"),)),
    ]
    return Message(tuple(parts))


def _get(ctx: Ctx, request_id: int) -> MentorRequest:
    program = ctx.program()
    assert program.id is not None
    row = requests_db.get(session=ctx.session, program_id=program.id, request_id=request_id)
    if row is None:
        raise UserError("request.unknown", id=Text.trusted(str(request_id)))
    return row


def claim(ctx: Ctx, row: MentorRequest) -> Reply:
    """The first helper to claim takes it; anyone after them is thanked and told who did."""
    assert row.id is not None
    ctx.adopt_program(row.program_id)  # the request's program, whichever the helper is in
    member = ctx.require_member()
    if member.id == row.requester_member_id:
        raise UserError("request.own")
    if member.role not in helper_roles(ctx.program()) and not ctx.admin_here():
        raise UserError("request.not_helper")
    requester = repo.person_of_member(session=ctx.session, member_id=row.requester_member_id)
    name = requester.display_name if requester else "?"
    assert member.id is not None
    if not requests_db.claim(
        session=ctx.session, request_id=row.id, member_id=member.id, now=ctx.now
    ):
        ctx.session.refresh(row)
        if row.status == RequestStatus.CLOSED and row.claimed_by_member_id is None:
            raise UserError("request.closed_already", id=Text.trusted(str(row.id)))
        helper = repo.person_of_member(session=ctx.session, member_id=row.claimed_by_member_id or 0)
        if row.claimed_by_member_id == member.id:
            return ctx.say("request.yours_already", id=Text.trusted(str(row.id)))
        return ctx.say("request.taken", helper=helper.display_name if helper else "?")
    if requester is not None:
        theirs = ctx.prompts_for(requester)
        ctx.dm(
            requester,
            Message(
                (
                    Section(
                        theirs.render(
                            "request.claimed_requester",
                            helper=ctx.person.display_name,
                            topic=row.topic,
                        )
                    ),
                    Buttons(
                        (Button(theirs.text("button.request_close"), f"request close {row.id}"),)
                    ),
                )
            ),
            dedupe_key=f"claimed:{row.id}:{member.id}",
        )
    return ctx.say("request.claimed_you", name=name, topic=row.topic)


def close(ctx: Ctx, row: MentorRequest, rating: str) -> Reply:
    """The requester closes it, saying how much it helped (1-5), asked with buttons."""
    member = ctx.require_member()
    if member.id != row.requester_member_id:
        raise UserError("request.not_yours", id=Text.trusted(str(row.id)))
    if row.status == RequestStatus.CLOSED:
        raise UserError("request.closed_already", id=Text.trusted(str(row.id)))
    if rating not in ("1", "2", "3", "4", "5"):
        return Message(
            (
                Section(ctx.t("request.close_ask", topic=row.topic)),
                Buttons(tuple(Button(str(n), f"request close {row.id} {n}") for n in range(1, 6))),
            )
        )
    row.status, row.closed_at, row.helped = RequestStatus.CLOSED, ctx.now, int(rating)
    ctx.session.add(row)
    return ctx.say("request.closed", id=Text.trusted(str(row.id)))


def _age(now: datetime, then: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def requests(ctx: Ctx, args: list[str]) -> Reply:
    """Open requests (with Claim buttons for those who can help) and your own."""
    member = ctx.require_member()
    program = ctx.program()
    assert program.id is not None and member.id is not None
    waiting = [
        r
        for r in requests_db.open_requests(session=ctx.session, program_id=program.id)
        if r.requester_member_id != member.id
    ]
    parts: list[Part] = []
    if waiting:
        parts.append(Section(ctx.t("request.list_header", count=len(waiting))))
        items = []
        for r in waiting[:10]:
            who = repo.person_of_member(session=ctx.session, member_id=r.requester_member_id)
            items.append(
                (
                    f"#{r.id} {r.topic}"[:80],
                    ctx.t(
                        "request.list_line",
                        urgency=ctx.t(f"request.urgency.{r.urgency}"),
                        age=Text.trusted(_age(ctx.now, r.created_at)),
                        name=who.display_name if who else "?",
                    ),
                )
            )
        parts.append(Fields(tuple(items)))
        if member.role in helper_roles(program):
            parts.append(
                Buttons(
                    tuple(
                        Button(
                            ctx.prompts.text("button.claim_numbered", number=r.id),
                            f"request claim {r.id}",
                        )
                        for r in waiting[:5]
                    )
                )
            )
    else:
        parts.append(Section(ctx.t("request.list_none")))
    mine = requests_db.requests_of(session=ctx.session, member_id=member.id)
    if mine:
        parts.append(Section(ctx.t("request.mine_header")))
        parts.append(
            Fields(
                tuple(
                    (f"#{r.id} {r.topic}"[:80], ctx.t(f"request.status.{r.status}"))
                    for r in mine[:10]
                )
            )
        )
    return Message(tuple(parts))
