"""Planning nudges: for every active pair, each person's "did you meet?" at their local hour.

Planning writes check-in rows only: each (pair, person, cycle) gets one, keyed uniquely, so
planning is idempotent and a restart re-plans nothing twice. Nudges are planned up to
``HORIZON`` ahead; each goes into the outbox shortly before it is due (``queue_due_nudges``,
run before every dispatch, ``QUEUE_AHEAD`` ahead), rendered with the names of that moment.
After downtime, nudges up to ``stale_after_hours`` late are still sent; older ones are dropped
(a fresh nudge comes next cycle), so nobody gets a pile of stale questions.

Planning is grouped by timing rules: a person's nudge instant depends only on the program's
wall time and their zone, quiet hours and availability, which many people share, so each
instant is computed once per distinct set of rules, and per person only the pair's start and
a break are checked.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.cadence import program_rule
from bot.checkins.timing import LocalRules, nudge_instant
from bot.checkins.when import MAX_MOVE
from bot.config import Settings
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Message, Section
from storage import checkins as checkins_db
from storage import outbox as outbox_db
from storage import repo
from storage.bulk import bind_value, collector_paused, insert_tuples_ignoring_conflicts
from storage.models import (
    CheckIn,
    CheckInOutcome,
    MemberStatus,
    OutboxStatus,
    Program,
)

log = logging.getLogger(__name__)

HORIZON = timedelta(hours=36)
QUEUE_AHEAD = timedelta(minutes=15)  # nudges enter the outbox this long before they are due
FLUSH_EVERY = 20_000  # planned check-ins held in memory before they are written
QUEUE_BATCH = 5_000  # nudges queued per statement

NUDGE_RENDERER = "nudge"  # outbox rows render the nudge when sent (rewording applies)
OUTCOME_BUTTONS = (
    ("met", "button.checkin_met", "primary"),
    ("not_yet", "button.checkin_not_yet", "default"),
    ("rescheduled", "button.checkin_rescheduled", "default"),
    ("skip", "button.checkin_skip", "default"),
)


def nudge_key(pair_id: int, member_id: int, cycle: str) -> str:
    """The dedupe key of one person's nudge for one pair and cycle."""
    return f"nudge:{pair_id}:{member_id}:{cycle}"


@dataclass
class PlanStats:
    """What a planning run did."""

    planned: int = 0
    dropped_stale: int = 0
    queued: int = 0


def nudge_message(
    prompts: Prompts, *, name: str, partners: str, cycle: str, pair_id: int | None = None
) -> Message:
    """The "did you meet?" message for one pair and cycle; its buttons name both."""
    pair = f" pair:{pair_id}" if pair_id is not None else ""
    buttons = tuple(
        Button(prompts.text(label), f"checkin {outcome}{pair} {cycle}", style)  # type: ignore[arg-type]
        for outcome, label, style in OUTCOME_BUTTONS
    )
    return Message(
        (
            Section(prompts.render("checkin.nudge", name=name, partner=partners)),
            Buttons(buttons),
            Context(prompts.render("checkin.nudge_hint")),
        )
    )


def render_nudge(prompts: Prompts, args: dict[str, Any]) -> Message:
    """Outbox renderer for planned nudges (wording comes from prompts/ at send time)."""
    pair = args.get("pair")
    return nudge_message(
        prompts,
        name=args["name"],
        partners=args["partners"],
        cycle=args["cycle"],
        pair_id=int(pair) if pair is not None else None,
    )


def plan_nudges(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts | None = None,
    programs: list[Program] | None = None,
) -> PlanStats:
    """Plan every check-in due between ``now - stale`` and ``now + HORIZON`` (of
    ``programs``, or all), then queue the nudges due within ``QUEUE_AHEAD``.
    """
    with collector_paused():
        return _plan(session, now=now, settings=settings, programs=programs)


