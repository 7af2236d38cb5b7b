"""A person's next check-in, as ``status`` and App Home show it: a planned nudge, else the next
the planner will plan (the rules are :mod:`bot.time.nudges`, shared with the planner).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.time.holidays import DaysOff
from bot.time.nudges import LocalRules, next_nudge
from storage import checkins as checkins_db
from storage import pairs as pairs_db
from storage.models import Member, MemberStatus, Pair, Person, Program


def next_checkin_of(
    session: Session,
    program: Program,
    member: Member,
    person: Person,
    *,
    now: datetime,
    default_timezone: str,
    first_after: timedelta,
    pairs: list[Pair] | None = None,
    partners: Mapping[int, list[Person]] | None = None,
    away: Mapping[int, datetime] | None = None,
    days_off: DaysOff | None = None,
) -> datetime | None:
    """What ``status`` and App Home show: the person's earliest nudge still to come (planned,
    else the next the planner will plan) over ``pairs`` (their active pairs); without a
    partner, when one would come. ``partners``: the others in each pair (the pair's first
    cycle is everyone's); ``away``: pairs whose mentor is on a break, until when;
    ``days_off``: holidays and closed days, as the planner counts them.
    """
    assert member.id is not None
    rules = LocalRules.for_person(person, default_timezone=default_timezone, days_off=days_off)
    paused = member.status == MemberStatus.PAUSED
    if pairs is None:
        pairs = pairs_db.active_pairs_of(session=session, member_id=member.id)
    planned = checkins_db.future_pending(
        session=session, now=now, pair_ids=[p.id for p in pairs if p.id], member_id=member.id
    )
    found = [row.due_at for row in planned if row.due_at is not None]
    for pair in pairs:
        assert pair.id is not None
        skip = checkins_db.answered_cycles(session=session, pair_id=pair.id, member_id=member.id)
        skip |= {
            row.cycle_on.isoformat() for row in planned if row.pair_id == pair.id and row.cycle_on
        }
        nxt = next_nudge(
            program,
            rules,
            after=now,
            started_at=pair.started_at,
            first_after=first_after,
            partners=_partner_rules(
                session, pair.id, member.id, default_timezone, partners, days_off
            ),
            paused_until=_later(member.paused_until, away.get(pair.id) if away else None),
            paused=paused or bool(away and pair.id in away),
            skip_cycles=frozenset(skip),
        )
        if nxt is not None:
            found.append(nxt[0])
    if not pairs:
        found += _unpaired_next(program, rules, member, now=now, first_after=first_after)
    return min(found) if found else None


def _unpaired_next(
    program: Program, rules: LocalRules, member: Member, *, now: datetime, first_after: timedelta
) -> list[datetime]:
    """When someone without a partner would be asked (as if paired now): one instant or none."""
    nxt = next_nudge(
        program,
        rules,
        after=now,
        started_at=now - first_after,
        first_after=first_after,
        paused_until=member.paused_until,
        paused=member.status == MemberStatus.PAUSED,
    )
    return [nxt[0]] if nxt is not None else []


def _partner_rules(
    session: Session,
    pair_id: int,
    member_id: int,
    default_timezone: str,
    known: Mapping[int, list[Person]] | None,
    days_off: DaysOff | None,
) -> list[LocalRules]:
    """The timing rules of the others in the pair (the pair's first cycle is everyone's)."""
    people = known.get(pair_id) if known is not None else None
    if people is None:
        people = pairs_db.partners_in(session=session, pair_id=pair_id, except_member_id=member_id)
    return [
        LocalRules.for_person(p, default_timezone=default_timezone, days_off=days_off)
        for p in people
    ]


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    """The later of two instants (None: none)."""
    return max((x for x in (a, b) if x is not None), default=None)
