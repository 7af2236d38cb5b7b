"""When a person's next nudge falls: the one rule the planner, ``status`` and App Home share.

A program occurrence (a local wall time) becomes a person's nudge at that wall time in their
zone, moved past their weekend and out of their quiet hours (:func:`nudge_instant`); none is
sent before the pair's first check-in is due (``first_checkin_after_days`` after it started),
during a break, or for an occurrence after the program's last day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.cadence import ProgramSchedule, program_rule
from bot.checkins.timing import LocalRules, nudge_instant
from storage import checkins as checkins_db
from storage import repo
from storage.models import Member, MemberStatus, Pair, Person, Program

# How far a person's weekend, availability and quiet hours can move a nudge after the program's
# wall time: past six unavailable days at the program's hour, which can be quiet on the
# seventh; out of it at the end of the quiet hours, the next morning, which can be unavailable
# again: six more days. Status and the planner both look this far back.
MAX_MOVE = timedelta(days=14)


def nudge_due(
    wall: datetime,
    rules: LocalRules,
    *,
    started_at: datetime | None,
    first_after: timedelta,
    paused_until: datetime | None = None,
    paused: bool = False,
    instant: datetime | None = None,
) -> datetime | None:
    """The instant of a person's nudge for one occurrence, or None when none is sent
    (``instant``: the occurrence's moved instant when the caller already has it).
    """
    due = instant if instant is not None else nudge_instant(wall, rules)
    if started_at is None or due < started_at + first_after:
        return None
    if paused and (paused_until is None or paused_until > due):
        return None
    return due


def next_nudge(
    program: ProgramSchedule,
    rules: LocalRules,
    *,
    after: datetime,
    started_at: datetime | None,
    first_after: timedelta,
    paused_until: datetime | None = None,
    paused: bool = False,
    skip_cycles: frozenset[str] = frozenset(),
) -> tuple[datetime, str] | None:
    """(instant, cycle) of the first nudge after ``after``; cycles in ``skip_cycles`` (already
    answered) don't count. None when the program ends first.
    """
    rule = program_rule(program)
    ends_on = getattr(program, "ends_on", None)
    cursor = (after - MAX_MOVE - timedelta(days=2)).replace(tzinfo=None)
    best: tuple[datetime, str] | None = None
    for _ in range(200):  # a few years of weekly cycles at most
        wall = rule.after(cursor, inc=False)
        if wall is None or (ends_on is not None and wall.date() > ends_on):
            break
        cursor = wall
        # Moves only go forward, and no zone is more than a day from UTC: an occurrence a day
        # after the best instant can't beat it.
        if best is not None and wall - timedelta(days=1) > best[0].astimezone(UTC).replace(
            tzinfo=None
        ):
            break
        cycle = wall.date().isoformat()
        if cycle in skip_cycles:
            continue
        due = nudge_due(
            wall,
            rules,
            started_at=started_at,
            first_after=first_after,
            paused_until=paused_until,
            paused=paused,
        )
        if due is not None and due > after and (best is None or due < best[0]):
            best = (due, cycle)
    return best


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
) -> datetime | None:
    """What ``status`` and App Home show: the person's earliest nudge still to come: a planned
    one (what the outbox will send), else the next the planner will plan, over all their
    pairs (``pairs``: their active pairs, when the caller has them already). Without a
    partner: when one would come if they had one now.
    """
    assert member.id is not None
    rules = LocalRules.for_person(person, default_timezone=default_timezone)
    paused = member.status == MemberStatus.PAUSED
    if pairs is None:
        pairs = repo.active_pairs_of(session=session, member_id=member.id)
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
            paused_until=member.paused_until,
            paused=paused,
            skip_cycles=frozenset(skip),
        )
        if nxt is not None:
            found.append(nxt[0])
    if not pairs:
        nxt = next_nudge(
            program,
            rules,
            after=now,
            started_at=now - first_after,
            first_after=first_after,
            paused_until=member.paused_until,
            paused=paused,
        )
        if nxt is not None:
            found.append(nxt[0])
    return min(found) if found else None
