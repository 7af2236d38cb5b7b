"""The rounds pulse job: schedules each program's next round and moves every round along.

A round is told to its people a day before (:data:`NOTICE_BEFORE`), matched at its due time
(peer programs re-pair everyone, mentoring programs match whoever waits; people sitting it
out are left out of the pool), then published on its own (``auto``) or sent to the admins
with a Publish button and a reminder once (``preview``). A preview still unpublished when
the next round is matched is superseded. Each step is one conditional UPDATE of the round's
status in the job's transaction, so a rerun, a restart or a second process takes no step
twice: the database is the truth.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.checkins.wrapup import has_ended
from bot.config import Settings
from bot.delivery import Target
from bot.matching.preview import preview_message
from bot.matching.publish import Published, publish
from bot.matching.rounds import Proposal, load_proposal, propose
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.registry import JobContext, Registry, registry_of_job
from bot.replies import Button, Buttons, Message, Part, Section
from bot.rounds.notices import queue_notices, tell_skipped
from bot.rounds.schedule import NOTICE_BEFORE, REMIND_AFTER, next_due, program_zone
from bot.spans import Text
from bot.time.format import local_when
from bot.time.zones import get_zone
from storage import pairs as pairs_db
from storage import repo
from storage import rounds as rounds_db
from storage.models import (
    MatchRun,
    Program,
    ProgramKind,
    Round,
    RoundPublish,
    RoundStatus,
)

log = logging.getLogger(__name__)


def run_rounds(job: JobContext) -> int:
    """The job: every live program's rounds one step further; returns the steps taken."""
    steps = 0
    for program in repo.programs(session=job.session):
        assert program.id is not None
        if has_ended(program, job.now):
            continue
        _schedule_next(job.session, program, job.settings, now=job.now)
        for rnd in rounds_db.unfinished(session=job.session, program_id=program.id):
            steps += _step(job, program, rnd)
    return steps


def queue_due_notices(job: JobContext) -> int:
    """Feeder (run before each dispatch): the notice of each round whose day-before has
    come, so it goes out on time between the job's runs; returns how many rounds.
    """
    steps = 0
    for program in repo.programs(session=job.session):
        assert program.id is not None
        rnd = rounds_db.open_round(session=job.session, program_id=program.id)
        if rnd is None or rnd.status != RoundStatus.SCHEDULED or has_ended(program, job.now):
            continue
        if after_the_end(program, rnd, job.settings):
            continue  # cancelled by the job, never announced
        if rnd.due_at - NOTICE_BEFORE <= job.now < rnd.due_at:
            steps += _notice(job, program, rnd)
    return steps


def next_step(session: Session, after: datetime) -> datetime | None:
    """When the next round step falls after ``after`` (a notice, a round, a reminder), so
    simulated time (the console's ``/time``) stops there.
    """
    return rounds_db.next_step_after(
        session=session, after=after, notice=NOTICE_BEFORE, remind=REMIND_AFTER
    )


def next_round_due(
    session: Session, program: Program, settings: Settings, now: datetime
) -> datetime | None:
    """When the program's next round to schedule falls: after the last one held (a round
    missed while the bot was down runs once, late, not once per missed week).
    """
    if program.rounds_every_weeks is None:
        return None
    assert program.id is not None
    last = rounds_db.latest(session=session, program_id=program.id)
    after = now - timedelta(weeks=program.rounds_every_weeks)
    if last is not None and last.due_at > after:
        after = last.due_at
    return next_due(program, settings, after=after)


def _schedule_next(
    session: Session, program: Program, settings: Settings, *, now: datetime
) -> None:
    """The program's next round has its row as soon as the one before is matched."""
    assert program.id is not None
    if rounds_db.open_round(session=session, program_id=program.id) is not None:
        return
    due = next_round_due(session, program, settings, now)
    if due is not None:
        rounds_db.ensure(session=session, program_id=program.id, due_at=due, now=now)


def _step(job: JobContext, program: Program, rnd: Round) -> int:
    """One round's next step, if it has come."""
    if rnd.status in rounds_db.OPEN:
        if after_the_end(program, rnd, job.settings):
            assert rnd.id is not None  # the program's end was moved before this round
            old = rounds_db.OPEN
            status = RoundStatus.CANCELLED
            rounds_db.advance(session=job.session, round_id=rnd.id, old=old, status=status)
            return 1
        if job.now >= rnd.due_at:
            return _match(job, program, rnd)
        if rnd.status == RoundStatus.SCHEDULED and job.now >= rnd.due_at - NOTICE_BEFORE:
            return _notice(job, program, rnd)
        return 0
    return _follow_preview(job, program, rnd)