def _plan(
    session: Session, *, now: datetime, settings: Settings, programs: list[Program] | None
) -> PlanStats:
    stats = PlanStats()
    stale = timedelta(hours=settings.checkins.stale_after_hours)
    first_after = timedelta(days=settings.checkins.first_checkin_after_days)
    for program in programs if programs is not None else repo.programs(session=session):
        assert program.id is not None
        rule = program_rule(program)
        # Wall times two days either side of the window cover every zone's offset; a nudge
        # moved by days belongs to a wall time up to MAX_MOVE before its instant.
        lo = (now - stale - MAX_MOVE - timedelta(days=2)).replace(tzinfo=None)
        hi = (now + HORIZON + timedelta(days=2)).replace(tzinfo=None)
        walls = rule.between(lo, hi, inc=True)
        if program.ends_on is not None:  # no nudges after the program's last day
            walls = [w for w in walls if w.date() <= program.ends_on]
        if not walls:
            continue
        _plan_program(
            session,
            program,
            walls,
            now=now,
            stale=stale,
            first_after=first_after,
            stats=stats,
            default_timezone=settings.program.default_timezone,
        )
    stats.queued = queue_due_nudges(session, now=now, settings=settings)
    return stats


def _plan_program(
    session: Session,
    program: Program,
    walls: list[datetime],
    *,
    now: datetime,
    stale: timedelta,
    first_after: timedelta,
    stats: PlanStats,
    default_timezone: str,
) -> None:
    assert program.id is not None
    people = repo.active_pair_people(session=session, program_id=program.id)
    if not people:
        return
    existing = repo.planned_checkins(
        session=session, program_id=program.id, days=[w.date() for w in walls]
    )
    groups: dict[tuple[str | None, ...], list[repo.PairPerson]] = defaultdict(list)
    for person in people:
        if person.status != MemberStatus.LEFT:
            key = (person.timezone, person.quiet_start, person.quiet_end, person.availability_json)
            groups[key].append(person)
    del people
    planned_before = stats.planned
    pending = str(CheckInOutcome.PENDING)
    rows: list[tuple[object, ...]] = []
    for rules_key, members in groups.items():
        for wall, due in _instants(rules_key, walls, now, stale, default_timezone, members, stats):
            cycle = wall.date()
            iso = cycle.isoformat()
            # Shared by everyone in the group: converted for the database once.
            stored = (
                bind_value(session, CheckIn, "cycle_on", cycle),
                bind_value(session, CheckIn, "due_at", due),
            )
            for p in members:
                if (p.pair_id, p.member_id, iso) in existing:
                    continue
                # The rule status and App Home share (bot.checkins.when.nudge_due).
                if p.pair_started_at is None or due < p.pair_started_at + first_after:
                    continue
                if p.status == MemberStatus.PAUSED and (
                    p.paused_until is None or p.paused_until > due
                ):
                    continue
                rows.append((p.pair_id, p.member_id, *stored, pending, ""))
            if len(rows) >= FLUSH_EVERY:  # written as we go: memory stays bounded
                _write(session, rows, stats)
    _write(session, rows, stats)
    if stats.planned > planned_before:
        log.info("planned %d check-ins for program %s", stats.planned - planned_before, program.id)


def _instants(
    key: tuple[str | None, ...],
    walls: list[datetime],
    now: datetime,
    stale: timedelta,
    default_timezone: str,
    members: list[repo.PairPerson],
    stats: PlanStats,
) -> list[tuple[datetime, datetime]]:
    """(wall time, nudge instant) of the occurrences to plan for people sharing these rules:
    due within the horizon and not too stale (missed lately, during downtime, counts as
    dropped; long since handled does not).
    """
    zone, quiet_start, quiet_end, availability = key
    rules = LocalRules.of(
        zone,
        quiet_start,
        quiet_end,
        json.loads(availability) if availability else [],
        default_timezone=default_timezone,
    )
    out = []
    for wall in walls:
        instant = nudge_instant(wall, rules)
        if instant > now + HORIZON:
            continue
        if instant < now - stale:
            if instant >= now - stale - timedelta(days=1):
                stats.dropped_stale += len(members)
            continue
        out.append((wall, instant))
    return out


CHECKIN_COLUMNS = ("pair_id", "member_id", "cycle_on", "due_at", "outcome", "note")


def _write(session: Session, rows: list[tuple[object, ...]], stats: PlanStats) -> None:
    """Store planned check-ins, then empty the list."""
    insert_tuples_ignoring_conflicts(
        session,
        CheckIn,
        CHECKIN_COLUMNS,
        rows,
        conflict=["pair_id", "member_id", "cycle_on"],
        converted=("cycle_on", "due_at"),
    )
    stats.planned += len(rows)
    rows.clear()


