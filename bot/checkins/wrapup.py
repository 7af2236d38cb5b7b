"""The end of a program: pairs close, nudges stop, and everyone gets thanks and a summary.

A program with an end date closes once its last day is over everywhere (the day after
``ends_on`` at noon UTC, when it is past midnight even at UTC-12). Then, once: every active
pair ends ("program ended") and its unsent nudges are withdrawn; every member still in the
program gets a DM at the program's check-in hour in their own zone (moved out of quiet hours
and weekends) with thanks, what they did (meetings held, goals set and reached) and, if they
have not answered it, the end-of-program survey. The planner never plans a nudge for a cycle
after ``ends_on``. Re-running changes nothing: pairs are already ended and DMs have dedupe keys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.outbox import enqueue
from bot.pairs.lifecycle import EndReason, end_pairs
from bot.prompts import Prompts
from bot.registry import Registry
from bot.replies import Button, Buttons, Context, Message, Part, Section
from bot.spans import Text
from bot.time.nudges import LocalRules, nudge_instant
from storage import goals as goals_db
from storage import outbox as outbox_db
from storage import pairs as pairs_db
from storage import repo
from storage import surveys as surveys_db
from storage.models import (
    GoalStatus,
    Member,
    Person,
    Program,
)

CATCH_UP = timedelta(days=14)  # a bot down longer than this after the end sends no wrap-up


def closes_at(ends_on: date) -> datetime:
    """The instant the last day is over in every zone (UTC-12 included)."""
    return datetime.combine(ends_on + timedelta(days=1), time(12), UTC)


def has_ended(program: Program, now: datetime) -> bool:
    """Whether the program's last day is over everywhere."""
    return program.ends_on is not None and now >= closes_at(program.ends_on)


def wrap_up(
    session: Session, *, now: datetime, settings: Settings, prompts: Prompts, registry: Registry
) -> int:
    """Close every program whose end has passed (within the catch-up window); returns the
    number of wrap-up messages queued.
    """
    queued = 0
    programs = repo.programs(session=session, ending=True)
    for program in programs:
        assert program.ends_on is not None and program.id is not None
        closes = closes_at(program.ends_on)
        if not closes <= now < closes + CATCH_UP:
            continue
        queued += _wrap_program(
            session, program, now=now, settings=settings, prompts=prompts, registry=registry
        )
    return queued


def _wrap_program(
    session: Session,
    program: Program,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    registry: Registry,
) -> int:
    assert program.id is not None and program.ends_on is not None
    active = pairs_db.active_pairs(session=session, program_id=program.id)
    end_pairs(session, registry, active, reason=EndReason.PROGRAM_ENDED, now=now)
    members = pairs_db.members_with_people(
        session=session, program_id=program.id, statuses=pairs_db.STAYING
    )
    answered = surveys_db.survey_respondents(session=session, program_id=program.id, survey="end")
    # The job runs every quarter hour during the catch-up window: skip whoever already has
    # their wrap-up queued before reading their meetings and goals (the key stays 400 days).
    prefix = f"wrapup:{program.id}:"
    done = outbox_db.keys_with_prefix(session=session, prefix=prefix)
    queued = 0
    for member, person in members:
        assert member.id is not None
        if f"{prefix}{member.id}" in done:
            continue
        survey_open = member.id not in answered and _survey_still_open(
            program, person, settings, now
        )
        rules = LocalRules.for_person(person, default_timezone=settings.program.default_timezone)
        day = program.ends_on + timedelta(days=1)
        due = nudge_instant(datetime.combine(day, time(program.checkin_hour)), rules)
        row = enqueue(
            session,
            dedupe_key=f"{prefix}{member.id}",
            target=Target(
                program.platform, program.workspace_id, "user", (person.platform_user_id,)
            ),
            message=_summary(session, program, member, person, prompts, settings, survey_open),
            not_before=max(due, now),
            now=now,
            program_id=program.id,
        )
        queued += row is not None
    return queued


def _survey_still_open(program: Program, person: Person, settings: Settings, now: datetime) -> bool:
    assert program.ends_on is not None
    closes = program.ends_on + timedelta(days=settings.surveys.open_days)
    return now.astimezone(_zone(person, settings)).date() <= closes


def _summary(
    session: Session,
    program: Program,
    member: Member,
    person: Person,
    prompts: Prompts,
    settings: Settings,
    survey_open: bool,
) -> Message:
    """Thanks, the person's meetings and goals, and the end survey if they haven't answered."""
    assert member.id is not None and program.ends_on is not None
    meetings, partners = _meetings_of(session, member.id)
    goals = [g.status for g in goals_db.goals_of(session=session, member_id=member.id)]
    parts: list[Part] = [
        Section(prompts.render("wrapup.thanks", name=person.display_name, program=program.name)),
        Section(
            prompts.render(
                "wrapup.summary",
                meetings=Text.trusted(str(meetings)),
                partners=", ".join(partners) or "-",
                goals=Text.trusted(str(sum(1 for g in goals if g != GoalStatus.DROPPED))),
                done=Text.trusted(str(sum(1 for g in goals if g == GoalStatus.DONE))),
            )
        ),
    ]
    if survey_open:
        closes = program.ends_on + timedelta(days=settings.surveys.open_days)
        parts.append(Section(prompts.render("wrapup.survey", day=Text.trusted(closes.isoformat()))))
        parts.append(
            Buttons((Button(prompts.text("button.survey_start"), "survey end", "primary"),))
        )
    parts.append(Context(prompts.render("wrapup.closing")))
    return Message(tuple(parts))


def _zone(person: Person, settings: Settings):  # type: ignore[no-untyped-def]
    from bot.time.zones import get_zone

    return get_zone(person.timezone or settings.program.default_timezone)


def _meetings_of(session: Session, member_id: int) -> tuple[int, list[str]]:
    """Meetings held in all of ``member_id``'s pairs (distinct cycles anyone said "met"), and
    the names of the partners they had.
    """
    pair_ids = pairs_db.pair_ids_of(session=session, member_id=member_id)
    met = pairs_db.met_cycles(session=session, pair_ids=pair_ids)
    names = [
        row.display_name
        for row in pairs_db.names_in_pairs(session=session, pair_ids=pair_ids)
        if row.member_id != member_id
    ]
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return len(met), seen
