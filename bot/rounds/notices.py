"""What people hear of a round besides their intro or "not this time": "new pairs tomorrow"
before it, and "you sat this one out" after it. Nobody marked unreachable is DMed these
(they are counted in the round's record instead).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue, enqueue_many
from bot.prompts import Prompts, language_args
from bot.replies import Button, Buttons, Context, Message, Section
from bot.rounds.schedule import next_due
from bot.spans import Text
from bot.time.format import local_when
from bot.time.zones import get_zone
from storage import pairs as pairs_db
from storage import rounds as rounds_db
from storage.models import Member, MemberStatus, Person, Program, ProgramKind, Role, Round

NOTICE_RENDERER = "rounds.notice"


def render_notice(prompts: Prompts, args: dict[str, Any]) -> Message:
    """Outbox renderer: "new pairs on <day, time> (your time)", with a button to sit it out,
    in the reader's language and zone.
    """
    due = datetime.fromisoformat(args["due"])
    when = local_when(due, get_zone(args["zone"]), prompts.locale)
    return Message(
        (
            Section(prompts.render("rounds.notice", program=args["program"], when=when)),
            Context(prompts.render("rounds.notice_skip")),
            Buttons((Button(prompts.text("button.round_skip"), f"skip #{args['round']}"),)),
        )
    )


def can_be_matched(
    session: Session, program: Program, *, at: datetime, skipping: set[int]
) -> list[tuple[Member, Person]]:
    """Who the round at ``at`` would match: everyone in a peer program (not on a break then,
    not sitting it out); in a mentoring program the mentees waiting for a mentor and the
    mentors with a place left.
    """
    assert program.id is not None
    rows = pairs_db.members_with_people(
        session=session, program_id=program.id, statuses=pairs_db.STAYING
    )
    busy: dict[int, int] = {}
    for members in pairs_db.active_pair_members(session=session, program_id=program.id).values():
        for member_id in members:
            busy[member_id] = busy.get(member_id, 0) + 1
    peer = program.kind != ProgramKind.MENTORING
    out = []
    for member, person in rows:
        away = member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > at
        )
        if away or member.id is None or member.id in skipping:
            continue
        load = 0 if peer else busy.get(member.id, 0)
        waiting = load == 0 if member.role != Role.MENTOR else load < member.capacity
        if waiting:
            out.append((member, person))
    return out


def queue_notices(
    session: Session, program: Program, rnd: Round, settings: Settings, *, now: datetime
) -> dict[str, Any]:
    """Queue "new pairs on ..." to everyone the round would match, once per round, due time
    and person; returns what the round's record keeps (how many were told, who could not be).
    """
    assert program.id is not None and rnd.id is not None
    skipping = rounds_db.skipping(session=session, round_id=rnd.id)
    people = can_be_matched(session, program, at=rnd.due_at, skipping=skipping)
    stamp = f"{rnd.due_at:%Y%m%dT%H%M}"
    items, unreachable = [], []
    for member, person in people:
        if person.unreachable_since is not None:
            unreachable.append(member.id)
            continue
        zone = person.timezone or settings.program.default_timezone
        args = {
            **language_args(person),
            "program": program.name,
            "due": rnd.due_at.isoformat(),
            "zone": zone,
            "round": rnd.id,
        }
        target = Target(program.platform, program.workspace_id, "user", (person.platform_user_id,))
        key = f"round-notice:{rnd.id}:{stamp}:{member.id}"
        items.append(Outgoing(key, target, now, render=(NOTICE_RENDERER, args)))
    enqueue_many(session, items, now=now, program_id=program.id)
    return {"told": len(items), "unreachable": unreachable}


def tell_skipped(
    session: Session,
    program: Program,
    rnd: Round,
    skipped: list[tuple[Member, Person]],
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
) -> int:
    """Each reachable person who sat the round out hears it, and when the next one is."""
    assert program.id is not None
    upcoming = next_due(program, settings, after=rnd.due_at)
    told = 0
    for member, person in skipped:
        if person.unreachable_since is not None or member.status == MemberStatus.LEFT:
            continue
        theirs = prompts.for_person(person)
        zone = get_zone(person.timezone or settings.program.default_timezone)
        if upcoming is None:
            text = theirs.render("rounds.skipped_last", program=program.name)
        else:
            when = Text.trusted(local_when(upcoming, zone, theirs.locale))
            text = theirs.render("rounds.skipped", program=program.name, when=when)
        target = Target(program.platform, program.workspace_id, "user", (person.platform_user_id,))
        row = enqueue(
            session,
            dedupe_key=f"round-skipped:{rnd.id}:{member.id}",
            target=target,
            message=Message((Section(text),)),
            not_before=now,
            now=now,
            program_id=program.id,
        )
        told += row is not None
    return told
