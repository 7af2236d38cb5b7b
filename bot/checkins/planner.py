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
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.meetings.asking import meeting_questions
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts, language_args
from bot.replies import Button, Buttons, Context, Message, Section
from bot.time.cadence import first_checkin_after, program_rule
from bot.time.format import local_when
from bot.time.holidays import DaysOff
from bot.time.nudges import (
    MAX_MOVE,
    LocalRules,
    nudge_instant,
    pair_takes_cycle,
    superseded,
)
from bot.time.zones import get_zone, zone_label
from storage import checkins as checkins_db
from storage import outbox as outbox_db
from storage import pairs as pairs_db
from storage import repo
from storage.bulk import bind_value, collector_paused, insert_tuples_ignoring_conflicts
from storage.models import (
    CheckIn,
    CheckInOutcome,
    MemberStatus,
    OutboxStatus,
    Program,
    Role,
)

log = logging.getLogger(__name__)

HORIZON = timedelta(hours=36)
QUEUE_AHEAD = timedelta(minutes=15)  # nudges enter the outbox this long before they are due
PAIRS_AT_ONCE = 10_000  # pairs planned (read, checked and written) at a time
QUEUE_BATCH = 5_000  # nudges queued per statement
RulesKey = tuple[str | None, ...]  # zone, quiet start and end, availability (raw JSON), country

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
    prompts: Prompts,
    *,
    name: str,
    partners: str,
    cycle: str,
    pair_id: int | None = None,
    first: bool = False,
    meeting: tuple[str, str] | None = None,
) -> Message:
    """The "did you meet?" message for one pair and cycle; its buttons name both (``first``:
    the pair's first cycle, asked about the time since they were introduced; ``meeting``:
    the booked meeting it asks about, as its local time and zone label).
    """
    pair = f" pair:{pair_id}" if pair_id is not None else ""
    buttons = tuple(
        Button(prompts.text(label), f"checkin {outcome}{pair} {cycle}", style)  # type: ignore[arg-type]
        for outcome, label, style in OUTCOME_BUTTONS
    )
    key = "checkin.nudge_first" if first else "checkin.nudge"
    question = prompts.render(key, name=name, partner=partners)
    if meeting is not None:
        when, zone = meeting
        question = prompts.render(
            "checkin.nudge_meeting", name=name, partner=partners, when=when, zone=zone
        )
    return Message(
        (
            Section(question),
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
        first=bool(args.get("first")),
        meeting=_meeting_of(args, prompts.locale),
    )


def _meeting_of(args: dict[str, Any], locale: str) -> tuple[str, str] | None:
    """The booked meeting a nudge asks about, in the person's zone and language (rendered
    when sent).
    """
    if not args.get("meeting"):
        return None
    zone = str(args.get("zone") or "UTC")
    when = datetime.fromisoformat(args["meeting"])
    return local_when(when, get_zone(zone), locale), zone_label(zone)


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
    days_off = DaysOff(settings.program.closed_dates)  # holidays read once per region and year
    for program in programs if programs is not None else repo.programs(session=session):
        assert program.id is not None
        rule = program_rule(program)  # a program with rounds: one check-in per round
        first_after = first_checkin_after(program, settings.checkins.first_checkin_after_days)
        # Wall times two days either side of the window cover every zone's offset; a nudge
        # moved by days belongs to a wall time up to MAX_MOVE before its instant.
        lo = (now - stale - MAX_MOVE - timedelta(days=2)).replace(tzinfo=None)
        hi = (now + HORIZON + timedelta(days=2)).replace(tzinfo=None)
        walls = rule.between(lo, hi, inc=True)
        following = [*walls[1:], rule.after(walls[-1]) if walls else None]
        nexts = dict(zip(walls, following, strict=False))  # each wall's next occurrence
        if program.ends_on is not None:  # no nudges after the program's last day
            walls = [w for w in walls if w.date() <= program.ends_on]
            nexts = {w: n if n and n.date() <= program.ends_on else None for w, n in nexts.items()}
        if not walls:
            continue
        _plan_program(
            session,
            program,
            walls,
            nexts,
            now=now,
            stale=stale,
            first_after=first_after,
            stats=stats,
            default_timezone=settings.program.default_timezone,
            days_off=days_off,
        )
    stats.queued = queue_due_nudges(session, now=now, settings=settings)
    return stats


def _plan_program(
    session: Session,
    program: Program,
    walls: list[datetime],
    nexts: dict[datetime, datetime | None],
    *,
    now: datetime,
    stale: timedelta,
    first_after: timedelta,
    stats: PlanStats,
    default_timezone: str,
    days_off: DaysOff,
) -> None:
    """Plan the program's check-ins, ``PAIRS_AT_ONCE`` pairs at a time (memory stays flat
    at any size); instants are computed once per distinct timing rules for all of them
    (``nexts``: each wall time's next occurrence, which its moved nudge must stay before).
    """
    assert program.id is not None
    pair_ids = pairs_db.active_pair_ids(session=session, program_id=program.id)
    instants = _Instants(
        walls, nexts, now=now, stale=stale, default_timezone=default_timezone, days_off=days_off
    )
    planned_before = stats.planned
    for start in range(0, len(pair_ids), PAIRS_AT_ONCE):
        chunk = pair_ids[start : start + PAIRS_AT_ONCE]
        _plan_pairs(session, program.id, chunk[0], chunk[-1], instants, first_after, stats)
    if stats.planned > planned_before:
        log.info("planned %d check-ins for program %s", stats.planned - planned_before, program.id)


def _plan_pairs(
    session: Session,
    program_id: int,
    first: int,
    last: int,
    instants: _Instants,
    first_after: timedelta,
    stats: PlanStats,
) -> None:
    """Plan the check-ins of the program's active pairs with ids from ``first`` to ``last``."""
    people = checkins_db.active_pair_people(
        session=session, program_id=program_id, first=first, last=last
    )
    existing = checkins_db.planned_checkins(
        session=session, program_id=program_id, days=instants.days, first=first, last=last
    )
    # A mentor's break pauses their pairs: neither of the pair is asked until they are back.
    away = {
        p.pair_id: p.paused_until
        for p in people
        if p.role == Role.MENTOR and p.status == MemberStatus.PAUSED
    }
    groups: dict[RulesKey, list[checkins_db.PairPerson]] = defaultdict(list)
    pair_rules: dict[int, list[RulesKey]] = defaultdict(list)  # everyone's, for the first cycle
    for person in people:
        key = _rules_key(person)
        pair_rules[person.pair_id].append(key)
        if person.status != MemberStatus.LEFT:
            groups[key].append(person)
    del people
    pending = str(CheckInOutcome.PENDING)
    rows: list[tuple[object, ...]] = []
    takes: dict[tuple[int, str], bool] = {}  # (pair, cycle) -> is one of the pair's cycles
    for rules_key, members in groups.items():
        planned, stale_walls = instants.of(session, rules_key)
        stats.dropped_stale += stale_walls * len(members)
        for iso, wall, due, stored in planned:
            for p in members:
                if (p.pair_id, p.member_id, iso) in existing:
                    continue
                # The rule status and App Home share (bot.time.nudges.nudge_due): the
                # pair's first cycle is everyone's in it, east or west of UTC.
                took = takes.get((p.pair_id, iso))
                if took is None:
                    took = takes[(p.pair_id, iso)] = instants.pair_takes(
                        wall, pair_rules[p.pair_id], p.pair_started_at, first_after
                    )
                if not took:
                    continue
                if p.status == MemberStatus.PAUSED and (
                    p.paused_until is None or p.paused_until > due
                ):
                    continue
                back = away.get(p.pair_id, due)
                if p.pair_id in away and (back is None or back > due):
                    continue
                rows.append((p.pair_id, p.member_id, *stored, pending, ""))
    _write(session, rows, stats)


def _rules_key(person: checkins_db.PairPerson) -> RulesKey:
    """What a person's nudge instants depend on: zone, quiet hours, availability, country."""
    return (
        person.timezone,
        person.quiet_start,
        person.quiet_end,
        person.availability_json,
        person.country,
    )


class _Instants:
    """Per distinct timing rules (zone, quiet hours, availability): the occurrences to plan,
    as (ISO day of the cycle, its wall time, nudge instant, both as stored), and how many
    occurrences were missed lately (stale after downtime: dropped, not sent late). Computed
    once each. An occurrence whose moved nudge lands on or after the next one's is not planned
    (:func:`bot.time.nudges.superseded`).
    """

    def __init__(
        self,
        walls: list[datetime],
        nexts: dict[datetime, datetime | None],
        *,
        now: datetime,
        stale: timedelta,
        default_timezone: str,
        days_off: DaysOff,
    ) -> None:
        self.walls = walls
        self.nexts = nexts
        self.days_off = days_off
        self.days = [w.date() for w in walls]
        self.now = now
        self.stale = stale
        self.default_timezone = default_timezone
        self._known: dict[RulesKey, tuple[list[tuple[str, datetime, datetime, Any]], int]]
        self._known = {}
        self._rules: dict[RulesKey, LocalRules] = {}

    def of(
        self, session: Session, key: RulesKey
    ) -> tuple[list[tuple[str, datetime, datetime, Any]], int]:
        """The occurrences to plan for people with these rules (ISO day, wall time, instant,
        both as stored), and the stale ones' count.
        """
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._compute(session, key)
        return known

    def pair_takes(
        self,
        wall: datetime,
        everyone: list[RulesKey],
        started_at: datetime | None,
        first_after: timedelta,
    ) -> bool:
        """Whether ``wall`` is one of the cycles of a pair whose people have these rules
        (:func:`bot.time.nudges.pair_takes_cycle`, the rules decoded once).
        """
        rules = [self.rules(key) for key in everyone]
        return pair_takes_cycle(wall, rules, started_at=started_at, first_after=first_after)

    def rules(self, key: RulesKey) -> LocalRules:
        """The timing rules a key stands for (decoded once)."""
        rules = self._rules.get(key)
        if rules is None:
            zone, quiet_start, quiet_end, availability, country = key
            rules = self._rules[key] = LocalRules.of(
                zone,
                quiet_start,
                quiet_end,
                json.loads(availability) if availability else [],
                default_timezone=self.default_timezone,
                country=country,
                days_off=self.days_off,
            )
        return rules

    def _compute(
        self, session: Session, key: RulesKey
    ) -> tuple[list[tuple[str, datetime, datetime, Any]], int]:
        planned, stale_walls = [], 0
        rules = self.rules(key)
        for wall in self.walls:
            instant = nudge_instant(wall, rules)
            if instant > self.now + HORIZON or superseded(wall, self.nexts.get(wall), rules):
                continue
            if instant < self.now - self.stale:
                # Missed lately (downtime) counts as dropped; long since handled does not.
                stale_walls += instant >= self.now - self.stale - timedelta(days=1)
                continue
            # Shared by everyone with these rules: converted for the database once.
            stored = (
                bind_value(session, CheckIn, "cycle_on", wall.date()),
                bind_value(session, CheckIn, "due_at", instant),
            )
            planned.append((wall.date().isoformat(), wall, instant, stored))
        return planned, stale_walls


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
    with collector_paused():
        return _queue(
            session,
            now=now,
            stale=timedelta(hours=settings.checkins.stale_after_hours),
            ahead=ahead,
            default_zone=settings.program.default_timezone,
        )


def _queue(
    session: Session, *, now: datetime, stale: timedelta, ahead: timedelta, default_zone: str
) -> int:
    queued = 0
    while True:
        batch = checkins_db.to_queue(
            session=session, since=now - stale, until=now + ahead, limit=QUEUE_BATCH
        )
        if not batch:
            return queued
        names = checkins_db.pair_names(session=session, pair_ids=[r.pair_id for r in batch])
        firsts = checkins_db.first_cycles(session=session, pair_ids=[r.pair_id for r in batch])
        meetings = meeting_questions(session, batch, default_zone=default_zone)
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
                "first": firsts.get(row.pair_id) == row.cycle_on,
                **meetings.get(row.checkin_id, {}),
                **language_args(row),
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
    ended: bool = False,
) -> int:
    """Remove planned, unanswered nudges still in the future (a pause, a pair that ended).

    Both the check-in and its unsent outbox row go, so the planner can plan that cycle again
    if the person comes back in time. For pairs that ``ended`` the check-ins due already but
    never queued go too: nobody will be asked them, so no digest or report counts them.
    """
    found = checkins_db.future_pending_keys(
        session=session, now=now, pair_ids=pair_ids, member_id=member_id, unqueued=ended
    )
    checkins_db.delete(session=session, ids=[checkin for checkin, _, _, _ in found])
    outbox_db.delete_pending(
        session=session,
        keys=[nudge_key(pair, member, str(day)) for _, pair, member, day in found if day],
    )
    return len(found)


