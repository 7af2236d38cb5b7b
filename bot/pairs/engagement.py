"""Re-engagement: a silent person is reminded, their partner offered a new match, the pair closed.

Silence is :mod:`bot.pairs.health`'s: only the people its rule names silent (the very ones the
card, ``admin pairs`` and the digest show "silent since"), counted in days since the first
check-in nudge they left unanswered after their last answer and the pair's last meeting.
The pulse job reads the check-ins (the database is the truth) and writes each stage's
messages through the outbox, whose dedupe keys name the pair, the person and the day their
silence began: a rerun, or a second process, sends nothing twice, and a new silence after an
answer starts afresh.

- ``[engagement] nudge_after_days``: the silent person gets one kind reminder;
- ``offer_after_days``: each partner who still answers is offered "keep waiting" or "match me
  with someone else" (which ends the pair as inactive, ``partner_silent``);
- ``close_after_days``: the pair ends as inactive (``silence``), everyone told kindly.

Every message waits for a sensible hour of the person's working day: not their weekend, not
one of their public holidays, not one of the program's closed days (as check-in nudges do,
:mod:`bot.time.nudges`); and the reminder never lands on a day the person gets a check-in
nudge: it moves to their next working day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.outbox import enqueue
from bot.pairs import lifecycle
from bot.pairs.health import PairHealth, PersonHealth, pair_health
from bot.prompts import Prompts
from bot.registry import Registry
from bot.replies import Button, Buttons, Context, Message, Section
from bot.spans import Text
from bot.time.holidays import DaysOff
from bot.time.nudges import LocalRules, next_sensible
from bot.time.wall import localize
from bot.time.zones import get_zone
from storage import checkins as checkins_db
from storage import pairs as pairs_db
from storage import repo
from storage.models import EndReason, Pair, PairStatus, Program
from storage.repo import PersonTiming

log = logging.getLogger(__name__)

SILENCE = "silence"  # end_detail of a pair that closed itself
PARTNER_SILENT = "partner_silent"  # end_detail of a pair a partner left after the offer


@dataclass(frozen=True)
class Timing:
    """What timing a message to a person needs beyond their own facts: the program's default
    zone and whose days off count (holidays and the program's closed days).
    """

    zone: str = "UTC"
    days_off: DaysOff | None = None

    def rules(self, who: PersonTiming) -> LocalRules:
        """The person's timing rules, days off included."""
        return LocalRules.for_person(who, default_timezone=self.zone, days_off=self.days_off)


def silence_key(pair_id: int, person: PersonHealth, stage: str) -> str:
    """The outbox key of one stage of one silence (the day it began names the silence)."""
    began = person.silent_since.date().isoformat() if person.silent_since else "-"
    return f"engage:{pair_id}:{person.member_id}:{began}:{stage}"


def reengage(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    registry: Registry,
) -> int:
    """One pass over every program's active pairs; returns how many pairs it acted on."""
    if not settings.engagement.enabled:
        return 0
    acted = 0
    timing = Timing(settings.program.default_timezone, DaysOff(settings.program.closed_dates))
    for program in repo.programs(session=session):
        assert program.id is not None
        ids = pairs_db.active_pair_ids(session=session, program_id=program.id)
        for health in pair_health(session, ids, now, settings).values():
            acted += _one_pair(session, program, health, now, settings, prompts, registry, timing)
    return acted


def _one_pair(
    session: Session,
    program: Program,
    health: PairHealth,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    registry: Registry,
    timing: Timing,
) -> int:
    """The stages this pair's longest silence has reached: close, or nudge and offer."""
    e = settings.engagement
    silent = [p for p in health.people if p.member_id in health.silent_member_ids]
    if not silent:
        return 0
    longest = max(p.silent_days(now) for p in silent)
    people = _people(session, health.pair_id)
    if longest >= e.close_after_days:
        quiet = [p.member_id for p in silent if p.silent_days(now) >= e.close_after_days]
        close_silent_pair(
            session, registry, program, health, people, now, prompts, timing, quiet=quiet
        )
        return 1
    acted = 0
    for person in silent:
        days = person.silent_days(now)
        if days >= e.nudge_after_days:
            theirs = prompts.for_person(people[person.member_id])
            message = nudge_message(theirs, person.member_id, people)
            key = silence_key(health.pair_id, person, "nudge")
            acted += _send(
                session,
                program,
                people[person.member_id],
                message,
                key,
                now,
                timing,
                not_with_checkin_of=person.member_id,
            )
        if days >= e.offer_after_days:
            acted += _offer(session, program, health, person, people, now, prompts, timing)
    return min(acted, 1)


def _people(session: Session, pair_id: int) -> dict[int, PersonTiming]:
    """Member id -> who they are (the pair's two lists share the linking order)."""
    names = pairs_db.names_in_pairs(session=session, pair_ids=[pair_id])
    timings = pairs_db.people_of_pair(session=session, pair_id=pair_id)
    return {n.member_id: t for n, t in zip(names, timings, strict=True)}


def _partners(people: dict[int, PersonTiming], member_id: int) -> Text:
    """The other people of the pair, by name."""
    return Text.join(
        [Text.user(p.display_name or p.user_id) for m, p in people.items() if m != member_id],
        ", ",
    )


def nudge_message(prompts: Prompts, member_id: int, people: dict[int, PersonTiming]) -> Message:
    """The kind reminder to someone who went silent."""
    me = people[member_id]
    return Message(
        (
            Section(
                prompts.render(
                    "pairs.engage.nudge",
                    name=me.display_name or me.user_id,
                    partner=_partners(people, member_id),
                )
            ),
            Context(prompts.render("pairs.engage.nudge_hint")),
        )
    )


def _offer(
    session: Session,
    program: Program,
    health: PairHealth,
    silent: PersonHealth,
    people: dict[int, PersonTiming],
    now: datetime,
    prompts: Prompts,
    timing: Timing,
) -> int:
    """Offer each partner who still answers a new match (once per silence)."""
    sent = 0
    for other in health.people:
        if other.member_id == silent.member_id or other.silent_since is not None:
            continue
        who = people[other.member_id]
        ghost = people[silent.member_id]
        theirs = prompts.for_person(who)
        message = Message(
            (
                Section(
                    theirs.render(
                        "pairs.engage.offer",
                        name=who.display_name or who.user_id,
                        partner=ghost.display_name or ghost.user_id,
                        days=silent.silent_days(now),
                    )
                ),
                Buttons(
                    (
                        Button(
                            theirs.text("pairs.button.keep_waiting"),
                            f"partner wait pair:{health.pair_id}",
                        ),
                        Button(
                            theirs.text("pairs.button.match_me"),
                            f"partner switch pair:{health.pair_id}",
                            "primary",
                        ),
                    )
                ),
            )
        )
        key = silence_key(health.pair_id, silent, f"offer:{other.member_id}")
        sent += _send(session, program, who, message, key, now, timing)
    return sent


def close_silent_pair(
    session: Session,
    registry: Registry,
    program: Program,
    health: PairHealth,
    people: dict[int, PersonTiming],
    now: datetime,
    prompts: Prompts,
    timing: Timing | None = None,
    *,
    quiet: list[int] | None = None,
) -> None:
    """End the pair as inactive after its long silence and tell everyone in it kindly; in a
    circle only the ``quiet`` (silent long enough) leave while enough others remain.
    """
    pair = session.get(Pair, health.pair_id)
    if pair is None:
        return
    quiet = quiet or list(health.silent_member_ids)
    ended = lifecycle.leave_pairs(
        session,
        registry,
        prompts,
        [pair],
        quiet,
        reason=EndReason.INACTIVE,
        now=now,
        detail=SILENCE,
    )
    if not ended:
        if pair.status == PairStatus.ACTIVE:  # a circle carrying on: the quiet are told
            _tell_taken_out(session, program, people, quiet, now, prompts, timing or Timing())
        return
    log.info("pair %s closed after silence", health.pair_id)
    for member_id, who in people.items():
        message = Message(
            (
                Section(
                    prompts.for_person(who).render(
                        "pairs.engage.closed",
                        name=who.display_name or who.user_id,
                        partner=_partners(people, member_id),
                    )
                ),
            )
        )
        key = f"engage:{health.pair_id}:closed:{member_id}"
        _send(session, program, who, message, key, now, timing or Timing())


def _tell_taken_out(
    session: Session,
    program: Program,
    people: dict[int, PersonTiming],
    quiet: list[int],
    now: datetime,
    prompts: Prompts,
    timing: Timing,
) -> None:
    """Tell each quiet person that they left the circle, which carries on without them."""
    for member_id in quiet:
        who = people.get(member_id)
        if who is None:
            continue
        text = prompts.for_person(who).render(
            "pairs.circle.quiet_out", name=who.display_name or who.user_id, program=program.name
        )
        key = f"engage:{program.id}:circle_out:{member_id}:{now.date()}"
        _send(session, program, who, Message((Section(text),)), key, now, timing)


def _send(
    session: Session,
    program: Program,
    who: PersonTiming,
    message: Message,
    key: str,
    now: datetime,
    timing: Timing,
    *,
    not_with_checkin_of: int | None = None,
) -> int:
    """Queue one DM at a sensible hour of the person's working day (``not_with_checkin_of``:
    their member id, to keep it off a day they get a check-in nudge); 1 if it was new.
    """
    rules = timing.rules(who)
    at = next_sensible(now, rules)
    if not_with_checkin_of is not None:
        at = _off_checkin_days(session, not_with_checkin_of, at, rules)
    row = enqueue(
        session,
        dedupe_key=key,
        target=Target(program.platform, program.workspace_id, "user", (who.user_id,)),
        message=message,
        not_before=at,
        now=now,
        program_id=program.id,
    )
    return int(row is not None)


def _off_checkin_days(
    session: Session, member_id: int, at: datetime, rules: LocalRules
) -> datetime:
    """``at``, or the next working day's sensible hour while the person has a check-in nudge
    due on that local day (a fortnight at most).
    """
    zone = get_zone(rules.timezone)
    for _ in range(14):
        day = at.astimezone(zone).date()
        start = localize(datetime.combine(day, time()), zone)
        end = localize(datetime.combine(day + timedelta(days=1), time()), zone)
        if not checkins_db.nudged_between(
            session=session, member_id=member_id, since=start, until=end
        ):
            return at
        at = next_sensible(end, rules)
    return at
