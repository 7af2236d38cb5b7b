"""One pair-health rule: is a pair healthy, quiet, stalled, ghosting, or closed, and who is silent.

The rule reads only a pair's check-in rows (the truth of who answered what, when) and is pure:
:func:`assess` takes the rows and the time and returns a :class:`PairHealth`. The digest, the
report, ``admin pairs``, ``admin person`` and re-engagement all ask :func:`pair_health`, so
they never disagree.

Words, precisely (``N`` is ``[checkins] ignored_in_a_row``, ``K`` is
``[checkins] cycles_without_meeting``, the grace is ``[checkins] answer_grace_hours``, ``D`` is
``[engagement] nudge_after_days``):

- A nudge is **ignored** once its grace has passed and it is still unanswered; a nudge still
  within its grace counts for nothing yet.
- A person is **silent** from the first nudge they ignored after their last answer and after
  the pair's last reported meeting (a meeting anyone of the pair reports resets everyone's
  clock). ``ignored_in_a_row`` counts those ignored nudges; ``silent_since`` is the first
  one's due time.
- A person **is silent** (named in ``silent_member_ids``) once they have ignored ``N`` nudges
  in a row, or their first ignored nudge is ``D`` days old: the day re-engagement reminds them.
- **closed**: the pair has ended.
- **ghosting**: someone is silent while a partner answers: the partner is not silent and
  answered at least once since the silence began.
- **quiet**: someone is silent and no partner answers.
- **stalled**: everyone of the pair answered in the last ``K`` cycles whose answers are in, but
  no meeting (or rescheduled meeting) in them, nor since.
- **healthy**: none of the above.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.spans import Text
from bot.time.format import short_day
from storage import health as db
from storage.health import CheckInFact, PairFacts
from storage.models import CheckInOutcome, PairStatus

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings
    from bot.prompts import Prompts

__all__ = [
    "CheckInFact",
    "Health",
    "HealthRules",
    "PairFacts",
    "PairHealth",
    "PersonHealth",
    "assess",
    "pair_health",
]

MEETING = (CheckInOutcome.MET, CheckInOutcome.RESCHEDULED)  # progress, for "stalled"


class Health(StrEnum):
    """A pair's health, worst first after ``closed``."""

    HEALTHY = "healthy"
    QUIET = "quiet"
    STALLED = "stalled"
    GHOSTING = "ghosting"
    CLOSED = "closed"

    @property
    def at_risk(self) -> bool:
        """Whether admins should look at the pair (quiet, stalled or ghosting)."""
        return self in (Health.QUIET, Health.STALLED, Health.GHOSTING)


@dataclass(frozen=True)
class HealthRules:
    """The thresholds of the rule (from ``[checkins]``)."""

    ignored_in_a_row: int = 3
    cycles_without_meeting: int = 2
    answer_grace: timedelta = timedelta(hours=48)
    silent_after: timedelta = timedelta(days=7)  # re-engagement's reminder day

    @classmethod
    def of(cls, settings: Settings) -> HealthRules:
        """The rules as configured."""
        c = settings.checkins
        return cls(
            c.ignored_in_a_row,
            c.cycles_without_meeting,
            timedelta(hours=c.answer_grace_hours),
            timedelta(days=settings.engagement.nudge_after_days),
        )

    def silent(self, person: PersonHealth, now: datetime) -> bool:
        """Whether the person is silent: ``N`` nudges ignored in a row, or ``D`` days since
        the first of them.
        """
        if person.silent_since is None:
            return False
        return (
            person.ignored_in_a_row >= self.ignored_in_a_row
            or now - person.silent_since >= self.silent_after
        )


@dataclass(frozen=True)
class PersonHealth:
    """One member of a pair: silent since when, how many nudges ignored in a row."""

    member_id: int
    ignored_in_a_row: int
    silent_since: datetime | None  # None: answering (or not asked yet)
    last_answer_at: datetime | None

    def silent_days(self, now: datetime) -> int:
        """Whole days since the silence began (0 when not silent)."""
        return (now - self.silent_since).days if self.silent_since is not None else 0


@dataclass(frozen=True)
class PairHealth:
    """A pair's health, its people, and its meetings."""

    pair_id: int
    state: Health
    people: tuple[PersonHealth, ...]
    last_meeting_on: date | None
    days_since_meeting: int | None  # None: never met
    silent_member_ids: tuple[int, ...] = ()  # who ignored N or more in a row, longest first

    def person(self, member_id: int) -> PersonHealth | None:
        """The member's part, if they are in the pair."""
        return next((p for p in self.people if p.member_id == member_id), None)


def _when(fact: CheckInFact) -> datetime:
    """When a check-in happened: its answer, else its nudge, else its cycle's day."""
    if fact.recorded_at is not None and fact.outcome != CheckInOutcome.PENDING:
        return fact.recorded_at
    if fact.due_at is not None:
        return fact.due_at
    return datetime.combine(fact.cycle_on or date.min, time(), tzinfo=UTC)


