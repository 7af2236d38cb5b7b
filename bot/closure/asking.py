"""Who is asked to close a pair, and when.

When pairs end (:meth:`bot.registry.Registry.on_pair_ended`, in that transaction) everyone
in them who is still in the program gets a closure row. The ``closure`` pulse job then queues
each row's closing message through the outbox at a sensible hour in the person's zone
(daytime, outside their quiet hours and weekend), once per pair and person. Whoever has left
by then (the person who left, or asked to be forgotten) is not asked: their row goes. Pairs
that ended with the program are asked by the program's wrap-up instead.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.checkins.wrapup import has_ended
from bot.closure.message import Again, closing_message
from bot.closure.rounds import next_round_expected
from bot.config import Settings
from bot.delivery import Target
from bot.outbox import enqueue
from bot.pairs.lifecycle import QUIET_REMATCH, EndReason
from bot.prompts import Prompts
from bot.registry import PairEnded
from bot.time.nudges import LocalRules, next_sensible
from storage import closure as closure_db
from storage import pairs as pairs_db
from storage.models import Member, MemberStatus, Person, Program


def closure_key(pair_id: int, member_id: int) -> str:
    """The dedupe key of one person's closing message for one pair."""
    return f"closure:{pair_id}:{member_id}"


def record_closures(event: PairEnded) -> None:
    """Listener: a closure row for everyone still in the pairs that just ended (not for
    pairs a peer program's recurring round re-paired: those move on quietly).
    """
    if event.reason == EndReason.REMATCH and event.detail == QUIET_REMATCH:
        return
    members = pairs_db.members_of_pairs(session=event.session, pair_ids=event.pair_ids)
    for pair_id, member_ids in members.items():
        for member in pairs_db.members_by_id(session=event.session, member_ids=member_ids):
            if member.id is None or member.status == MemberStatus.LEFT:
                continue
            closure_db.open_closure(
                session=event.session, pair_id=pair_id, member_id=member.id, now=event.now
            )


def _again(
    session: Session, program: Program, member: Member, now: datetime, settings: Settings
) -> Again:
    """What the closing message says of a next round: nothing when the person has a partner
    already or no round comes before the program ends; that they're in it when the ending
    already put them there; else the choice to be matched again.
    """
    if has_ended(program, now) or not next_round_expected(session, program, now, settings):
        return Again.NONE
    assert member.id is not None
    if pairs_db.active_pairs_of(session=session, member_id=member.id):
        return Again.NONE
    return Again.ALREADY if member.match_priority > 0 else Again.OFFER


def ask_closures(session: Session, *, now: datetime, settings: Settings, prompts: Prompts) -> int:
    """Queue the closing message of every closure not asked yet; returns how many."""
    queued = 0
    for closure, pair in closure_db.unasked(session=session):
        assert pair.id is not None
        member = session.get(Member, closure.member_id)
        if member is None or member.status == MemberStatus.LEFT:
            session.delete(closure)  # they left (or were forgotten): nobody to ask
            continue
        closure.asked_at = now
        session.add(closure)
        person = session.get(Person, member.person_id)
        program = session.get(Program, pair.program_id)
        if person is None or program is None:
            continue
        message = closing_message(
            session,
            prompts.for_person(person),
            program=program,
            pair=pair,
            member=member,
            person=person,
            now=now,
            again=_again(session, program, member, now, settings),
        )
        rules = LocalRules.for_person(person, default_timezone=settings.program.default_timezone)
        row = enqueue(
            session,
            dedupe_key=closure_key(pair.id, closure.member_id),
            target=Target(
                program.platform, program.workspace_id, "user", (person.platform_user_id,)
            ),
            message=message,
            not_before=next_sensible(now, rules),
            now=now,
            program_id=program.id,
        )
        queued += row is not None
    return queued
