"""The end of a program: pairs close, nudges stop, and everyone gets one wrap-up message.

A program with an end date closes once its last day is over everywhere (the day after
``ends_on`` at noon UTC, when it is past midnight even at UTC-12). Then, once: every active
pair ends ("program ended", :func:`bot.pairs.lifecycle.end_pairs`: nudges are withdrawn and
closure records who is to be asked), and every member still in the program gets one DM at the
program's check-in hour in their own zone (moved to a sensible hour outside quiet hours and
weekends), by what the program was for them:

- paired at the end: thanks, and for each pair that just closed what they did together with
  buttons to rate it (a mentee may thank the mentor) and keep in touch; this *is* their
  closing message (:mod:`bot.closure`), so no second one follows;
- paired earlier only (a partner left, was forgotten, or the pair ended early): thanks and
  what they did, the partners named (a forgotten one as "a partner who left");
- never paired: thanks for joining, that no match was found and, when the last round said
  why, the reason.

Only facts that are not zero are shown. The end-of-program survey is not offered here: the
surveys capability invites everyone once, on the last day. The planner never plans a nudge
for a cycle after ``ends_on``. Re-running changes nothing: pairs are already ended and DMs
have dedupe keys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.closure.message import wrapup_parts
from bot.closure.together import Partner, name_of, partners_of
from bot.config import Settings
from bot.delivery import Target
from bot.outbox import enqueue
from bot.pairs.lifecycle import EndReason, end_pairs
from bot.prompts import Prompts
from bot.registry import Registry
from bot.replies import Context, Message, Part, Section
from bot.spans import Text
from bot.time.nudges import LocalRules, next_sensible, nudge_instant
from storage import goals as goals_db
from storage import outbox as outbox_db
from storage import pairs as pairs_db
from storage import repo
from storage.models import GoalStatus, MatchRun, Member, Pair, PairStatus, Person, Program

CATCH_UP = timedelta(days=14)  # a bot down longer than this after the end sends no wrap-up


def cohort_key(program: Program, kind: str) -> str:
    """The prefix of the outbox keys of one cohort's ``kind`` of end message: a program run
    again (new ``starts`` and ``ends``) is a new cohort, whose people hear its end too.
    """
    assert program.ends_on is not None
    return f"{kind}:{program.id}:{program.ends_on.isoformat()}:"


def in_this_cohort(program: Program, pair: Pair) -> bool:
    """Whether ``pair`` took part in the program's current run: it started, and was still
    going on or after ``starts`` (a pair introduced a few days early counts; the pairs that
    ended with an earlier run do not).
    """
    if pair.started_at is None:
        return False
    if program.starts_on is None or pair.ended_at is None:
        return True
    return pair.ended_at.date() >= program.starts_on


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
    # The job runs every quarter hour during the catch-up window: skip whoever already has
    # their wrap-up queued before reading their meetings and goals (the key stays 400 days).
    prefix = cohort_key(program, "wrapup")
    done = outbox_db.keys_with_prefix(session=session, prefix=prefix)
    # Before 0.3.0 the key named the program only: a wrap-up queued then is not sent again.
    done |= {
        f"{prefix}{k.rsplit(':', 1)[1]}"
        for k in outbox_db.keys_with_prefix(session=session, prefix=f"wrapup:{program.id}:")
        if k.count(":") == 2
    }
    unmatched = _last_unmatched(session, program.id)
    day = datetime.combine(program.ends_on + timedelta(days=1), time(program.checkin_hour))
    queued = 0
    for member, person in members:
        assert member.id is not None
        if f"{prefix}{member.id}" in done:
            continue
        rules = LocalRules.for_person(person, default_timezone=settings.program.default_timezone)
        theirs = prompts.for_person(person)
        message = _message(session, program, member, person, theirs, now, unmatched)
        row = enqueue(
            session,
            dedupe_key=f"{prefix}{member.id}",
            target=Target(
                program.platform, program.workspace_id, "user", (person.platform_user_id,)
            ),
            message=message,
            not_before=next_sensible(max(nudge_instant(day, rules), now), rules),
            now=now,
            program_id=program.id,
        )
        queued += row is not None
    return queued


def _message(
    session: Session,
    program: Program,
    member: Member,
    person: Person,
    prompts: Prompts,
    now: datetime,
    unmatched: dict[int, str],
) -> Message:
    """The wrap-up for one person: paired at the end, paired earlier only, or never paired."""
    assert member.id is not None
    pairs = [
        p
        for p in pairs_db.pairs_of_members(session=session, member_ids=[member.id])
        if p.status == PairStatus.ENDED and in_this_cohort(program, p)
    ]
    ending = [p for p in pairs if p.end_reason == EndReason.PROGRAM_ENDED]
    thanks = prompts.render("wrapup.thanks", name=person.display_name, program=program.name)
    if ending:
        parts: list[Part] = [Section(thanks), Section(prompts.render("closure.ask"))]
        parts += wrapup_parts(session, prompts, pairs=ending, member=member, now=now)
        parts.append(Context(prompts.render("wrapup.closing")))
        return Message(tuple(parts))
    if pairs:
        parts = [Section(thanks)]
        parts += _numbers(session, prompts, member.id, pairs)
        parts.append(Context(prompts.render("wrapup.closing_earlier")))
        return Message(tuple(parts))
    parts = [
        Section(prompts.render("wrapup.unpaired", name=person.display_name, program=program.name))
    ]
    reason = unmatched.get(member.id)
    if reason is not None:
        why = prompts.render(f"match.unmatched_reason.{reason}")
        parts.append(Section(prompts.render("wrapup.unpaired_why", reason=why)))
    parts += _goals_line(session, prompts, member.id)
    return Message(tuple(parts))


def _numbers(session: Session, prompts: Prompts, member_id: int, pairs: list[Pair]) -> list[Part]:
    """What someone whose pairs ended before the program did did in it:
    meetings held and goals, only those that are not zero, and who with.
    """
    ids = [p.id for p in pairs if p.id is not None]
    partners: list[Partner] = [
        x for pair_id in ids for x in partners_of(session, pair_id, member_id)
    ]
    meetings = len(pairs_db.met_cycles(session=session, pair_ids=ids))
    with_whom = name_of(prompts, partners)
    parts: list[Part] = []
    if meetings:
        parts.append(
            Section(prompts.render("wrapup.meetings", meetings=meetings, partners=with_whom))
        )
    else:
        parts.append(Section(prompts.render("wrapup.partners", partners=with_whom)))
    return parts + _goals_line(session, prompts, member_id)


def _goals_line(session: Session, prompts: Prompts, member_id: int) -> list[Part]:
    """Their goals, only when they set some: reached of set, or how many they set."""
    goals = [
        g.status
        for g in goals_db.goals_of(session=session, member_id=member_id)
        if g.status != GoalStatus.DROPPED
    ]
    if not goals:
        return []
    reached = sum(1 for g in goals if g == GoalStatus.DONE)
    if reached:
        text = prompts.render(
            "wrapup.goals_reached", done=Text.trusted(str(reached)), goals=len(goals)
        )
    else:
        text = prompts.render("wrapup.goals_set", goals=len(goals))
    return [Section(text)]


def _last_unmatched(session: Session, program_id: int) -> dict[int, str]:
    """Member id -> why the newest published round left them out (a reason code)."""
    runs = pairs_db.published_run_ids(session=session, program_id=program_id)
    run = session.get(MatchRun, runs[0]) if runs else None
    if run is None:
        return {}
    return {int(m): str(r) for m, r in run.summary.get("unmatched", [])}
