"""Each member's outcomes over the report's period, and the groups they belong to: what the
"who it worked for", fairness and over-time sections count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.report_parts import ReportScope
from bot.surveys.instrument import AnswersOf, load_instrument
from storage import outcomes as db
from storage import report as report_db
from storage.models import EndReason, PairStatus

ALWAYS = ("role", "region", "intake")  # the splits every report has
NOT_SET = "not set"
_DAY = 86400.0


@dataclass
class Facts:
    """One member's outcomes in the period."""

    member_id: int
    groups: dict[str, str]  # dimension -> the member's group in it
    zone: str = ""  # their time zone (a region's people add up by zone)
    in_period: bool = True  # joined in the period: counted in the report's "joined" too
    matched: bool = False
    wait_days: float = 0.0  # join to first pair, or to the report's (or program's) end
    rounds_out: int = 0  # published rounds that left them out
    scores: list[float] = field(default_factory=list)  # fit of their pairs
    early: int = 0  # their pairs that ended before completing
    planned: int = 0  # cycles their pairs had a check-in
    held: int = 0  # of them, cycles where someone met
    goals: int = 0
    reached: int = 0
    ratings: list[int] = field(default_factory=list)
    dropping: bool | None = None  # thinking of dropping out (the instrument's rule), if asked

    @property
    def waits(self) -> bool:
        """Whether waiting for a partner is their matter: mentees and peers, not mentors."""
        return self.groups.get("role") != "mentor"


def dimensions(scope: ReportScope) -> tuple[str, ...]:
    """The splits of this report: the fixed ones, then the fields marked reportable."""
    extra = [f for f in scope.settings.report.reportable_fields if f not in ALWAYS]
    return (*ALWAYS, *extra)


def report_end(scope: ReportScope) -> datetime:
    """Where the period ends (for the whole program: when the report is made)."""
    return scope.period.end or scope.now or datetime.now(UTC)


def waiting_end(scope: ReportScope) -> datetime:
    """Up to when a wait is counted: the period's end, or the program's last day if it ended
    before (so a finished program's waits don't grow with the day the report is made).
    """
    end = report_end(scope)
    ends_on = scope.program.ends_on
    if ends_on is None:
        return end
    zone = ZoneInfo(scope.settings.program.default_timezone)
    return min(end, datetime.combine(ends_on + timedelta(days=1), time(), zone))


def collect(scope: ReportScope) -> list[Facts]:
    """The facts of everyone who had joined by the period's end."""
    s, pid, end = scope.session, scope.program_id, report_end(scope)
    until = waiting_end(scope)
    zone = scope.settings.program.default_timezone
    facts = {
        m.member_id: Facts(
            m.member_id, _groups(m, scope), m.timezone or zone, scope.period.has(m.joined_at)
        )
        for m in db.members(session=s, program_id=pid)
        if m.joined_at < end
    }
    joined = {m.member_id: m.joined_at for m in db.members(session=s, program_id=pid)}
    _matching(facts, joined, db.memberships(session=s, program_id=pid), scope, until)
    for run in db.rounds(session=s, program_id=pid):
        if run.published_at is None or scope.period.has(run.published_at):
            for member in run.left_out:
                if member in facts:
                    facts[member].rounds_out += 1
    for g in db.goals(session=s, program_id=pid):
        if g.member_id in facts and scope.period.has(g.created_at):
            facts[g.member_id].goals += 1
            facts[g.member_id].reached += g.done
    for r in db.ratings(session=s, program_id=pid):
        if r.member_id in facts and scope.period.has(r.created_at):
            facts[r.member_id].ratings.append(r.rating)
    _dropping(facts, scope)
    return list(facts.values())


def _groups(m: db.GroupMember, scope: ReportScope) -> dict[str, str]:
    zone = m.timezone or scope.settings.program.default_timezone
    tz = scope.period.tz() or UTC
    fields = {"team": m.team, "seniority": m.seniority}
    out = {
        "role": m.role,
        "region": zone.split("/")[0],
        # the roster import they came in with, else the month they joined
        "intake": m.intake_batch or m.joined_at.astimezone(tz).strftime("%Y-%m"),
    }
    for name in dimensions(scope)[len(ALWAYS) :]:
        value = fields.get(name)
        out[name] = NOT_SET if value is None or value == "" else str(value)
    return out


def _matching(
    facts: dict[int, Facts],
    joined: dict[int, datetime],
    rows: list[db.Membership],
    scope: ReportScope,
    end: datetime,
) -> None:
    """First matches and waits; the period's meetings; fit and early endings of the
    period's pairs.
    """
    first: dict[int, datetime] = {}
    for row in rows:
        if row.started_at < end:
            first[row.member_id] = min(row.started_at, first.get(row.member_id, row.started_at))
    planned, held = pair_cycles(scope)
    for member_id, f in facts.items():
        f.matched = member_id in first
        until = min(first.get(member_id, end), end)
        f.wait_days = max(0.0, (until - joined[member_id]).total_seconds() / _DAY)
    for row in rows:
        f = facts.get(row.member_id)  # type: ignore[assignment]
        if f is None:
            continue
        f.planned += len(planned.get(row.pair_id, ()))  # the period's meetings, of any pair
        f.held += len(held.get(row.pair_id, ()))
        if scope.period.has(row.started_at):  # fit and endings: the period's pairs
            f.scores.append(row.score)
            if row.status == PairStatus.ENDED and not _completed(row.end_reason):
                f.early += 1


def _completed(reason: str | None) -> bool:
    try:
        return EndReason(reason or "").completed
    except ValueError:
        return False


def pair_cycles(scope: ReportScope) -> tuple[dict[int, set[date]], dict[int, set[date]]]:
    """Per pair the period's cycles with a check-in and those where someone met."""
    planned: dict[int, set[date]] = defaultdict(set)
    held: dict[int, set[date]] = defaultdict(set)
    for c in report_db.checkins(session=scope.session, program_id=scope.program_id):
        if c.cycle_on is None or not scope.period.has(c.cycle_on):
            continue
        planned[c.pair_id].add(c.cycle_on)
        if c.outcome == "met":
            held[c.pair_id].add(c.cycle_on)
    return planned, held


def dropping_survey(scope: ReportScope) -> tuple[str, AnswersOf] | None:
    """Which survey's answers the groups' "dropping out %" counts, and the instrument's rule
    (``[scoring] dropping_out``): the end-of-program survey if anyone answered it in the
    period, else the mid-program one (None: no answers in the period).
    """
    rule = load_instrument(scope.settings).dropping_out
    answered = {
        survey
        for _m, survey, answers, when in report_db.surveys(
            session=scope.session, program_id=scope.program_id
        )
        if scope.period.has(when) and rule.says(answers) is not None
    }
    survey = next((s for s in ("end", "mid") if s in answered), None)
    return None if survey is None else (survey, rule)


def _dropping(facts: dict[int, Facts], scope: ReportScope) -> None:
    """Whether each member answered that survey (in the period) as thinking of dropping out,
    as the surveys section counts it.
    """
    source = dropping_survey(scope)
    if source is None:
        return
    survey, rule = source
    for member, asked, answers, when in report_db.surveys(
        session=scope.session, program_id=scope.program_id
    ):
        says = rule.says(answers)
        if asked == survey and member in facts and says is not None and scope.period.has(when):
            facts[member].dropping = says
