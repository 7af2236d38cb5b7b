"""The closing message: thanks, what the pair did together, a button to rate it (and, for a
mentee, to thank the mentor) and the choice to keep in touch or be matched again.

A pair that ends before the program does gets it on its own (:func:`closing_message`); at the
program's end the wrap-up carries each pair's part (:func:`pair_parts`), so nobody gets two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.closure.together import Partner, facts, name_of, partners_of, together
from bot.pairs.lifecycle import EndReason
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Message, Part, Section
from storage import closure as closure_db
from storage.models import Member, MemberStatus, Pair, Person, Program, Role


def rate_command(pair_id: int) -> str:
    """The command behind "Rate and close"."""
    return f"closure rate pair:{pair_id}"


class Again(StrEnum):
    """What the closing message says of a next round."""

    NONE = "none"  # has a partner, or no round comes before the program ends
    ALREADY = "already"  # the ending already put them in the next round
    OFFER = "offer"  # "Match me again"


@dataclass(frozen=True)
class Offer:
    """What one person is offered for one ended pair."""

    partner: str  # the partners' names, a forgotten one as "a partner who left"
    keep: bool  # someone to keep in touch with is still in the program
    thank_mentor: bool  # a mentee whose mentor is still in the program


def offer_of(session: Session, prompts: Prompts, pair: Pair, member: Member) -> Offer:
    """Who the person closes ``pair`` with and what they may choose."""
    assert pair.id is not None and member.id is not None
    partners = partners_of(session, pair.id, member.id)
    staying = [p for p in partners if p.name and _staying(session, p)]
    mentor_here = any(p.role == Role.MENTOR for p in staying)
    return Offer(
        partner=name_of(prompts, partners),
        keep=bool(staying),
        thank_mentor=member.role == Role.MENTEE and mentor_here,
    )


def _staying(session: Session, partner: Partner) -> bool:
    found = session.get(Member, partner.member_id)
    return found is not None and found.status != MemberStatus.LEFT


def closing_message(
    session: Session,
    prompts: Prompts,
    *,
    program: Program,
    pair: Pair,
    member: Member,
    person: Person,
    now: datetime,
    again: Again,
) -> Message:
    """The message to one person when ``pair`` ended before the program did (``again``: what
    it says of a next round).
    """
    assert pair.id is not None
    offer = offer_of(session, prompts, pair, member)
    completed = EndReason(pair.end_reason or EndReason.REMOVED.value).completed
    parts: list[Part] = [
        Section(
            prompts.render(
                "closure.completed" if completed else "closure.ended_early",
                name=person.display_name,
                partner=offer.partner,
                program=program.name,
            )
        )
    ]
    done = facts(prompts, together(session, pair, now=now))
    if done is not None:
        parts.append(Section(prompts.render("closure.together", facts=done)))
    ask = (
        prompts.render("closure.ask_thanks", partner=offer.partner)
        if offer.thank_mentor
        else prompts.render("closure.ask")
    )
    parts += [
        Section(ask),
        Buttons((Button(prompts.text("button.closure_rate"), rate_command(pair.id), "primary"),)),
    ]
    return Message(tuple(parts + _next(prompts, pair.id, offer, again=again)))


def _next(prompts: Prompts, pair_id: int, offer: Offer, *, again: Again) -> list[Part]:
    """Keep in touch (when someone is left to keep in touch with) and match me again (or,
    when the ending already did that, say so).
    """
    buttons: list[Button] = []
    if offer.keep:
        buttons.append(Button(prompts.text("button.closure_keep"), f"closure keep pair:{pair_id}"))
    if again == Again.OFFER:
        buttons.append(
            Button(prompts.text("button.closure_again"), f"closure again pair:{pair_id}")
        )
    if again == Again.ALREADY:
        key = "closure.next_already_keep" if offer.keep else "closure.next_already"
        text = prompts.render(key, partner=offer.partner)
    elif not buttons:
        return []
    elif offer.keep and again == Again.OFFER:
        text = prompts.render("closure.next", partner=offer.partner)
    elif offer.keep:
        text = prompts.render("closure.next_keep", partner=offer.partner)
    else:
        text = prompts.render("closure.next_again")
    return [Section(text), Buttons(tuple(buttons))] if buttons else [Section(text)]


def pair_parts(
    session: Session, prompts: Prompts, *, pair: Pair, member: Member, now: datetime
) -> list[Part]:
    """One pair's part of the program's wrap-up: who with, what they did, rate it and keep
    in touch (no next round: the program is over).
    """
    assert pair.id is not None
    offer = offer_of(session, prompts, pair, member)
    done = facts(prompts, together(session, pair, now=now))
    line = (
        prompts.render("closure.with_partner", partner=offer.partner, facts=done)
        if done is not None
        else prompts.render("closure.with_partner_plain", partner=offer.partner)
    )
    buttons = [Button(prompts.text("button.closure_rate"), rate_command(pair.id), "primary")]
    if offer.keep:
        buttons.append(Button(prompts.text("button.closure_keep"), f"closure keep pair:{pair.id}"))
    return [Section(line), Buttons(tuple(buttons))]


def wrapup_parts(
    session: Session, prompts: Prompts, *, pairs: list[Pair], member: Member, now: datetime
) -> list[Part]:
    """The closing part of the program's wrap-up for ``pairs`` (those that ended with the
    program): one section per pair, and their closures marked asked so no second message
    follows.
    """
    assert member.id is not None
    parts: list[Part] = []
    for pair in pairs:
        assert pair.id is not None
        closure = closure_db.closure_of(session=session, pair_id=pair.id, member_id=member.id)
        if closure is None:
            closure = closure_db.open_closure(
                session=session, pair_id=pair.id, member_id=member.id, now=now
            )
        closure.asked_at = closure.asked_at or now
        session.add(closure)
        parts += pair_parts(session, prompts, pair=pair, member=member, now=now)
    return parts
