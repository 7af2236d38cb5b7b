"""Someone leaving a circle: the circle carries on without them while it still holds two
people (in group mentoring: its mentor and at least one mentee); the others are told.

A circle is one :class:`~storage.models.Pair` with a :class:`~storage.models.PairMember` per
person. Whoever leaves loses their row (so check-ins, health, the digest and the report count
only the people still in it); the leaving itself is told through
:meth:`bot.registry.Registry.fire_circle_left` (their pending check-ins are withdrawn). When the
mentor leaves, or fewer than two would remain, the whole circle ends instead (by the caller,
through :func:`bot.pairs.lifecycle.end_pairs`): the mentees go back to the next round.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.delivery import Target
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.registry import CircleLeft, Registry
from bot.replies import Message, Section
from storage import pairs as pairs_db
from storage.models import Member, Pair, Person, Program, ProgramKind, Role

log = logging.getLogger(__name__)


def carries_on(session: Session, pair: Pair, leaving: set[int]) -> bool:
    """Whether ``pair`` is a circle that carries on without the members ``leaving``: one of a
    circles program that keeps two people or more, its mentor (if it has one) among them,
    and that somebody in ``leaving`` is part of.
    """
    program = session.get(Program, pair.program_id)
    if program is None or program.kind != ProgramKind.CIRCLES or pair.id is None:
        return False
    rows = pairs_db.member_rows(session=session, pair_id=pair.id)
    rest = [r for r in rows if r.member_id not in leaving]
    if len(rest) == len(rows) or len(rest) < 2:
        return False
    return not any(r.role == Role.MENTOR and r.member_id in leaving for r in rows)


def take_out(
    session: Session,
    registry: Registry,
    prompts: Prompts,
    pair: Pair,
    leaving: set[int],
    *,
    now: datetime,
    named: bool = True,
) -> int:
    """Take ``leaving`` out of the circle ``pair`` and tell everyone still in it (by the
    leaver's name, or unnamed when they asked to be forgotten); returns how many were told.
    """
    assert pair.id is not None
    program = session.get(Program, pair.program_id)
    assert program is not None
    rows = pairs_db.member_rows(session=session, pair_id=pair.id)
    gone = [r.member_id for r in rows if r.member_id in leaving]
    names = [_name(session, m) for m in gone] if named else []
    pairs_db.remove_members(session=session, pair_id=pair.id, member_ids=gone)
    session.flush()
    registry.fire_circle_left(CircleLeft(session, now, pair.id, gone))
    log.info("members %s left circle %s", gone, pair.id)
    told = 0
    for person in pairs_db.partners_in(session=session, pair_id=pair.id, except_member_id=0):
        words = prompts.for_person(person)
        text = (
            words.render("pairs.circle.member_left", name=", ".join(names), program=program.name)
            if names
            else words.render("pairs.circle.someone_left", program=program.name)
        )
        row = enqueue(
            session,
            dedupe_key=f"circle_left:{pair.id}:{'-'.join(map(str, gone))}:{person.id}",
            target=Target(
                person.platform, program.workspace_id, "user", (person.platform_user_id,)
            ),
            message=Message((Section(text),)),
            not_before=now,
            now=now,
            program_id=program.id,
        )
        told += row is not None
    return told


def _name(session: Session, member_id: int) -> str:
    """The display name of a member's person ("" when not found)."""
    member = session.get(Member, member_id)
    person = session.get(Person, member.person_id) if member is not None else None
    return person.display_name if person is not None else ""


__all__ = ["carries_on", "take_out"]