def _person(
    member_id: int,
    facts: Sequence[CheckInFact],
    reset: datetime | None,
    now: datetime,
    grace: timedelta,
) -> PersonHealth:
    """A member's silence: the ignored nudges after their last answer and the last meeting."""
    answers = [_when(f) for f in facts if f.outcome != CheckInOutcome.PENDING]
    last_answer = max(answers, default=None)
    start = max(filter(None, (last_answer, reset)), default=None)
    ignored = sorted(
        f.due_at
        for f in facts
        if f.outcome == CheckInOutcome.PENDING
        and f.due_at is not None
        and f.due_at + grace <= now
        and (start is None or f.due_at > start)
    )
    return PersonHealth(member_id, len(ignored), ignored[0] if ignored else None, last_answer)


def _stalled(
    facts: Sequence[CheckInFact], members: Sequence[int], now: datetime, rules: HealthRules
) -> bool:
    """Everyone answered in the last K cycles whose nudges are all answered or past their
    grace, but no meeting in (or since) them.
    """
    cycles: dict[date, list[CheckInFact]] = defaultdict(list)
    for f in facts:
        if f.cycle_on is not None:
            cycles[f.cycle_on].append(f)
    settled = [
        day
        for day, rows in cycles.items()
        if all(
            r.outcome != CheckInOutcome.PENDING
            or (r.due_at and r.due_at + rules.answer_grace <= now)
            for r in rows
        )
    ]
    recent = sorted(settled, reverse=True)[: rules.cycles_without_meeting]
    if len(recent) < rules.cycles_without_meeting:
        return False
    answered = {
        f.member_id for day in recent for f in cycles[day] if f.outcome != CheckInOutcome.PENDING
    }
    if not set(members) <= answered:
        return False  # someone does not answer: silence, not a stall
    oldest = recent[-1]  # a meeting in these cycles, a newer one, or logged since: not stalled
    since = datetime.combine(oldest, time(), tzinfo=UTC)
    return not any(
        f.outcome in MEETING
        and ((f.cycle_on is not None and f.cycle_on >= oldest) or _when(f) >= since)
        for f in facts
    )


def assess(
    pair: PairFacts, facts: Iterable[CheckInFact], *, now: datetime, rules: HealthRules
) -> PairHealth:
    """The pair's health at ``now`` from its check-in rows (see the module's words)."""
    rows = list(facts)
    met = [_when(f) for f in rows if f.outcome == CheckInOutcome.MET]
    last_met = max(met, default=None)
    last_meeting_on = last_met.date() if last_met is not None else None
    days = (now - last_met).days if last_met is not None else None
    by_member: dict[int, list[CheckInFact]] = defaultdict(list)
    for f in rows:
        by_member[f.member_id].append(f)
    people = tuple(
        _person(m, by_member[m], last_met, now, rules.answer_grace) for m in pair.member_ids
    )
    if pair.status != PairStatus.ACTIVE:
        return PairHealth(pair.pair_id, Health.CLOSED, people, last_meeting_on, days)
    silent = sorted(
        (p for p in people if rules.silent(p, now)),
        key=lambda p: (p.silent_since or now, p.member_id),
    )
    state = Health.HEALTHY
    if silent:
        first = silent[0]
        answered = any(
            p.last_answer_at is not None
            and first.silent_since is not None
            and p.last_answer_at > first.silent_since
            for p in people
            if p not in silent
        )
        state = Health.GHOSTING if answered else Health.QUIET
    elif _stalled(rows, pair.member_ids, now, rules):
        state = Health.STALLED
    ids = tuple(p.member_id for p in silent)
    return PairHealth(pair.pair_id, state, people, last_meeting_on, days, ids)


def describe(prompts: Prompts, health: PairHealth, names: dict[int, str], now: datetime) -> Text:
    """The pair's health in words: its state, who is silent since when, the last meeting."""
    parts = [prompts.render(f"pairs.health.{health.state.value}")]
    for member_id in health.silent_member_ids:
        person = health.person(member_id)
        if person is None or person.silent_since is None:
            continue
        parts.append(
            prompts.render(
                "pairs.health.silent",
                name=names.get(member_id, "?"),
                since=Text.trusted(short_day(person.silent_since.date(), prompts.locale)),
                count=person.ignored_in_a_row,
            )
        )
    if health.days_since_meeting is None:
        parts.append(prompts.render("pairs.health.never_met"))
    else:
        parts.append(prompts.render("pairs.health.last_meeting", days=health.days_since_meeting))
    return Text.join(parts, "; ")


def pair_health(
    session: Session, pair_ids: Iterable[int], now: datetime, settings: Settings
) -> dict[int, PairHealth]:
    """Each of ``pair_ids``' health at ``now`` (ended pairs are ``closed``); unknown ids are
    left out. The one entry point for the digest, the report, ``admin pairs``,
    ``admin person`` and re-engagement.
    """
    ids = sorted(set(pair_ids))
    rules = HealthRules.of(settings)
    facts = db.check_in_facts(session=session, pair_ids=ids)
    return {
        pair.pair_id: assess(pair, facts.get(pair.pair_id, ()), now=now, rules=rules)
        for pair in db.pair_facts(session=session, pair_ids=ids)
    }
