"""The program report's numbers: sections of headline figures, tables and charts.

Privacy: every figure that counts or averages people is shown only for groups of at least
``[surveys] min_group_size`` people; a smaller group is reported as hidden, never as its
number, so narrowing the period can't single anyone out. Free text is never read.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.prompts import Prompts
from bot.surveys.records import SCALES, SURVEYS
from bot.timezones import get_zone
from storage import report as db
from storage.models import CheckInOutcome, MemberStatus, PairStatus, Program

HIDDEN = "hidden"  # what a cell of too few people shows


@dataclass
class Table:
    """A section's table; ``name`` is its CSV file's stem (stable)."""

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass
class Chart:
    """A chart drawn from a table's columns; ``alt`` is its text alternative."""

    name: str
    title: str
    kind: str  # "line" or "bar"
    labels: list[str]
    series: dict[str, list[float | None]]
    alt: str


@dataclass
class Section:
    """One part of the report: headline figures, tables and charts."""

    key: str
    title: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    """The whole report of one program over a period."""

    program: str
    start: date | None
    end: date | None
    generated: datetime  # in the coordinator's zone
    minimum: int
    sections: list[Section]

    def table(self, name: str) -> Table:
        """One table by name."""
        return next(t for s in self.sections for t in s.tables if t.name == name)


@dataclass
class _Period:
    start: datetime | None
    end: datetime | None

    def has(self, when: datetime | date | None) -> bool:
        if when is None:
            return False
        if isinstance(when, datetime):
            moment = when
        else:
            moment = datetime.combine(when, time(), tzinfo=self.tz())
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def tz(self) -> Any:
        moment = self.start or self.end
        return moment.tzinfo if moment else None


def build(
    session: Session,
    program: Program,
    settings: Settings,
    *,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
    zone: str = "UTC",
    prompts: Prompts | None = None,
) -> Report:
    """The report of ``program`` for [start, end] (whole local days in ``zone``); ``prompts``
    words the reasons people were left out (else their codes).
    """
    assert program.id is not None
    tz = get_zone(zone)
    period = _Period(
        datetime.combine(start, time(), tzinfo=tz) if start else None,
        datetime.combine(end, time(), tzinfo=tz) + _DAY if end else None,
    )
    minimum = settings.surveys.min_group_size
    count = _Counter(minimum)
    pid = program.id
    members = db.members(session=session, program_id=pid)
    pairs = [p for p in db.pairs(session=session, program_id=pid) if period.has(p.started_at)]
    pair_ids = {p.pair_id for p in pairs}
    checkins = [
        c
        for c in db.checkins(session=session, program_id=pid)
        if c.pair_id in pair_ids and period.has(c.cycle_on)
    ]
    goals = [g for g in db.goals(session=session, program_id=pid) if period.has(g.created_at)]
    said = [f for f in db.feedback(session=session, program_id=pid) if period.has(f.created_at)]
    answers = [s for s in db.surveys(session=session, program_id=pid) if period.has(s[3])]
    asked = [r for r in db.requests(session=session, program_id=pid) if period.has(r.created_at)]
    sections = [
        _participation(members, period, count, settings.program.default_timezone),
        _matching(pairs, db.latest_round(session=session, program_id=pid), count, prompts),
        _meetings(pairs, checkins),
        _goals(goals, count),
        _feedback(said, count),
        _surveys(answers, count),
        _requests(asked),
    ]
    return Report(program.name, start, end, now.astimezone(tz), minimum, sections)


def _bars(name: str, title: str, what: str, rows: list[list[Any]]) -> Chart | None:
    """A bar chart of a (label, count) table's shown rows, with its text alternative."""
    shown = [(str(label), float(n)) for label, n in rows if isinstance(n, int) and n]
    if not shown:
        return None
    alt = f"Bar chart of {what}: " + ", ".join(f"{lab} {n:g}" for lab, n in shown) + "."
    return Chart(name, title, "bar", [lab for lab, _ in shown], {what: [n for _, n in shown]}, alt)


