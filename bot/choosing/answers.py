"""The mentor's answer to a mentee who chose them: Accept makes the pair (the round's
introduction, capacity and blocks checked again now) and Decline tells the mentee kindly.
"""

from __future__ import annotations

from bot.choosing.notices import tell, to_mentee
from bot.choosing.suggest import load, on_break
from bot.context import Ctx
from bot.errors import UserError
from bot.matching.fit import pair_fit
from bot.matching.publish import introduce
from bot.matching.reasons import reason, reason_key
from bot.matching.rounds import candidate_of
from bot.pairs.making import start_pair
from bot.replies import Message, Reply, Section
from storage import choices as choices_db
from storage import pairs as pairs_db
from storage.models import ChoiceStatus, Member, MemberStatus, MentorChoice, Person


def _own_open(ctx: Ctx, choice_id: int) -> tuple[MentorChoice, Member, Person]:
    """The open request ``choice_id`` made to this mentor, with its mentee (in its program)."""
    row = ctx.session.get(MentorChoice, choice_id)
    if row is None:
        raise UserError("choose.unknown")
    ctx.use_program(row.program_id)
    me = ctx.require_member()
    if me.id != row.mentor_member_id:
        raise UserError("choose.not_yours")
    if row.status != ChoiceStatus.OPEN:
        raise UserError("choose.answered", status=ctx.t(f"choose.status.{row.status}"))
    mentee = ctx.session.get(Member, row.mentee_member_id)
    person = ctx.session.get(Person, mentee.person_id) if mentee else None
    if mentee is None or person is None:
        raise UserError("choose.unknown")
    return row, mentee, person


def _close(ctx: Ctx, row: MentorChoice, status: str) -> None:
    """Close the request, or say it was answered a moment ago (by another click or the job)."""
    assert row.id is not None
    if not choices_db.answer(session=ctx.session, choice_id=row.id, status=status, now=ctx.now):
        raise UserError("choose.answered", status=ctx.t(f"choose.status.{row.status}"))


def decline(ctx: Ctx, choice_id: int) -> Reply:
    """Say no: the mentee hears it kindly and may choose again (or waits for the matching)."""
    row, _mentee, person = _own_open(ctx, choice_id)
    _close(ctx, row, ChoiceStatus.DECLINED)
    _tell_mentee(ctx, row, person, "choose.mentee_declined")
    return ctx.say("choose.declined", mentee=person.display_name)


def _tell_mentee(ctx: Ctx, row: MentorChoice, mentee: Person, key: str) -> None:
    message = to_mentee(ctx.prompts_for(mentee), key, ctx.person.display_name)
    tell(ctx.session, ctx.program(), mentee, message, key=f"choice-end:{row.id}", now=ctx.now)


def accept(ctx: Ctx, choice_id: int) -> Reply:
    """Say yes: checked again now (the mentee still looking, no block, a free place), then
    the pair starts and both get the round's introduction.
    """
    row, mentee, person = _own_open(ctx, choice_id)
    program, me = ctx.program(), ctx.require_member()
    assert program.id is not None and me.id is not None and mentee.id is not None
    busy = load(ctx.session, program.id)
    if (
        mentee.status != MemberStatus.ACTIVE
        or on_break(mentee, ctx.now)
        or busy.get(mentee.id, 0) >= max(1, mentee.capacity)
    ):
        _close(ctx, row, ChoiceStatus.WITHDRAWN)
        return ctx.say("choose.gone", mentee=person.display_name)
    blocks = pairs_db.match_rules(session=ctx.session, program_id=program.id, kind="block")
    if any({r.member_a_id, r.member_b_id} == {me.id, mentee.id} for r in blocks):
        _close(ctx, row, ChoiceStatus.DECLINED)
        _tell_mentee(ctx, row, person, "choose.mentee_declined")
        return ctx.say("choose.blocked", mentee=person.display_name)
    taken = busy.get(me.id, 0)
    if taken >= me.capacity:  # the request stays open: they may make room and accept
        return ctx.say(
            "choose.full",
            mentee=person.display_name,
            count=str(taken),
            capacity=str(me.capacity),
            more=str(taken + 1),
        )
    _close(ctx, row, ChoiceStatus.ACCEPTED)
    _pair(ctx, (mentee, person), me)
    theirs = ctx.prompts_for(person)
    yes = Message(
        (Section(theirs.render("choose.mentee_accepted", mentor=ctx.person.display_name)),)
    )
    tell(ctx.session, program, person, yes, key=f"choice-end:{row.id}", now=ctx.now)
    return ctx.say("choose.accepted", mentee=person.display_name)


def _pair(ctx: Ctx, mentee: tuple[Member, Person], mentor: Member) -> None:
    """Start the pair with its reasons (chosen, then the round's) and queue the intros."""
    program, zone = ctx.program(), ctx.settings.program.default_timezone
    people = [candidate_of(*mentee, zone), candidate_of(mentor, ctx.person, zone)]
    fit = pair_fit(people[0], people[1], peer=False, settings=ctx.settings.matching, now=ctx.now)
    chosen = reason("choose.reason.chosen", mentee=people[0].name, mentor=people[1].name)
    real = [r for r in fit.reasons if reason_key(r) != "match.reason.fallback"]
    pair = start_pair(
        ctx.session,
        program,
        [mentee[0], mentor],
        now=ctx.now,
        reasons=[chosen, *real],
        score=fit.score,
    )
    introduce(
        ctx.session,
        program,
        pair,
        people,
        ctx.settings,
        ctx.prompts,
        now=ctx.now,
        group_dm=ctx.group_dm(),
    )
