"""Planning nudges: for every active pair, each person's "did you meet?" at their local hour.

Run as often as you like: each (pair, person, cycle) gets one check-in row and one outbox row,
both keyed uniquely, so planning is idempotent and a restart re-plans nothing twice. Nudges are
planned up to ``HORIZON`` ahead and wait in the outbox until their instant. After downtime,
nudges up to ``stale_after_hours`` late are still sent; older ones are dropped (a fresh nudge
comes next cycle), so nobody gets a pile of stale questions.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.cadence import program_rule
from bot.checkins.timing import LocalRules, nudge_instant
from bot.checkins.when import MAX_MOVE, nudge_due
from bot.config import Settings
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Message, Section
from storage import checkins as checkins_db
from storage import outbox as outbox_db
from storage import repo
from storage.bulk import insert_ignoring_conflicts
from storage.models import (
    CheckIn,
    CheckInOutcome,
    MemberStatus,
    OutboxStatus,
    Program,
)

log = logging.getLogger(__name__)

HORIZON = timedelta(hours=36)
FLUSH_EVERY = 20_000  # planned nudges held in memory before they are written

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
    prompts: Prompts,
    programs: list[Program] | None = None,
) -> PlanStats:
    """Plan every nudge due between ``now - stale`` and ``now + HORIZON`` (of ``programs``,
    or all).
    """
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
        cycles = {wall: wall.date().isoformat() for wall in walls}
        _plan_program(
            session,
            program,
            cycles,
            now=now,
            stale=stale,
            first_after=first_after,
            prompts=prompts,
            stats=stats,
            default_timezone=settings.program.default_timezone,
        )
    return stats


def _plan_program(
    session: Session,
    program: Program,
    cycles: dict[datetime, str],
    *,
    now: datetime,
    stale: timedelta,
    first_after: timedelta,
    prompts: Prompts,
    stats: PlanStats,
    default_timezone: str,
) -> None:
    assert program.id is not None
    people = repo.active_pair_people(session=session, program_id=program.id)
    if not people:
        return
    names: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for p in people:
        names[p.pair_id].append((p.member_id, p.display_name or p.user_id))
    existing = {
        (pair, member, day.isoformat())
        for pair, member, day in repo.planned_checkins(
            session=session, program_id=program.id, days=[w.date() for w in cycles]
        )
    }
    window = _Window(now=now, stale=stale, first_after=first_after)
    rules_of = _RulesCache(default_timezone)
    planned_before = stats.planned
    checkins: list[dict[str, object]] = []
    outbox: list[Outgoing] = []
    for person in people:
        if person.status == MemberStatus.LEFT:
            continue
        rules = rules_of(person)
        partners = None
        for wall, cycle in cycles.items():
            if (person.pair_id, person.member_id, cycle) in existing:
                continue
            due = window.due(person, wall, rules, stats)
            if due is None:
                continue
            if partners is None:  # only for someone who gets a nudge now
                partners = ", ".join([n for m, n in names[person.pair_id] if m != person.member_id])
            nudge, row = _nudge(program, person, wall, cycle, due, partners, stale)
            outbox.append(nudge)
            checkins.append(row)
        if len(checkins) >= FLUSH_EVERY:  # written as we go: memory stays bounded
            _write(session, program.id, outbox, checkins, now=now, stats=stats)
    _write(session, program.id, outbox, checkins, now=now, stats=stats)
    if stats.planned > planned_before:
        log.info("planned %d nudges for program %s", stats.planned - planned_before, program.id)


def _write(
    session: Session,
    program_id: int,
    outbox: list[Outgoing],
    checkins: list[dict[str, object]],
    *,
    now: datetime,
    stats: PlanStats,
) -> None:
    """Store planned nudges and their check-in rows, then empty both lists."""
    enqueue_many(session, outbox, now=now, program_id=program_id)
    insert_ignoring_conflicts(
        session, CheckIn, checkins, conflict=["pair_id", "member_id", "cycle_on"]
    )
    stats.planned += len(checkins)
    outbox.clear()
    checkins.clear()


def _nudge(
    program: Program,
    person: repo.PairPerson,
    wall: datetime,
    cycle: str,
    due: datetime,
    partners: str,
    stale: timedelta,
) -> tuple[Outgoing, dict[str, object]]:
    """One person's nudge for one cycle: the outbox message and the check-in row."""
    # Rendered when sent: planning stays cheap and rewording applies to queued nudges.
    args = {
        "name": person.display_name or person.user_id,
        "partners": partners,
        "cycle": cycle,
        "pair": person.pair_id,
    }
    nudge = Outgoing(
        dedupe_key=nudge_key(person.pair_id, person.member_id, cycle),
        target=Target(program.platform, program.workspace_id, "user", (person.user_id,)),
        not_before=due,
        render=(NUDGE_RENDERER, args),
        expires_at=due + stale,
    )
    row: dict[str, object] = {
        "pair_id": person.pair_id,
        "member_id": person.member_id,
        "cycle_on": wall.date(),
        "due_at": due,
        "outcome": CheckInOutcome.PENDING,
        "note": "",
    }
    return nudge, row


class _RulesCache:
    """A person's timing rules, built once per distinct zone, quiet hours and availability
    (availability JSON is decoded once per distinct value).
    """

    def __init__(self, default_timezone: str) -> None:
        self.default_timezone = default_timezone
        self.cache: dict[tuple[str | None, ...], LocalRules] = {}

    def __call__(self, person: repo.PairPerson) -> LocalRules:
        key = (person.timezone, person.quiet_start, person.quiet_end, person.availability_json)
        rules = self.cache.get(key)
        if rules is None:
            raw = person.availability_json
            windows = json.loads(raw) if raw else []
            rules = self.cache[key] = LocalRules.of(
                person.timezone,
                person.quiet_start,
                person.quiet_end,
                windows,
                default_timezone=self.default_timezone,
            )
        return rules


@dataclass
class _Window:
    """Which nudges to plan now: due within the horizon, not too stale, not before the first
    check-in after the introduction, and not during a break. Instants are cached per wall
    time and set of rules (many people share them).
    """

    now: datetime
    stale: timedelta
    first_after: timedelta
    cache: dict[tuple[datetime, LocalRules], datetime] = field(default_factory=dict)

    def due(
        self, person: repo.PairPerson, wall: datetime, rules: LocalRules, stats: PlanStats
    ) -> datetime | None:
        instant = self.cache.get((wall, rules))
        if instant is None:
            instant = self.cache[(wall, rules)] = nudge_instant(wall, rules)
        if instant > self.now + HORIZON:
            return None
        if instant < self.now - self.stale:
            if instant >= self.now - self.stale - timedelta(days=1):
                stats.dropped_stale += 1  # missed lately (downtime), not long since handled
            return None
        # The rule status and App Home use too (the instant above is its first step, cached).
        return nudge_due(
            wall,
            rules,
            started_at=person.pair_started_at,
            first_after=self.first_after,
            paused_until=person.paused_until,
            paused=person.status == MemberStatus.PAUSED,
            instant=instant,
        )


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
