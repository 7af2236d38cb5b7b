"""Flagging pairs at risk (quiet, stalled or ghosting, as :mod:`bot.pairs.health` decides).

A newly stalled pair gets one gentle nudge (a group DM where the platform has them) and shows
up in the admins' digest until someone reports a meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import GROUP_DM_LIMIT, Target
from bot.outbox import enqueue
from bot.pairs.health import Health, PairHealth, pair_health
from bot.prompts import Prompts
from bot.replies import Context, Message, Section
from bot.time.nudges import LocalRules, next_sensible
from storage import checkins as checkins_db
from storage import pairs as pairs_db
from storage.models import Pair, Program


@dataclass
class StallStats:
    """Pairs that stalled or recovered in one run."""

    newly_stalled: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)


REASONS = {Health.STALLED: "no_meeting", Health.QUIET: "quiet", Health.GHOSTING: "ghosting"}


def find_stalled(session: Session, *, now: datetime, settings: Settings) -> dict[int, str]:
    """Active pairs at risk now (:mod:`bot.pairs.health`) -> reason ("no_meeting", "quiet"
    or "ghosting").
    """
    return {pair_id: REASONS[h.state] for pair_id, h in _at_risk(session, now, settings).items()}


def _at_risk(session: Session, now: datetime, settings: Settings) -> dict[int, PairHealth]:
    """Active pairs at risk now, with their health."""
    ids = [pair_id for pair_id, *_ in checkins_db.active_cycle_answers(session=session)]
    health = pair_health(session, set(ids), now, settings)
    return {pair_id: h for pair_id, h in health.items() if h.state in REASONS}


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
    at_risk = _at_risk(session, now, settings)
    stalled = {pair_id: REASONS[h.state] for pair_id, h in at_risk.items()}
    for flagged in pairs_db.stalled_pairs(session=session):
        if flagged.id is not None and flagged.id not in stalled:
            flagged.stalled_since, flagged.stall_reason = None, None
            session.add(flagged)
            stats.recovered.append(flagged.id)
    for pair_id, reason in stalled.items():
        pair = session.get(Pair, pair_id)
        if pair is not None and pair.stalled_since is not None and pair.stall_reason != reason:
            pair.stall_reason = reason  # e.g. stalled became ghosting: no second nudge
            session.add(pair)
        if pair is None or pair.stalled_since is not None:
            continue
        pair.stalled_since, pair.stall_reason = now, reason
        session.add(pair)
        stats.newly_stalled.append(pair_id)
        program = session.get(Program, pair.program_id)
        assert program is not None
        never_met = at_risk[pair_id].last_meeting_on is None
        message = partial(_nudge_message, session, pair_id, never_met=never_met)
        together = group_dm(program.platform)
        _nudge_pair(session, program, pair_id, message, now, settings, together, prompts)
    return stats


def _nudge_message(session: Session, pair_id: int, prompts: Prompts, *, never_met: bool) -> Message:
    """The gentle nudge's words: a first meeting to arrange, or a while since the last one."""
    people = pairs_db.people_of_pair(session=session, pair_id=pair_id)
    names = ", ".join(p.display_name or p.user_id for p in people)
    key = "checkin.stalled_nudge_never_met" if never_met else "checkin.stalled_nudge"
    return Message(
        (
            Section(prompts.render(key, names=names)),
            Context(prompts.render("checkin.stalled_hint")),
        )
    )


def _nudge_pair(
    session: Session,
    program: Program,
    pair_id: int,
    message: Callable[[Prompts], Message],
    now: datetime,
    settings: Settings,
    group_dm: bool,
    prompts: Prompts,
) -> None:
    """One gentle nudge at a daytime hour: a group DM where the platform has them and both
    read the same language, else one DM each at their own sensible hour, in their language.
    """
    people = pairs_db.people_of_pair(session=session, pair_id=pair_id)
    words = {p.user_id: prompts.for_person(p) for p in people}
    one_language = len({w.locale for w in words.values()}) == 1
    group_dm = group_dm and one_language and len(people) <= GROUP_DM_LIMIT
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
            message=message(words[target.ids[0]]),
            not_before=not_before,
            now=now,
            program_id=program.id,
        )
