"""Asking mentors at capacity to take one more mentee, from a match preview's button.

``admin capacity ask <preview>`` DMs (through the outbox, in each mentor's language) every
mentor with spare time: an active mentor (not on a break, not marked unreachable) in the
preview's program, below the most places (``MOST_PLACES``), whose pairs once the preview is
published (the active pairs it keeps plus the ones it proposes) fill their capacity. Each is
asked once per preview (a second press asks nobody twice) and not again within
``ASK_AGAIN_AFTER`` of an earlier ask in the program. "Take one more" raises their capacity
by one, once; "Not now" changes nothing. The next preview counts the new places.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import Ctx
from bot.errors import UserError
from bot.matching.capacity import facts_of
from bot.replies import Button, Buttons, Context, Message, Reply, Section
from bot.spans import Text
from storage import capacity_asks as asks_db
from storage import pairs as pairs_db
from storage.models import MatchRun, Member, MemberStatus, Person, Role

log = logging.getLogger(__name__)

MOST_PLACES = 20  # a mentor's capacity is never raised past this (``Member.capacity``)
ASK_AGAIN_AFTER = timedelta(days=7)


def admin_capacity(ctx: Ctx, args: list[str]) -> Reply:
    """``admin capacity ask <preview>`` (the preview's button): ask the full mentors."""
    if len(args) != 2 or args[0].lower() != "ask" or not args[1].lstrip("#").isdigit():
        raise UserError("capacity.usage")
    number = args[1].lstrip("#")
    run = ctx.session.get(MatchRun, int(number)) if len(number) <= 9 else None
    if run is None:
        raise UserError("capacity.unknown_run", run=Text.trusted(number))
    program = ctx.use_program(run.program_id)
    if run.status == "discarded":
        raise UserError("capacity.run_replaced", run=Text.trusted(number))
    assert program.id is not None and run.id is not None
    recent = asks_db.asked_since(
        session=ctx.session, program_id=program.id, since=ctx.now - ASK_AGAIN_AFTER
    )
    full = full_mentors(ctx, run)
    waiting = int(facts_of(run).get("unplaced", 0))
    asked = 0
    for member, person in full:
        assert member.id is not None
        ask = None
        if member.id not in recent:
            ask = asks_db.add(
                session=ctx.session,
                program_id=program.id,
                run_id=run.id,
                member_id=member.id,
                now=ctx.now,
            )
        if ask is not None:
            _ask(ctx, ask.id, member, person, waiting=waiting)
            asked += 1
    log.info("capacity ask run=%s asked=%d full=%d", run.id, asked, len(full))
    if not full:
        return ctx.say("capacity.none_full")
    reply = ctx.say("capacity.asked", count=asked)
    if asked < len(full):
        again = ctx.t("capacity.asked_before", count=len(full) - asked, days=ASK_AGAIN_AFTER.days)
        reply = Message((*reply.parts, Context(again)))
    return reply


def full_mentors(ctx: Ctx, run: MatchRun) -> list[tuple[Member, Person]]:
    """The mentors with spare time to ask (see the module's description), in joining order."""
    load = _load_after(ctx, run)
    out = []
    for member, person in pairs_db.members_with_people(
        session=ctx.session, program_id=run.program_id, statuses=pairs_db.STAYING
    ):
        assert member.id is not None
        paused = member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > ctx.now
        )
        if (
            not paused
            and member.role == Role.MENTOR
            and member.removed_at is None
            and person.unreachable_since is None
            and member.capacity < MOST_PLACES
            and load.get(member.id, 0) >= member.capacity
        ):
            out.append((member, person))
    return out


def _load_after(ctx: Ctx, run: MatchRun) -> dict[int, int]:
    """Each member's pairs once ``run`` is published: the active pairs it keeps, plus the
    pairs it proposes (a published run's pairs are among the active ones already).
    """
    ending = (
        {int(p) for p, _ in run.summary.get("ending", [])} if run.status == "preview" else set()
    )
    load: dict[int, int] = {}
    groups = list(
        pairs_db.active_pair_members(session=ctx.session, program_id=run.program_id).items()
    )
    if run.status == "preview" and run.id is not None:
        proposed = [p.id for p in pairs_db.pairs_of_run(session=ctx.session, run_id=run.id) if p.id]
        groups += pairs_db.members_of_pairs(session=ctx.session, pair_ids=proposed).items()
    for pair_id, members in groups:
        if pair_id not in ending:
            for member_id in members:
                load[member_id] = load.get(member_id, 0) + 1
    return load


def _ask(ctx: Ctx, ask_id: int | None, member: Member, person: Person, *, waiting: int) -> None:
    """The DM to one mentor, in their language, with the two buttons."""
    theirs = ctx.prompts_for(person)
    text = theirs.render(
        "capacity.ask", program=ctx.program().name, waiting=waiting, capacity=member.capacity
    )
    buttons = (
        Button(theirs.text("button.capacity_more"), f"capacity more {ask_id}", "primary"),
        Button(theirs.text("button.capacity_not_now"), f"capacity notnow {ask_id}"),
    )
    message = Message((Section(text), Buttons(buttons)))
    ctx.dm(person, message, dedupe_key=f"capacity-ask:{ask_id}")


def answer_ask(ctx: Ctx, args: list[str]) -> Reply:
    """``capacity more|notnow <ask>``: a mentor's answer from the DM's buttons."""
    if len(args) != 2 or args[0].lower() not in ("more", "notnow") or not args[1].isdigit():
        raise UserError("capacity.unknown")
    ask = asks_db.get(session=ctx.session, ask_id=int(args[1])) if len(args[1]) <= 9 else None
    if ask is None:
        raise UserError("capacity.unknown")
    program = ctx.use_program(ask.program_id)
    member = ctx.require_member()
    if member.id != ask.member_id:
        raise UserError("capacity.unknown")  # someone else's question
    if member.role != Role.MENTOR:
        raise UserError("capacity.not_mentor", program=program.name)
    assert ask.id is not None and member.id is not None
    if args[0].lower() == "notnow":
        asks_db.answer(session=ctx.session, ask_id=ask.id, raised=False, now=ctx.now)
        return ctx.say("capacity.not_now", capacity=member.capacity)
    if not asks_db.answer(session=ctx.session, ask_id=ask.id, raised=True, now=ctx.now):
        return ctx.say("capacity.more_already", capacity=member.capacity)
    if not asks_db.raise_capacity(session=ctx.session, member_id=member.id, limit=MOST_PLACES):
        return ctx.say("capacity.at_limit", capacity=member.capacity)
    log.info("capacity raised member=%s to %d (ask %s)", member.id, member.capacity, ask.id)
    return ctx.say("capacity.more_done", capacity=member.capacity)
