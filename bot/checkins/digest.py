"""The admins' weekly digest: meetings planned vs held, stalled pairs, undeliverable messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from bot.config import WEEKDAYS, Settings
from bot.delivery import Target
from bot.localtime import localize
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.replies import Context, Fields, Message, Part, Section
from bot.text import Text
from bot.timezones import get_zone
from storage.models import (
    CheckIn,
    CheckInOutcome,
    Member,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairMember,
    PairStatus,
    Person,
    Program,
)

SHOWN = 10


@dataclass
class ProgramNumbers:
    """One program's numbers for a period, as the digest shows them."""

    active_pairs: int
    planned: int
    met: int
    answered: int
    stalled: list[tuple[str, str]]  # (names, reason)
    parked: int
    parked_examples: list[str]
    pairs_met: int = 0


def in_window(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Check-ins that belong to [since, until), whatever the path they came by.

    A nudge belongs to the time it was due; a meeting logged without a nudge (typed, or
    answered ahead of a nudge not due yet) to the time it was recorded.
    """
    due = col(CheckIn.due_at)
    recorded = col(CheckIn.recorded_at)
    return or_(
        and_(due >= since, due < until),
        and_(or_(due.is_(None), due >= until), recorded >= since, recorded <= until),
    )


def numbers(
    session: Session, program: Program, *, since: datetime, now: datetime
) -> ProgramNumbers:
    """Counts for one program over [since, now)."""
    assert program.id is not None
    active = session.exec(
        select(func.count())
        .select_from(Pair)
        .where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
    ).one()
    rows = session.exec(
        select(CheckIn.pair_id, CheckIn.outcome)
        .join(Pair, col(Pair.id) == col(CheckIn.pair_id))
        .where(Pair.program_id == program.id, in_window(since, now))
    ).all()
    counts: dict[str, int] = {}
    met_pairs: set[int] = set()
    for pair_id, outcome in rows:
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == CheckInOutcome.MET:
            met_pairs.add(pair_id)
    planned = sum(counts.values())
    met = counts.get(CheckInOutcome.MET, 0)
    answered = planned - counts.get(CheckInOutcome.PENDING, 0)
    stalled_pairs = session.exec(
        select(Pair)
        .where(
            Pair.program_id == program.id,
            Pair.status == PairStatus.ACTIVE,
            col(Pair.stalled_since).is_not(None),
        )
        .order_by(col(Pair.stalled_since))
    ).all()
    stalled = []
    for pair in stalled_pairs:
        names = session.exec(
            select(Person.display_name)
            .join(Member, col(Member.person_id) == col(Person.id))
            .join(PairMember, col(PairMember.member_id) == col(Member.id))
            .where(PairMember.pair_id == pair.id)
        ).all()
        stalled.append((" & ".join(names), pair.stall_reason or "no_meeting"))
    parked_rows = session.exec(
        select(OutboxMessage.target_ids, OutboxMessage.last_error)
        .where(OutboxMessage.program_id == program.id, OutboxMessage.status == OutboxStatus.PARKED)
        .order_by(col(OutboxMessage.id).desc())
    ).all()
    examples = [f"{', '.join(ids)}: {error}" for ids, error in parked_rows[:3]]
    return ProgramNumbers(
        active, planned, met, answered, stalled, len(parked_rows), examples, len(met_pairs)
    )


def meetings_by_pair(session: Session, pair_ids: list[int]) -> dict[int, tuple[int, date | None]]:
    """Pair -> (meetings held, last meeting day): distinct cycles anyone in it said "met"."""
    if not pair_ids:
        return {}
    rows = session.execute(
        sa_select(col(CheckIn.pair_id), col(CheckIn.cycle_on))
        .where(col(CheckIn.pair_id).in_(pair_ids), col(CheckIn.outcome) == CheckInOutcome.MET)
        .distinct()
    ).all()
    out: dict[int, tuple[int, date | None]] = {}
    for pair_id, day in rows:
        count, last = out.get(pair_id, (0, None))
        out[pair_id] = (count + 1, max(filter(None, (last, day)), default=None))
    return out


def digest_message(prompts: Prompts, program: Program, n: ProgramNumbers) -> Message:
    """The digest as a message: pairs, meetings, answers, stalled pairs, parked messages."""
    pct = f"{round(100 * n.met / n.planned)}%" if n.planned else "-"
    parts: list[Part] = [
        Section(prompts.render("digest.header", program=program.name)),
        Fields(
            (
                (prompts.text("digest.label.pairs"), Text.trusted(str(n.active_pairs))),
                (
                    prompts.text("digest.label.meetings"),
                    prompts.render(
                        "digest.meetings",
                        met=Text.trusted(str(n.met)),
                        planned=Text.trusted(str(n.planned)),
                        percent=Text.trusted(pct),
                    ),
                ),
                (prompts.text("digest.label.answered"), Text.trusted(f"{n.answered}/{n.planned}")),
                (
                    prompts.text("digest.label.pairs_met"),
                    prompts.render(
                        "digest.pairs_met",
                        met=Text.trusted(str(n.pairs_met)),
                        pairs=Text.trusted(str(n.active_pairs)),
                    ),
                ),
            )
        ),
    ]
    if n.stalled:
        parts.append(
            Section(
                prompts.render("digest.stalled_header", count=Text.trusted(str(len(n.stalled))))
            )
        )
        parts.append(
            Fields(
                tuple(
                    (names, prompts.render(f"digest.stall_reason.{reason}"))
                    for names, reason in n.stalled[:SHOWN]
                )
            )
        )
    else:
        parts.append(Context(prompts.render("digest.no_stalled")))
    if n.parked:
        parts.append(
            Section(
                prompts.render(
                    "digest.parked",
                    count=Text.trusted(str(n.parked)),
                    examples="; ".join(n.parked_examples),
                )
            )
        )
    return Message(tuple(parts))


def queue_digests(session: Session, *, now: datetime, settings: Settings, prompts: Prompts) -> int:
    """Queue this week's digest to each admin at the configured local weekday and hour."""
    weekday = WEEKDAYS.index(settings.checkins.digest_weekday.lower())
    queued = 0
    for program in session.exec(select(Program)).all():
        for admin_id in settings.admins.for_platform(program.platform):
            person = session.exec(
                select(Person).where(
                    Person.platform == program.platform, Person.platform_user_id == admin_id
                )
            ).first()
            tz = get_zone(
                person.timezone if person and person.timezone else settings.program.default_timezone
            )
            local = now.astimezone(tz).replace(tzinfo=None)
            monday = (local - timedelta(days=local.weekday())).date()
            wall = datetime(monday.year, monday.month, monday.day, settings.checkins.digest_hour)
            due = localize(wall + timedelta(days=weekday), tz)
            if now < due or due < program.created_at:
                continue  # not due yet, or due before the program existed
            week = monday.isocalendar()
            key = f"digest:{program.id}:{week[0]}-W{week[1]:02d}:{admin_id}"
            if (
                session.exec(
                    select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
                ).first()
                is not None
            ):
                continue
            n = numbers(session, program, since=now - timedelta(days=7), now=now)
            row = enqueue(
                session,
                dedupe_key=key,
                target=Target(program.platform, program.workspace_id, "user", (admin_id,)),
                message=digest_message(prompts, program, n),
                not_before=now,
                now=now,
                program_id=program.id,
            )
            queued += row is not None
    return queued