def after_the_end(program: Program, rnd: Round, settings: Settings) -> bool:
    """Whether the round falls after the program's last day (in the program's zone)."""
    if program.ends_on is None:
        return False
    return rnd.due_at.astimezone(program_zone(program, settings)).date() > program.ends_on


def _notice(job: JobContext, program: Program, rnd: Round) -> int:
    assert rnd.id is not None
    old = (RoundStatus.SCHEDULED,)
    if not rounds_db.advance(
        session=job.session,
        round_id=rnd.id,
        old=old,
        status=RoundStatus.NOTICED,
        noticed_at=job.now,
    ):
        return 0
    told = queue_notices(job.session, program, rnd, job.settings, now=job.now)
    rnd.summary = {**rnd.summary, "notice": told}
    job.session.add(rnd)
    log.info("round %s of program %s: %s told it is coming", rnd.id, program.id, told["told"])
    return 1


def _match(job: JobContext, program: Program, rnd: Round) -> int:
    """Propose the round (the previous round's unpublished preview is superseded), then
    publish it or hand it to the admins.
    """
    assert rnd.id is not None and program.id is not None
    for older in rounds_db.unfinished(session=job.session, program_id=program.id):
        if older.status == RoundStatus.PROPOSED and older.id is not None:
            rounds_db.advance(
                session=job.session,
                round_id=older.id,
                old=(RoundStatus.PROPOSED,),
                status=RoundStatus.SUPERSEDED,
            )
    if not rounds_db.advance(
        session=job.session,
        round_id=rnd.id,
        old=rounds_db.OPEN,
        status=RoundStatus.PROPOSED,
        proposed_at=job.now,
    ):
        return 0
    proposal = propose_round(job.session, program, rnd, job.settings, job.prompts, now=job.now)
    if program.rounds_publish == RoundPublish.AUTO:
        _publish(job, program, rnd)
    else:
        tell_admins(job.session, program, rnd, job.settings, job.prompts, proposal, now=job.now)
    return 1


def _publish(job: JobContext, program: Program, rnd: Round) -> Published | None:
    """Publish the round's preview from the pulse (auto rounds, and a preview that follows)."""
    return publish_round(
        job.session,
        program,
        rnd,
        job.settings,
        job.prompts,
        now=job.now,
        registry=registry_of_job(job),
        group_dm=job.group_dm(program.platform),
    )


def propose_round(
    session: Session,
    program: Program,
    rnd: Round,
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
    seed: int | None = None,
) -> Proposal:
    """Match the round: everyone again in a peer program, whoever waits in a mentoring one,
    without the people sitting it out; the preview becomes the round's.
    """
    assert rnd.id is not None
    skipping = frozenset(rounds_db.skipping(session=session, round_id=rnd.id))
    fresh = "all" if program.kind == ProgramKind.PEER else ""
    proposal = propose(
        session, program, settings, prompts, now=now, fresh=fresh, seed=seed, sitting_out=skipping
    )
    rnd.match_run_id = proposal.run.id
    session.add(rnd)
    return proposal


def publish_round(
    session: Session,
    program: Program,
    rnd: Round,
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
    registry: Registry,
    group_dm: bool,
) -> Published | None:
    """Publish the round's preview, once (None: it was published or superseded already);
    everyone in it hears how the round went for them.
    """
    assert rnd.id is not None
    if not rounds_db.advance(
        session=session,
        round_id=rnd.id,
        old=(RoundStatus.PROPOSED,),
        status=RoundStatus.PUBLISHED,
        published_at=now,
    ):
        return None
    run = session.get(MatchRun, rnd.match_run_id)
    assert run is not None
    proposal = load_proposal(session, run, settings)
    result = publish(
        session, program, proposal, settings, prompts, now=now, registry=registry, group_dm=group_dm
    )
    record(session, program, rnd, proposal, settings, prompts, now=now)
    return result