def queue_due_nudges(
    session: Session, *, now: datetime, settings: Settings, ahead: timedelta = QUEUE_AHEAD
) -> int:
    """Put the nudges of planned check-ins due by ``now + ahead`` into the outbox (names as
    they are now; ones more than ``stale_after_hours`` late are left out). Returns how many.
    """
    stale = timedelta(hours=settings.checkins.stale_after_hours)
    queued = 0
    while True:
        batch = checkins_db.to_queue(
            session=session, since=now - stale, until=now + ahead, limit=QUEUE_BATCH
        )
        if not batch:
            return queued
        names = checkins_db.pair_names(session=session, pair_ids=[r.pair_id for r in batch])
        by_program: dict[int, list[Outgoing]] = defaultdict(list)
        for row in batch:
            if row.member_status == MemberStatus.LEFT:
                continue
            if row.member_status == MemberStatus.PAUSED and (
                row.paused_until is None or row.paused_until > row.due_at
            ):
                continue  # on a break: this cycle's nudge is not sent
            cycle = row.cycle_on.isoformat()
            partners = ", ".join(n for m, n in names.get(row.pair_id, []) if m != row.member_id)
            args = {
                "name": row.display_name or row.user_id,
                "partners": partners,
                "cycle": cycle,
                "pair": row.pair_id,
            }
            by_program[row.program_id].append(
                Outgoing(
                    dedupe_key=nudge_key(row.pair_id, row.member_id, cycle),
                    target=Target(row.platform, row.workspace_id, "user", (row.user_id,)),
                    not_before=row.due_at,
                    render=(NUDGE_RENDERER, args),
                    expires_at=row.due_at + stale,
                )
            )
        for program_id, items in by_program.items():
            enqueue_many(session, items, now=now, program_id=program_id)
            queued += len(items)
        checkins_db.mark_queued(session=session, ids=[r.checkin_id for r in batch], now=now)
        session.flush()


def next_nudge_to_queue(session: Session, *, after: datetime) -> datetime | None:
    """When the next planned nudge not in the outbox yet falls due (for simulated time)."""
    return checkins_db.next_to_queue(session=session, after=after)


def cancel_nudges(session: Session, *, keys: list[str]) -> int:
    """Withdraw nudges not sent yet (the person answered early, paused, or the pair ended)."""
    if not keys:
        return 0
    rows = outbox_db.pending_by_keys(session=session, keys=keys)
    for row in rows:
        row.status = OutboxStatus.CANCELLED
        session.add(row)
    return len(rows)


def withdraw_future_nudges(
    session: Session,
    *,
    now: datetime,
    pair_ids: list[int] | None = None,
    member_id: int | None = None,
) -> int:
    """Remove planned, unanswered nudges still in the future (a pause, a pair that ended).

    Both the check-in and its unsent outbox row go, so the planner can plan that cycle again
    if the person comes back in time.
    """
    rows = checkins_db.future_pending(
        session=session, now=now, pair_ids=pair_ids, member_id=member_id
    )
    keys = [nudge_key(r.pair_id, r.member_id, r.cycle_on.isoformat()) for r in rows if r.cycle_on]
    for row in rows:
        session.delete(row)
    for outbox in outbox_db.pending_by_keys(session=session, keys=keys):
        session.delete(outbox)
    return len(rows)


def replan(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    programs: list[Program],
    member_ids: list[int] | None = None,
) -> int:
    """After an edit that moves nudges (a program's cadence, weekday, hour or dates; a person's
    zone, quiet hours or availability): withdraw the unsent future nudges it affects (of
    ``member_ids``, or of the whole programs) and plan them again, in the caller's
    transaction, so one nudge per person per cycle always holds. Returns how many were
    withdrawn.
    """
    withdrawn = 0
    if member_ids is None:
        for program in programs:
            assert program.id is not None
            pairs = [
                p.pair_id for p in repo.active_pair_people(session=session, program_id=program.id)
            ]
            withdrawn += withdraw_future_nudges(session, now=now, pair_ids=sorted(set(pairs)))
    else:
        for member_id in member_ids:
            withdrawn += withdraw_future_nudges(session, now=now, member_id=member_id)
    session.flush()
    plan_nudges(session, now=now, settings=settings, prompts=prompts, programs=programs)
    return withdrawn
