"""Publishing a preview: pairs become real, introductions and "not this time" DMs are queued.

Introductions are a group DM where the platform has them (Slack, console) and one DM to each
person otherwise (Discord). Each shows who the other person is, why they were matched, three
meeting times inside everyone's availability in each person's own local time, and tips for the
first meeting. All of it goes through the outbox with dedupe keys, once per pair and person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import GROUP_DM_LIMIT, Target
from bot.matching.profiles import Candidate
from bot.matching.reasons import names_list, render_reasons
from bot.matching.rounds import Proposal, active_pairs
from bot.matching.slots import suggest_slots
from bot.meetings.offer import PairInfo, slot_offer
from bot.outbox import enqueue
from bot.pairs.lifecycle import QUIET_REMATCH, EndReason, end_pairs
from bot.pairs.making import start_pair
from bot.prompts import Prompts
from bot.registry import Registry
from bot.replies import Context, Fields, Message, Part, Section
from bot.spans import Text
from bot.time.format import local_when
from bot.time.holidays import DaysOff
from bot.time.zones import get_zone, zone_label
from storage import pairs as pairs_db
from storage import rounds as rounds_db
from storage.models import Member, MemberStatus, Pair, PairStatus, Program, ProgramKind, Role

COORDINATOR_REASON = "people.intro_reason"  # an admin-made pair's first reason in its intro


@dataclass
class Published:
    """What publishing did."""

    pairs: int
    introductions: int
    unmatched_told: int
    skipped: int


def _slot_lines(prompts: Prompts, people: list[Candidate], slots: list[datetime]) -> Text:
    lines = []
    for slot in slots:
        times = "  ·  ".join(
            f"{p.name}: {local_when(slot, get_zone(p.timezone), prompts.locale)} ({p.timezone})"
            for p in people
        )
        lines.append(prompts.render("match.slot_line", times=times))
    return Text.join(lines, "\n")


def _profile_fields(prompts: Prompts, person: Candidate, now: datetime) -> Fields:
    none = prompts.render("profile.not_set")
    items = [
        (prompts.text("match.label.role"), prompts.render(f"role.{person.role}")),
        (prompts.text("match.label.skills"), Text.user(", ".join(person.skills_offered)) or none),
        (prompts.text("match.label.wants"), Text.user(", ".join(person.skills_wanted)) or none),
        (prompts.text("match.label.goals"), Text.user(person.goals) or none),
        (
            prompts.text("match.label.timezone"),
            prompts.render(
                "match.zone_now",
                zone=zone_label(person.timezone),
                local_time=Text.trusted(local_when(now, get_zone(person.timezone), prompts.locale)),
            ),
        ),
    ]
    return Fields(tuple(items))


def introduction(
    prompts: Prompts,
    program: Program,
    people: list[Candidate],
    reasons: Sequence[Any],
    *,
    recipient: Candidate | None,
    now: datetime,
    session_minutes: int,
    days_off: DaysOff,
    invite: PairInfo | None = None,
) -> Message:
    """The intro for a group DM (``recipient`` None) or for one person of the pair
    (``days_off``: the days no meeting time is suggested on); with ``invite``, its meeting
    times also come as an .ics in the recipient's zone.
    """
    others = [p for p in people if p is not recipient]
    circle = program.kind == ProgramKind.CIRCLES
    parts: list[Part] = []
    if recipient is None:
        names = (
            Text.user(", ".join(p.name for p in people[:-1]))
            + Text.trusted(" & ")
            + Text.user(people[-1].name)
        )
        parts.append(
            Section(prompts.render("match.intro_group", names=names, program=program.name))
        )
    elif circle:
        names = Text.user(", ".join(p.name for p in others))
        parts.append(
            Section(prompts.render("match.intro_circle", names=names, program=program.name))
        )
    else:
        parts.append(
            Section(
                prompts.render(
                    "match.intro_one",
                    partner=", ".join(p.name for p in others),
                    role=prompts.render(f"role.{others[0].role}"),
                    program=program.name,
                )
            )
        )
    why = "; ".join(render_reasons(prompts, reasons))
    why_key = "match.why_circle" if circle else "match.why"
    parts.append(Section(prompts.render(why_key, reasons=Text.user(why))))
    for person in others:
        parts.append(Section(Text.trusted("*") + Text.user(person.name) + Text.trusted("*")))
        parts.append(_profile_fields(prompts, person, now))
    zone = (recipient or people[0]).timezone
    header = "match.slots_header_circle" if circle else "match.slots_header"
    parts.extend(
        _meeting_times(prompts, people, now, session_minutes, days_off, invite, zone, header)
    )
    parts.append(Context(prompts.render("match.tips")))
    return Message(tuple(parts))


def _meeting_times(
    prompts: Prompts,
    people: list[Candidate],
    now: datetime,
    session_minutes: int,
    days_off: DaysOff,
    invite: PairInfo | None,
    zone: str,
    header: str = "match.slots_header",
) -> list[Part]:
    """The intro's suggested meeting times (none on a day off), with their .ics and "book"
    buttons when ``invite`` is given, or a line saying there are none.
    """
    slots = suggest_slots(people, after=now, session_minutes=session_minutes, days_off=days_off)
    if not slots:
        return [Section(prompts.render("match.no_common_slots"))]
    parts: list[Part] = [
        Section(prompts.render(header, minutes=Text.trusted(str(session_minutes)))),
        Section(_slot_lines(prompts, people, slots)),
    ]
    unset = [p.name for p in people if not p.has_availability]
    if unset:
        parts.append(
            Context(prompts.render("match.slots_assumed", names=names_list(prompts, unset)))
        )
    if invite is not None:
        parts.extend(
            slot_offer(prompts, invite, slots, minutes=session_minutes, zone_key=zone, now=now)
        )
    return parts


def publish(
    session: Session,
    program: Program,
    proposal: Proposal,
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
    registry: Registry,
    group_dm: bool = False,
) -> Published:
    """Make a preview real; idempotent per pair and person through outbox dedupe keys.

    ``registry``: whose pairs-ended hooks hear of the pairs the round ends. ``group_dm``: the
    program's platform can introduce a pair in one group conversation.
    """
    assert program.id is not None
    run = proposal.run
    _end_listed_pairs(session, program, proposal, prompts, now=now, registry=registry)
    intros = skipped = 0
    for pair in proposal.pairs:
        assert pair.id is not None
        ids = proposal.pair_members[pair.id]
        members = [session.get(Member, m) for m in ids]
        if any(m is None or m.status == MemberStatus.LEFT for m in members):
            # Never started, so no hook: nothing was planned for it.
            pair.status, pair.end_reason = PairStatus.ENDED, EndReason.LEFT.value
            pair.end_detail = "before_publishing"
            session.add(pair)
            skipped += 1
            continue
        start_pair(session, program, [m for m in members if m is not None], now=now, proposed=pair)
        people = [proposal.members[m] for m in ids]
        intros += introduce(
            session, program, pair, people, settings, prompts, now=now, group_dm=group_dm
        )
    told = _tell_unmatched(session, program, proposal, prompts, now=now)
    run.status, run.published_at = "published", now
    session.add(run)
    return Published(
        pairs=len(proposal.pairs) - skipped,
        introductions=intros,
        unmatched_told=told,
        skipped=skipped,
    )


def _end_listed_pairs(
    session: Session,
    program: Program,
    proposal: Proposal,
    prompts: Prompts,
    *,
    now: datetime,
    registry: Registry,
) -> None:
    """End exactly the pairs the preview listed (still active), telling each person; a
    peer program's recurring round re-pairing everyone ends them quietly (``QUIET_REMATCH``).
    """
    run_id = proposal.run.id or 0
    quiet = program.kind == ProgramKind.PEER and rounds_db.of_run(session=session, run_id=run_id)
    for pair_id, reason in proposal.ending:
        pair = session.get(Pair, pair_id)
        if pair is None or pair.status != PairStatus.ACTIVE:
            continue
        if quiet and reason == "fresh_all":
            end_pairs(
                session, registry, [pair], reason=EndReason.REMATCH, now=now, detail=QUIET_REMATCH
            )
            continue
        end_pairs(session, registry, [pair], reason=EndReason.REMATCH, now=now, detail=reason)
        _tell_pair_ended(session, program, prompts, pair_id, reason, run_id=run_id, now=now)


def introduce(
    session: Session,
    program: Program,
    pair: Pair,
    people: list[Candidate],
    settings: Settings,
    prompts: Prompts,
    *,
    now: datetime,
    group_dm: bool,
) -> int:
    """Queue one pair's introduction (``people`` in the pair's order, the waiting side first):
    one group DM where ``group_dm`` and everyone reads the same language, else one DM to each
    person in their own; returns how many were queued (once per pair and person: a second
    call queues nothing).
    """
    assert program.id is not None
    assert pair.id is not None
    minutes = settings.matching.session_minutes
    invite = PairInfo.of(program, pair.id, people)
    days_off = DaysOff(settings.program.closed_dates)
    one_language = len({prompts.for_person(p).locale for p in people}) == 1
    together = group_dm and one_language and len(people) <= GROUP_DM_LIMIT
    recipients: list[Candidate | None] = [None] if together else list(people)
    queued = 0
    for recipient in recipients:
        theirs = prompts.for_person(recipient or people[0])
        message = introduction(
            theirs,
            program,
            people,
            pair.reasons,  # stored as keys and values: worded here in the reader's language
            recipient=recipient,
            now=now,
            session_minutes=minutes,
            invite=invite,
            days_off=days_off,
        )
        if recipient is None:
            ids = tuple(p.platform_user_id for p in people)
            target = Target(program.platform, program.workspace_id, "group", ids)
            key = f"intro:{pair.id}"
        else:
            ids = (recipient.platform_user_id,)
            target = Target(program.platform, program.workspace_id, "user", ids)
            key = f"intro:{pair.id}:{recipient.member_id}"
        queued += _queue(session, key, target, message, now, program.id)
    return queued


def _tell_unmatched(
    session: Session, program: Program, proposal: Proposal, prompts: Prompts, *, now: datetime
) -> int:
    """Everyone left out hears why. A mentee or peer goes before anyone new next round and
    is told exactly what that guarantees; one left out although they already went first is
    told that the reason above is what kept them out, not the same promise again.
    """
    assert program.id is not None
    told = 0
    for member_id, reason in proposal.unmatched:
        member = session.get(Member, member_id)
        who = proposal.members.get(member_id)
        if member is None or who is None or member.status == MemberStatus.LEFT:
            continue
        theirs = prompts.for_person(who)
        parts: list[Part] = [
            Section(theirs.render(f"match.unmatched.{reason}", program=program.name))
        ]
        if who.role in (Role.MENTEE, Role.PEER) and reason != "no_role":
            if member.match_priority > 0:
                parts.append(Context(theirs.render("match.unmatched_again")))
            else:
                peer = "_peer" if who.role == Role.PEER else ""
                parts.append(Context(theirs.render(f"match.unmatched_priority{peer}")))
            member.match_priority += 1
            session.add(member)
        message = Message(tuple(parts))
        target = Target(program.platform, program.workspace_id, "user", (who.platform_user_id,))
        key = f"unmatched:{proposal.run.id}:{member_id}"
        told += _queue(session, key, target, message, now, program.id)
    return told


@dataclass(frozen=True)
class Problem:
    """Why a stored preview no longer matches the program: ``code`` and who it is about."""

    code: str
    who: str


def check_preview(
    session: Session, program: Program, proposal: Proposal, *, now: datetime
) -> list[Problem]:
    """What changed since the preview was made: people who left, paused or were paired since,
    mentors without room any more, pairs to end that already ended.
    """
    assert program.id is not None
    problems: list[Problem] = []
    ending = {pair_id for pair_id, _ in proposal.ending}
    current = active_pairs(session, program.id)
    load: dict[int, int] = {}
    for pair_id, members in current.items():
        if pair_id in ending:
            continue
        for member_id in members:
            load[member_id] = load.get(member_id, 0) + 1
    planned: dict[int, int] = {}
    for pair in proposal.pairs:
        assert pair.id is not None
        for member_id in proposal.pair_members[pair.id]:
            planned[member_id] = planned.get(member_id, 0) + 1
    for member_id, count in planned.items():
        member = session.get(Member, member_id)
        who = proposal.members[member_id].name if member_id in proposal.members else "?"
        if member is None or member.status == MemberStatus.LEFT:
            problems.append(Problem("left", who))
        elif member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > now
        ):
            problems.append(Problem("paused", who))
        elif member.role != proposal.members[member_id].role:
            problems.append(Problem("role", who))
        elif load.get(member_id, 0) + count > max(1, member.capacity):
            problems.append(Problem("paired", who))
    for pair_id in ending:
        if pair_id not in current:
            problems.append(Problem("ended", proposal.names.get(pair_id, str(pair_id))))
    return problems


def _tell_pair_ended(
    session: Session,
    program: Program,
    prompts: Prompts,
    pair_id: int,
    reason: str,
    *,
    run_id: int,
    now: datetime,
) -> None:
    """Nobody's pair ends without them being told: one DM to each person in it."""
    rows = pairs_db.names_in_pairs(session=session, pair_ids=[pair_id])
    assert program.id is not None
    for row in rows:
        user_id, theirs = row.user_id, prompts.for_person(row)
        others = ", ".join(r.display_name for r in rows if r.user_id != user_id)
        message = Message(
            (
                Section(
                    theirs.render(
                        f"match.pair_ended.{reason}", partner=others, program=program.name
                    )
                ),
                Context(theirs.render("match.pair_ended_hint")),
            )
        )
        target = Target(program.platform, program.workspace_id, "user", (user_id,))
        _queue(session, f"ended:{run_id}:{pair_id}:{user_id}", target, message, now, program.id)


def _queue(
    session: Session, key: str, target: Target, message: Message, now: datetime, program_id: int
) -> int:
    row = enqueue(
        session,
        dedupe_key=key,
        target=target,
        message=message,
        not_before=now,
        now=now,
        program_id=program_id,
    )
    return 1 if row is not None else 0