class _Counter:
    """Cells that count people: the number, or hidden below the minimum (0 stays 0: an
    empty group identifies nobody).
    """

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum

    def __call__(self, n: int) -> int | str:
        return n if n == 0 or n >= self.minimum else HIDDEN

    def mean(self, values: list[float], people: int | None = None) -> float | str:
        n = len(values) if people is None else people
        if n < self.minimum or not values:
            return HIDDEN if values else ""
        return round(statistics.fmean(values), 2)


def _participation(
    members: list[db.MemberRow], period: _Period, count: _Counter, default_zone: str
) -> Section:
    joined = [m for m in members if period.has(m.joined_at)]
    status = Counter(m.status for m in members)
    section = Section("participation", "Participation")
    section.figures = [
        ("joined in the period", str(count(len(joined)))),
        ("active", str(count(status[MemberStatus.ACTIVE]))),
        ("paused", str(count(status[MemberStatus.PAUSED]))),
        ("left", str(count(status[MemberStatus.LEFT]))),
    ]
    roles = [[r, count(n)] for r, n in sorted(Counter(m.role for m in joined).items())]
    zones = Counter(m.timezone or default_zone for m in joined)
    section.tables = [
        Table("participation_by_role", "Joined by role", ["role", "people"], roles),
        Table(
            "participation_by_zone",
            "Joined by time zone",
            ["time zone", "people"],
            [[z, count(n)] for z, n in sorted(zones.items())],
        ),
    ]
    chart = _bars("participation_by_role", "People by role", "people who joined", roles)
    section.charts = [chart] if chart else []
    return section


def _end_category(reason: str | None) -> str:
    """An end reason as a category (never a person's words)."""
    if not reason:
        return "other"
    if reason.startswith("new round: "):
        return "new round: " + reason.removeprefix("new round: ").replace("_", " ")
    if reason in ("program ended", "partner left", "left before publishing"):
        return reason
    return "other"


def _matching(
    pairs: list[db.PairRow],
    latest: dict[str, Any] | None,
    count: _Counter,
    prompts: Prompts | None,
) -> Section:
    section = Section("matching", "Matching")
    ended = Counter(_end_category(p.end_reason) for p in pairs if p.status == PairStatus.ENDED)
    scores = [p.score for p in pairs]
    left_out = Counter(str(r) for _m, r in (latest or {}).get("unmatched", []))
    section.figures = [
        ("pairs formed", str(len(pairs))),
        ("still active", str(sum(1 for p in pairs if p.status == PairStatus.ACTIVE))),
        ("ended", str(sum(ended.values()))),
        ("average fit score", f"{statistics.fmean(scores):.1f}" if scores else "-"),
        ("left out of the latest round", str(count(sum(left_out.values())))),
    ]
    rows: list[list[Any]] = [[r, n] for r, n in sorted(ended.items())]

    def why(code: str) -> str:
        return prompts.text(f"match.unmatched_reason.{code}") if prompts else code

    left: list[list[Any]] = [[why(r), count(n)] for r, n in sorted(left_out.items())]
    title = "Left out of the latest round, and why"
    section.tables = [
        Table("matching_ended", "Pairs that ended, by reason", ["reason", "pairs"], rows),
        Table("matching_unmatched", title, ["why", "people"], left),
    ]
    return section


def meetings_chart(session: Session, program: Program, cycles: int = 12) -> Chart | None:
    """Meetings planned and held in the program's last ``cycles`` cycles (the digest's chart)."""
    assert program.id is not None
    rows = db.checkins(session=session, program_id=program.id)
    planned, held, _ = _cycles(rows)
    days = sorted(planned)[-cycles:]
    if not days:
        return None
    labels = [d.isoformat() for d in days]
    series: dict[str, list[float | None]] = {
        "planned": [float(len(planned[d])) for d in days],
        "held": [float(len(held[d])) for d in days],
    }
    alt = f"Meetings held per cycle, last {len(days)} cycles: " + ", ".join(
        f"{d.isoformat()} {len(held[d])} of {len(planned[d])}" for d in days
    )
    return Chart("meetings_per_cycle", "Meetings held per cycle", "line", labels, series, alt + ".")


