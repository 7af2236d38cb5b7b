"""Finding pairs that stalled: no meeting for N check-ins, or N nudges ignored in a row.

A newly stalled pair gets one gentle nudge (a group DM where the platform has them) and shows
up in the admins' digest until someone reports a meeting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.replies import Context, Message, Section
from bot.time.nudges import LocalRules, next_sensible
from storage import checkins as checkins_db
from storage import pairs as pairs_db
from storage.models import (
    CheckInOutcome,
    Pair,
    Program,
)

ANSWERED = (CheckInOutcome.MET, CheckInOutcome.RESCHEDULED)


@dataclass
class StallStats:
    """Pairs that stalled or recovered in one run."""

    newly_stalled: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)


def find_stalled(session: Session, *, now: datetime, settings: Settings) -> dict[int, str]:
    """Active pairs that look stalled now -> reason ("no_meeting" or "ignored")."""
    c = settings.checkins
    grace = timedelta(hours=c.answer_grace_hours)
    rows = checkins_db.active_cycle_answers(session=session)
    cycles: dict[int, dict] = defaultdict(dict)  # pair -> cycle -> outcomes
    by_member: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pair_id, member_id, cycle, due, outcome in rows:
        if due is not None and due > now - grace and outcome == CheckInOutcome.PENDING:
            continue  # still time to answer
        if due is not None and due > now:
            continue
        cycles[pair_id].setdefault(cycle, []).append(outcome)
        if due is not None:
            by_member[(pair_id, member_id)].append(outcome)
    stalled: dict[int, str] = {}
    for pair_id, per_cycle in cycles.items():
        recent = sorted(per_cycle, reverse=True)[: c.cycles_without_meeting]
        if len(recent) == c.cycles_without_meeting and not any(
            outcome in ANSWERED for cycle in recent for outcome in per_cycle[cycle]
        ):
            stalled[pair_id] = "no_meeting"
    for (pair_id, _member), outcomes in by_member.items():
        last = outcomes[: c.ignored_in_a_row]
        if len(last) == c.ignored_in_a_row and all(o == CheckInOutcome.PENDING for o in last):
            stalled.setdefault(pair_id, "ignored")
    return stalled


def flag_stalled(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    group_dm: Callable[[str], bool] = lambda _platform: False,
) -> StallStats:
    """Mark newly stalled pairs (one gentle nudge each) and clear pairs that recovered."""
    stats = StallStats()
    stalled = find_stalled(session, now=now, settings=settings)
    for flagged in pairs_db.stalled_pairs(session=session):
        if flagged.id is not None and flagged.id not in stalled:
            flagged.stalled_since, flagged.stall_reason = None, None
            session.add(flagged)
            stats.recovered.append(flagged.id)
    for pair_id, reason in stalled.items():
        pair = session.get(Pair, pair_id)
        if pair is None or pair.stalled_since is not None:
            continue
        pair.stalled_since, pair.stall_reason = now, reason
        session.add(pair)
        stats.newly_stalled.append(pair_id)
        program = session.get(Program, pair.program_id)
        assert program is not None
        _nudge_pair(session, program, pair_id, now, settings, prompts, group_dm(program.platform))
    return stats


def _nudge_pair(
    session: Session,
    program: Program,
    pair_id: int,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    group_dm: bool,
) -> None:
    """One gentle nudge at a daytime hour: a group DM where the platform has them, else one
    DM each at their own sensible hour.
    """
    people = pairs_db.people_of_pair(session=session, pair_id=pair_id)
    names = ", ".join(p.display_name or p.user_id for p in people)
    message = Message(
        (
            Section(prompts.render("checkin.stalled_nudge", names=names)),
            Context(prompts.render("checkin.stalled_hint")),
        )
    )
    default = settings.program.default_timezone
    when = {
        p.user_id: next_sensible(now, LocalRules.for_person(p, default_timezone=default))
        for p in people
    }
    ids = [p.user_id for p in people]
    if group_dm:
        group = Target(program.platform, program.workspace_id, "group", tuple(ids))
        sends = [(group, max(when.values()))]
    else:
        sends = [
            (Target(program.platform, program.workspace_id, "user", (uid,)), when[uid])
            for uid in ids
        ]
    for target, not_before in sends:
        enqueue(
            session,
            dedupe_key=f"stalled:{pair_id}:{now.date()}:{','.join(target.ids)}",
            target=target,
            message=message,
            not_before=not_before,
            now=now,
            program_id=program.id,
        )
