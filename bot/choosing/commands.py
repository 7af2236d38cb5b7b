"""``choose``: a mentee sees the mentors who fit them best and asks one (``choose ask``),
or withdraws (``choose withdraw``); the mentor's ``choose accept|decline`` are in
:mod:`bot.choosing.answers`.
"""

from __future__ import annotations

from datetime import timedelta

from bot.choosing.notices import card, tell, when_for
from bot.choosing.suggest import Suggestion, check_mentee, suggest
from bot.context import Ctx
from bot.errors import UserError
from bot.matching.reasons import render_reasons
from bot.replies import Button, Buttons, Context, Message, Part, Reply, Section
from storage import choices as choices_db
from storage import repo
from storage.models import ChoiceStatus, Member, MentorChoice, Person


def choose(ctx: Ctx, args: list[str]) -> Reply:
    """``choose``, ``choose ask <mentor>``, ``choose withdraw``, ``choose accept|decline <id>``."""
    from bot.choosing.answers import accept, decline

    word = args[0].lower() if args else ""
    if word in ("accept", "decline"):
        if len(args) < 2 or not args[1].lstrip("#").isdigit():
            raise UserError("choose.unknown")
        answer = accept if word == "accept" else decline
        return answer(ctx, int(args[1].lstrip("#")))
    member = ctx.require_member()
    if word == "withdraw":
        return withdraw(ctx, member)
    if word == "ask" and len(args) >= 2 and args[1].isdigit():
        return ask(ctx, member, int(args[1]))
    return suggestions(ctx, member)


def _waiting(ctx: Ctx, row: MentorChoice) -> Message:
    mentor = repo.person_of_member(session=ctx.session, member_id=row.mentor_member_id)
    when = when_for(ctx.prompts, ctx.person, row.answer_by, ctx.zone_key())
    name = mentor.display_name if mentor else "?"
    return Message(
        (
            Section(ctx.t("choose.waiting", mentor=name, when=when)),
            Buttons((Button(ctx.prompts.text("button.choose_withdraw"), "choose withdraw"),)),
        )
    )


def suggestions(ctx: Ctx, member: Member) -> Reply:
    """The open request, if any; otherwise the best mentors to ask, with why."""
    assert member.id is not None
    program = ctx.program()
    found = choices_db.open_of_mentee(session=ctx.session, mentee_member_id=member.id)
    if found is not None:
        return _waiting(ctx, found)
    check_mentee(ctx.session, program, member, now=ctx.now)
    best = suggest(ctx.session, program, ctx.settings, (member, ctx.person), now=ctx.now)
    if not best:
        return ctx.say("choose.none")
    parts: list[Part] = [Section(ctx.t("choose.header", program=program.name))]
    parts += [_line(ctx, s) for s in best]
    parts.append(
        Buttons(
            tuple(
                Button(
                    ctx.prompts.text("button.choose_ask", name=s.mentor.name),
                    f"choose ask {s.mentor.member_id}",
                )
                for s in best
            )
        )
    )
    parts.append(Context(ctx.t("choose.hint", days=program.choose_days)))
    return Message(tuple(parts))


def _line(ctx: Ctx, suggestion: Suggestion) -> Section:
    why = "; ".join(render_reasons(ctx.prompts, suggestion.reasons))
    return Section(ctx.t("choose.line", name=suggestion.mentor.name, reasons=why))


def ask(ctx: Ctx, member: Member, mentor_member_id: int) -> Reply:
    """Ask a suggested mentor: only one the hard rules still allow, one request at a time."""
    assert member.id is not None
    program = ctx.program()
    assert program.id is not None
    found = choices_db.open_of_mentee(session=ctx.session, mentee_member_id=member.id)
    if found is not None:
        mentor = repo.person_of_member(session=ctx.session, member_id=found.mentor_member_id)
        raise UserError("choose.already_open", mentor=mentor.display_name if mentor else "?")
    check_mentee(ctx.session, program, member, now=ctx.now)
    best = suggest(ctx.session, program, ctx.settings, (member, ctx.person), now=ctx.now)
    chosen = next((s for s in best if s.mentor.member_id == mentor_member_id), None)
    mentor_member = ctx.session.get(Member, mentor_member_id)
    mentor_person = ctx.session.get(Person, chosen.mentor.person_id) if chosen else None
    if chosen is None or mentor_member is None or mentor_person is None:
        raise UserError("choose.not_suggested")
    row = choices_db.create(
        session=ctx.session,
        program_id=program.id,
        mentee_member_id=member.id,
        mentor_member_id=mentor_member_id,
        now=ctx.now,
        answer_by=ctx.now + timedelta(days=program.choose_days),
    )
    if row is None:  # asked twice at once: the other click made the request
        return suggestions(ctx, member)
    theirs = ctx.prompts_for(mentor_person)
    zone = ctx.settings.program.default_timezone
    when = when_for(theirs, mentor_person, row.answer_by, zone)
    message = card(
        theirs,
        program,
        row,
        (member, ctx.person),
        chosen.reasons,
        answer_by=when,
        zone=ctx.zone_key(),
    )
    tell(ctx.session, program, mentor_person, message, key=f"choice:{row.id}", now=ctx.now)
    mine = when_for(ctx.prompts, ctx.person, row.answer_by, ctx.zone_key())
    return ctx.say("choose.asked", mentor=chosen.mentor.name, when=mine)


def withdraw(ctx: Ctx, member: Member) -> Reply:
    """Take the open request back; the mentor hears there is nothing to answer."""
    assert member.id is not None
    row = choices_db.open_of_mentee(session=ctx.session, mentee_member_id=member.id)
    if row is None or row.id is None:
        raise UserError("choose.nothing_open")
    ctx.use_program(row.program_id)
    choices_db.answer(
        session=ctx.session, choice_id=row.id, status=ChoiceStatus.WITHDRAWN, now=ctx.now
    )
    mentor = repo.person_of_member(session=ctx.session, member_id=row.mentor_member_id)
    name = mentor.display_name if mentor else "?"
    if mentor is not None:
        note = ctx.say_to(mentor, "choose.card_withdrawn", mentee=ctx.person.display_name)
        tell(ctx.session, ctx.program(), mentor, note, key=f"choice-off:{row.id}", now=ctx.now)
    return ctx.say("choose.withdrawn", mentor=name)