def _cycles(
    checkins: list[db.CheckInRow],
) -> tuple[dict[date, set[int]], dict[date, set[int]], dict[int, datetime]]:
    """Per cycle the pairs with a check-in and the pairs where someone met; each pair's
    first meeting.
    """
    planned: dict[date, set[int]] = defaultdict(set)
    held: dict[date, set[int]] = defaultdict(set)
    first_met: dict[int, datetime] = {}
    for c in checkins:
        if c.cycle_on is None:
            continue
        planned[c.cycle_on].add(c.pair_id)
        if c.outcome == CheckInOutcome.MET:
            held[c.cycle_on].add(c.pair_id)
            when = c.recorded_at or datetime.combine(c.cycle_on, time(), tzinfo=UTC)
            if c.pair_id not in first_met or when < first_met[c.pair_id]:
                first_met[c.pair_id] = when
    return planned, held, first_met


def _meetings(pairs: list[db.PairRow], checkins: list[db.CheckInRow]) -> Section:
    section = Section("meetings", "Meetings")
    planned, held, first_met = _cycles(checkins)
    outcomes = Counter(c.outcome for c in checkins)
    started = {p.pair_id: p.started_at for p in pairs if p.started_at is not None}
    days = [
        (when - started[pid]).total_seconds() / 86400
        for pid, when in first_met.items()
        if pid in started
    ]
    stalled = [p for p in pairs if p.status == PairStatus.ACTIVE and p.stall_reason]
    cycles = sorted(planned)
    rows: list[list[Any]] = [[d.isoformat(), len(planned[d]), len(held[d])] for d in cycles]
    title = "Meetings planned and held per cycle"
    total_planned = sum(len(planned[d]) for d in cycles)
    total_held = sum(len(held[d]) for d in cycles)
    section.figures = [
        ("meetings held / planned", f"{total_held} / {total_planned}"),
        (
            "median days from introduction to first meeting",
            f"{statistics.median(days):.1f}" if days else "-",
        ),
        ("stalled pairs now", str(len(stalled))),
        (
            "of them ghosting (nudges unanswered)",
            str(sum(1 for p in stalled if p.stall_reason == "ignored")),
        ),
        ('"not yet" answers (no meeting that cycle)', str(outcomes[CheckInOutcome.NOT_YET])),
    ]
    section.tables = [
        Table(
            "meetings_per_cycle",
            "Meetings planned and held per cycle",
            ["cycle", "planned", "held"],
            rows,
        )
    ]
    if rows:
        section.charts.append(
            Chart(
                "meetings_per_cycle",
                title,
                "line",
                [str(r[0]) for r in rows],
                {"planned": [float(r[1]) for r in rows], "held": [float(r[2]) for r in rows]},
                f"Line chart over {len(rows)} cycles from {rows[0][0]} to {rows[-1][0]}: "
                f"{total_held} of {total_planned} planned meetings were held; "
                f"the last cycle had {rows[-1][2]} of {rows[-1][1]}.",
            )
        )
    return section


def _goals(goals: list[db.GoalRow], count: _Counter) -> Section:
    section = Section("goals", "Goals")
    days = [
        (g.completed_at - g.created_at).total_seconds() / 86400
        for g in goals
        if g.completed_at is not None
    ]
    spread = Counter(_bucket(g.progress) for g in goals)
    section.figures = [
        ("goals set", str(len(goals))),
        ("SMART-complete", str(sum(1 for g in goals if g.smart))),
        ("completed", str(len(days))),
        ("median days to complete", _median(days)),
    ]
    rows: list[list[Any]] = [[b, count(spread[b])] for b in BUCKETS]
    title = "Goals by latest progress"
    section.tables = [Table("goals_progress", title, ["progress", "goals"], rows)]
    chart = _bars("goals_progress", title, "goals", rows)
    section.charts = [chart] if chart else []
    return section


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


BUCKETS = ("none yet", "1-24%", "25-49%", "50-74%", "75-99%", "100%")