def record(
    session: Session,
    program: Program,
    rnd: Round,
    proposal: Proposal,
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
) -> None:
    """The round's record: who sat it out (each told when the next one is) and who could
    not be reached by DM, with the counts ``admin rounds`` shows.
    """
    assert rnd.id is not None and program.id is not None
    skipped_ids = rounds_db.skipping(session=session, round_id=rnd.id)
    # the whole program at once: a round of 100,000 is too many ids for one IN (...)
    people = pairs_db.members_with_people(session=session, program_id=program.id)
    skipped = [(m, p) for m, p in people if m.id in skipped_ids]
    told = tell_skipped(session, program, rnd, skipped, settings, prompts, now=now)
    matched = {m for ids in proposal.pair_members.values() for m in ids}
    everyone = matched | {m for m, _ in proposal.unmatched} | skipped_ids
    unreachable = [
        member.id
        for member, person in people
        if member.id in everyone and person.unreachable_since is not None
    ]
    rnd.summary = {
        **rnd.summary,
        "pairs": len(proposal.pairs),
        "matched": len(matched),
        "left_out": len(proposal.unmatched),
        "skipped": sorted(skipped_ids),
        "skipped_told": told,
        "unreachable": sorted(m for m in unreachable if m is not None),
    }
    session.add(rnd)


def _follow_preview(job: JobContext, program: Program, rnd: Round) -> int:
    """A preview waiting for Publish: published by hand meanwhile (recorded), replaced by
    another preview (superseded), published now (``auto``), or the admins reminded once.
    """
    assert rnd.id is not None
    run = job.session.get(MatchRun, rnd.match_run_id) if rnd.match_run_id else None
    proposed = (RoundStatus.PROPOSED,)
    if run is None or run.status not in ("preview", "published"):
        rounds_db.advance(
            session=job.session, round_id=rnd.id, old=proposed, status=RoundStatus.SUPERSEDED
        )
        return 1
    if run.status == "published":  # an admin published it with `admin publish`
        if rounds_db.advance(
            session=job.session,
            round_id=rnd.id,
            old=proposed,
            status=RoundStatus.PUBLISHED,
            published_at=run.published_at,
        ):
            proposal = load_proposal(job.session, run, job.settings)
            record(job.session, program, rnd, proposal, job.settings, job.prompts, now=job.now)
        return 1
    if program.rounds_publish == RoundPublish.AUTO:
        return int(_publish(job, program, rnd) is not None)
    due = (rnd.proposed_at or rnd.due_at) + REMIND_AFTER
    if (
        job.now >= due
        and rnd.reminded_at is None
        and rounds_db.mark_reminded(session=job.session, round_id=rnd.id, now=job.now)
    ):
        tell_admins(job.session, program, rnd, job.settings, job.prompts, None, now=job.now)
        return 1
    return 0


HAND_RUN = ("admin publish ", "admin match")  # the buttons of a preview made by hand


def preview_parts(prompts: Prompts, proposal: Proposal) -> list[Part]:
    """A round's preview for the admins without the buttons of a preview made by hand
    (Publish and Try another seed: the round's own Publish button replaces them); other
    buttons it holds stay.
    """
    return [
        part
        for part in preview_message(prompts, proposal).parts
        if not (
            isinstance(part, Buttons) and any(b.command.startswith(HAND_RUN) for b in part.buttons)
        )
    ]


def admins_of(program: Program, settings: Settings) -> list[str]:
    """Who hears of the program's rounds: the platform's configured admins and its own."""
    found: list[str] = []
    for admin_id in (*settings.admins.for_platform(program.platform), *program.admins):
        if admin_id not in found:
            found.append(admin_id)
    return found


def tell_admins(
    session: Session,
    program: Program,
    rnd: Round,
    settings: Settings,
    prompts: Prompts,
    proposal: Proposal | None,
    *,
    now: datetime,
) -> None:
    """DM each admin the round's preview with a Publish button (``proposal``), or, without
    one, the reminder that it still waits; once per round and admin.
    """
    assert program.id is not None and rnd.id is not None
    kind = "preview" if proposal is not None else "reminder"
    for admin_id in admins_of(program, settings):
        person = repo.find_person(
            session=session, platform=program.platform, platform_user_id=admin_id
        )
        theirs = prompts.for_person(person) if person else prompts.for_everyone()
        zone = get_zone(person.timezone) if person and person.timezone else None
        when = local_when(rnd.due_at, zone or program_zone(program, settings), theirs.locale)
        header = theirs.render(
            f"rounds.admin_{kind}", program=program.name, when=Text.trusted(when), round=rnd.id
        )
        parts: list[Part] = [Section(header)]
        if proposal is not None:
            parts += preview_parts(theirs, proposal)
        label = theirs.text("button.round_publish")
        parts.append(Buttons((Button(label, f"admin round {rnd.id} publish", "primary"),)))
        enqueue(
            session,
            dedupe_key=f"round-{kind}:{rnd.id}:{admin_id}",
            target=Target(program.platform, program.workspace_id, "user", (admin_id,)),
            message=Message(tuple(parts)),
            not_before=now,
            now=now,
            program_id=program.id,
        )