def withdraw_ended_pairs_nudges(session: Session, *, now: datetime, pair_ids: list[int]) -> int:
    """Pairs that ended: their future nudges go, and so do nudges already due but still unsent
    (queued a few minutes ahead, or due the very instant the pair ended), with their check-ins.
    """
    withdrawn = withdraw_future_nudges(session, now=now, pair_ids=pair_ids, ended=True)
    pending = checkins_db.future_pending_keys(
        session=session, now=datetime.min.replace(tzinfo=UTC), pair_ids=pair_ids, member_id=None
    )
    by_key = {nudge_key(pair, member, str(day)): row for row, pair, member, day in pending if day}
    unsent = [
        row.dedupe_key
        for start in range(0, len(by_key), 500)
        for row in outbox_db.pending_by_keys(
            session=session, keys=list(by_key)[start : start + 500]
        )
    ]
    checkins_db.delete(session=session, ids=[by_key[key] for key in unsent])
    outbox_db.delete_pending(session=session, keys=unsent)
    return withdrawn + len(unsent)


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
            pairs = pairs_db.active_pair_ids(session=session, program_id=program.id)
            withdrawn += withdraw_future_nudges(session, now=now, pair_ids=pairs)
    else:
        for member_id in member_ids:
            withdrawn += withdraw_future_nudges(session, now=now, member_id=member_id)
    session.flush()
    plan_nudges(session, now=now, settings=settings, prompts=prompts, programs=programs)
    return withdrawn