def _bucket(progress: int | None) -> str:
    if progress is None or progress == 0:
        return "none yet"
    if progress >= 100:
        return "100%"
    return ["1-24%", "25-49%", "50-74%", "75-99%"][min(progress // 25, 3)]


def _feedback(rows: list[db.FeedbackRow], count: _Counter) -> Section:
    section = Section("feedback", "Feedback")
    sessions = [r for r in rows if r.kind == "session" and r.rating is not None]
    by_month: dict[str, list[db.FeedbackRow]] = defaultdict(list)
    for r in sessions:
        by_month[r.created_at.strftime("%Y-%m")].append(r)
    table: list[list[Any]] = []
    for month in sorted(by_month):
        group = by_month[month]
        people = len({r.member_id for r in group})
        ratings = [float(r.rating or 0) for r in group]
        table.append([month, count(people), count.mean(ratings, people)])
    raters = len({r.member_id for r in sessions})
    fits = Counter(r.fit for r in rows if r.kind == "fit" and r.fit)
    fit_people = len({r.member_id for r in rows if r.kind == "fit"})
    section.figures = [
        ("people who rated sessions", str(count(raters))),
        (
            "mean session rating (1-5)",
            str(count.mean([float(r.rating or 0) for r in sessions], raters)),
        ),
    ]
    fit_rows: list[list[Any]] = [
        [a, n if fit_people >= count.minimum else HIDDEN] for a, n in sorted(fits.items())
    ]
    section.tables = [
        Table(
            "feedback_ratings",
            "Session ratings by month",
            ["month", "people", "mean rating"],
            table,
        ),
        Table("feedback_fit", "How well the pairing fits", ["answer", "answers"], fit_rows),
    ]
    points = [(str(m), float(v)) for m, _, v in table if isinstance(v, float)]
    if points:
        alt = "Line chart of the mean session rating (1-5) by month: "
        alt += ", ".join(f"{m} {v:g}" for m, v in points) + "."
        series: dict[str, list[float | None]] = {"mean rating": [v for _, v in points]}
        section.charts.append(
            Chart(
                "feedback_ratings",
                "Mean session rating by month",
                "line",
                [m for m, _ in points],
                series,
                alt,
            )
        )
    return section


def _scale_values(rows: list[db.SurveyRow], survey: str, key: str) -> list[int]:
    return [int(a[key]) for _m, sv, a, _w in rows if sv == survey and isinstance(a.get(key), int)]


def _surveys(rows: list[db.SurveyRow], count: _Counter) -> Section:
    section = Section("surveys", "Surveys: mid-program and end, side by side")
    table: list[list[Any]] = []
    series: dict[str, list[float | None]] = {s: [] for s in SURVEYS}
    labels = []
    for scale in SCALES:
        row: list[Any] = [scale]
        for survey in SURVEYS:
            values = [float(v) for v in _scale_values(rows, survey, scale)]
            row += [count(len(values)), count.mean(values)]
        table.append(row)
        if isinstance(row[2], float) and isinstance(row[4], float):
            labels.append(scale)
            series["mid"].append(row[2])
            series["end"].append(row[4])
    for survey, key in (("mid", "continue"), ("end", "continue_after")):
        intent = _scale_values(rows, survey, key)
        if len(intent) >= count.minimum:
            risk = sum(1 for v in intent if v <= 2)
            label = f"{survey}: thinking of dropping out (1-2 of 5)"
            section.figures.append((label, f"{risk} of {len(intent)}"))
    headers = ["scale", "mid n", "mid mean", "end n", "end mean"]
    section.tables = [Table("surveys", "Survey scales (1-5): n and mean", headers, table)]
    if labels:
        alt = "Bar chart of survey means (1-5), mid vs end: "
        alt += "; ".join(
            f"{lab} {m} then {e}"
            for lab, m, e in zip(labels, series["mid"], series["end"], strict=True)
        )
        section.charts.append(
            Chart("surveys", "Survey means, mid vs end", "bar", labels, series, alt + ".")
        )
    return section


def _requests(rows: list[db.RequestRow]) -> Section:
    section = Section("requests", "Mentor requests")
    waits = [(r.claimed_at - r.created_at).total_seconds() / 3600 for r in rows if r.claimed_at]
    section.figures = [
        ("opened", str(len(rows))),
        ("claimed", str(len(waits))),
        ("median hours to claim", _median(waits)),
    ]
    return section


_DAY = datetime(2000, 1, 2) - datetime(2000, 1, 1)
