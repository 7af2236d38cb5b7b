"""The program report's numbers: sections of headline figures, tables and charts.

Privacy: every figure that counts or averages people is shown only for groups of at least
``[surveys] min_group_size`` people; a smaller group is reported as hidden, never as its
number, so narrowing the period can't single anyone out. Cells that add up to a total shown
beside them are hidden together (``bot.suppression``), so a hidden count never follows from
the others. Free text is never read.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.prompts import Prompts
from bot.suppression import HIDDEN, Cells
from bot.surveys.records import SCALES, SURVEYS
from bot.time.zones import get_zone
from storage import report as db
from storage.models import CheckInOutcome, MemberStatus, PairStatus, Program

NONE = "-"  # a figure with nothing to show yet (no scores, no ratings, nothing completed)


@dataclass
class Table:
    """A section's table; ``name`` is its CSV file's stem and ``headers`` its CSV headers
    (both stable). ``words`` shows coded cells (a survey scale's id) in words on the page.
    """

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    words: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A headline figure: ``key`` is stable (figures.csv), ``label`` comes from the prompts."""

    key: str
    label: str
    value: str


@dataclass
class Chart:
    """A chart drawn from a table's columns; ``alt`` is its text alternative."""

    name: str
    title: str
    kind: str  # "line" or "bar"
    labels: list[str]
    series: dict[str, list[float | None]]
    alt: str
    top: float | None = None  # the scale's top (5 for ratings), else the data's


@dataclass
class Section:
    """One part of the report: headline figures, tables and charts."""

    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
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
    words: dict[str, str]  # the page's own words (title, period, privacy note ...)

    def table(self, name: str) -> Table:
        """One table by name."""
        return next(t for s in self.sections for t in s.tables if t.name == name)

    def figures(self) -> dict[str, str]:
        """Every headline figure's value by ``section.key``."""
        return {f"{s.key}.{f.key}": f.value for s in self.sections for f in s.figures}


class Words:
    """The report's wording, from the prompts' ``[report]`` tables."""

    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts

    def __call__(self, key: str, /, **values: Any) -> str:
        """The prompt ``report.<key>`` as plain text."""
        return self.prompts.text(f"report.{key}", **values)

    def figure(self, key: str, value: object, /, **values: Any) -> Figure:
        """The figure ``key`` with its label."""
        return Figure(key, self(f"figure.{key}", **values), str(value))

    def section(self, key: str) -> Section:
        """An empty section with its title."""
        return Section(key, self(f"section.{key}"))

    def table(self, name: str, headers: list[str], rows: list[list[Any]]) -> Table:
        """The table ``name`` with its title."""
        return Table(name, self(f"table.{name}"), headers, rows)

    def page(
        self, program: str, start: date | None, end: date | None, minimum: int, generated: datetime
    ) -> dict[str, str]:
        """The page's words."""
        if start and end:
            period = self("page.between", start=start.isoformat(), end=end.isoformat())
        elif start:
            period = self("page.since", start=start.isoformat())
        elif end:
            period = self("page.until", end=end.isoformat())
        else:
            period = self("page.whole")
        stamp = generated.strftime("%Y-%m-%d %H:%M %Z")
        return {
            "title": self("page.title", program=program),
            "meta": self("page.meta", period=period, generated=stamp),
            "privacy": self("page.privacy", minimum=minimum),
            "numbers": self("page.numbers"),
            "empty": self("page.empty"),
        }


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
    prompts: Prompts,
) -> Report:
    """The report of ``program`` for [start, end] (whole local days in ``zone``), worded by
    ``prompts``.
    """
    assert program.id is not None
    tz = get_zone(zone)
    period = _Period(
        datetime.combine(start, time(), tzinfo=tz) if start else None,
        datetime.combine(end, time(), tzinfo=tz) + _DAY if end else None,
    )
    minimum = settings.surveys.min_group_size
    words = Words(prompts)
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
        _participation(members, period, minimum, settings.program.default_timezone, words),
        _matching(pairs, db.latest_round(session=session, program_id=pid), minimum, words),
        _meetings(pairs, checkins, words),
        _goals(goals, minimum, words),
        _feedback(said, minimum, words),
        _surveys(answers, minimum, words),
        _requests(asked, words),
    ]
    generated = now.astimezone(tz)
    page = words.page(program.name, start, end, minimum, generated)
    return Report(program.name, start, end, generated, minimum, sections, page)


def _bars(name: str, what: str, rows: list[list[Any]], words: Words) -> Chart | None:
    """A bar chart of a (label, count) table's shown rows, with its text alternative;
    ``what`` names the series.
    """
    shown = [(str(label), float(n)) for label, n in rows if isinstance(n, int) and n]
    if not shown:
        return None
    alt = words(f"alt.{name}", values=", ".join(f"{lab} {n:g}" for lab, n in shown))
    series: dict[str, list[float | None]] = {words(f"series.{what}"): [n for _, n in shown]}
    return Chart(name, words(f"chart.{name}"), "bar", [lab for lab, _ in shown], series, alt)


def _participation(
    members: list[db.MemberRow],
    period: _Period,
    minimum: int,
    default_zone: str,
    words: Words,
) -> Section:
    joined = [m for m in members if period.has(m.joined_at)]
    cells = Cells(minimum)
    cells.people("joined", len(joined))
    roles = Counter(m.role for m in joined)
    zones = Counter(m.timezone or default_zone for m in joined)
    role_keys = [cells.people(("role", r), n) for r, n in sorted(roles.items())]
    zone_keys = [cells.people(("zone", z), n) for z, n in sorted(zones.items())]
    cells.sum("joined", role_keys)
    cells.sum("joined", zone_keys)
    status = Counter(m.status for m in members)
    states = [cells.people(s.value, status[s]) for s in MemberStatus]
    # Statuses count everyone in the program: the joined figure when the period holds all,
    # else a total the report doesn't show but a report of the whole program would.
    whole = len(joined) == len(members)
    cells.sum("joined" if whole else cells.count("everyone", len(members), known=True), states)
    section = words.section("participation")
    section.figures = [words.figure("joined", cells.show("joined"))]
    section.figures += [words.figure(s.value, cells.show(s.value)) for s in MemberStatus]
    by_role = [[key[1], cells.show(key)] for key in role_keys]
    by_zone = [[key[1], cells.show(key)] for key in zone_keys]
    section.tables = [
        words.table("participation_by_role", ["role", "people"], by_role),
        words.table("participation_by_zone", ["time zone", "people"], by_zone),
    ]
    chart = _bars("participation_by_role", "people", by_role, words)
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
    minimum: int,
    words: Words,
) -> Section:
    cells = Cells(minimum)
    ended = Counter(_end_category(p.end_reason) for p in pairs if p.status == PairStatus.ENDED)
    active = sum(1 for p in pairs if p.status == PairStatus.ACTIVE)
    for key, n in (("pairs", len(pairs)), ("still_active", active)):
        cells.count(key, n)
    cells.count("ended", sum(ended.values()))
    # A reason's pairs are a group of people (two each): a small one is hidden.
    reasons = [cells.people(("ended", r), n) for r, n in sorted(ended.items())]
    cells.sum("ended", reasons)
    if len(pairs) == active + sum(ended.values()):
        cells.sum("pairs", ["still_active", "ended"])
    left_out = Counter(str(r) for _m, r in (latest or {}).get("unmatched", []))
    cells.people("left_out", sum(left_out.values()))
    why = [cells.people(("why", r), n) for r, n in sorted(left_out.items())]
    cells.sum("left_out", why)
    scores = [p.score for p in pairs]
    section = words.section("matching")
    section.figures = [
        words.figure("pairs", cells.show("pairs")),
        words.figure("still_active", cells.show("still_active")),
        words.figure("ended", cells.show("ended")),
        words.figure("fit_score", f"{statistics.fmean(scores):.1f}" if scores else NONE),
        words.figure("left_out", cells.show("left_out")),
    ]
    rows: list[list[Any]] = [[key[1], cells.show(key)] for key in reasons]
    text = words.prompts.text
    left = [[text(f"match.unmatched_reason.{key[1]}"), cells.show(key)] for key in why]
    section.tables = [
        words.table("matching_ended", ["reason", "pairs"], rows),
        words.table("matching_unmatched", ["why", "people"], left),
    ]
    return section


def meetings_chart(
    session: Session, program: Program, prompts: Prompts, cycles: int = 12
) -> Chart | None:
    """Meetings planned and held in the program's last ``cycles`` cycles (the digest's chart)."""
    assert program.id is not None
    words = Words(prompts)
    rows = db.checkins(session=session, program_id=program.id)
    planned, held, _ = _cycles(rows)
    days = sorted(planned)[-cycles:]
    if not days:
        return None
    labels = [d.isoformat() for d in days]
    series: dict[str, list[float | None]] = {
        words("series.planned"): [float(len(planned[d])) for d in days],
        words("series.held"): [float(len(held[d])) for d in days],
    }
    values = ", ".join(
        f"{d.isoformat()} " + words("alt.held_of", held=len(held[d]), planned=len(planned[d]))
        for d in days
    )
    alt = words("alt.meetings_recent", cycles=len(days), values=values)
    title = words("chart.meetings_per_cycle")
    return Chart("meetings_per_cycle", title, "line", labels, series, alt)


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


def _meetings(pairs: list[db.PairRow], checkins: list[db.CheckInRow], words: Words) -> Section:
    section = words.section("meetings")
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
    total_planned = sum(len(planned[d]) for d in cycles)
    total_held = sum(len(held[d]) for d in cycles)
    section.figures = [
        words.figure("held", f"{total_held} / {total_planned}"),
        words.figure("first_meeting", _median(days)),
        words.figure("stalled", len(stalled)),
        words.figure("ghosting", sum(1 for p in stalled if p.stall_reason == "ignored")),
        words.figure("not_yet", outcomes[CheckInOutcome.NOT_YET]),
        words.figure("rescheduled", outcomes[CheckInOutcome.RESCHEDULED]),
    ]
    section.tables = [words.table("meetings_per_cycle", ["cycle", "planned", "held"], rows)]
    if rows:
        series: dict[str, list[float | None]] = {
            words("series.planned"): [float(r[1]) for r in rows],
            words("series.held"): [float(r[2]) for r in rows],
        }
        alt = words(
            "alt.meetings_per_cycle",
            cycles=len(rows),
            first=rows[0][0],
            last=rows[-1][0],
            held=total_held,
            planned=total_planned,
            last_held=rows[-1][2],
            last_planned=rows[-1][1],
        )
        title = words("chart.meetings_per_cycle")
        labels = [str(r[0]) for r in rows]
        section.charts.append(Chart("meetings_per_cycle", title, "line", labels, series, alt))
    return section


def _goals(goals: list[db.GoalRow], minimum: int, words: Words) -> Section:
    section = words.section("goals")
    days = [
        (g.completed_at - g.created_at).total_seconds() / 86400
        for g in goals
        if g.completed_at is not None
    ]
    spread = Counter(_bucket(100 if g.completed_at else g.progress) for g in goals)
    cells = Cells(minimum)
    cells.count("goals", len(goals))
    buckets = [cells.people(b, spread[b]) for b in BUCKETS]
    cells.sum("goals", buckets)
    # The 100% bucket is the completed goals and any others at 100%.
    full: list[Hashable] = [cells.count("completed", len(days))]
    if spread["100%"] > len(days):
        full.append(cells.count("at 100%", spread["100%"] - len(days)))
    cells.sum("100%", full)
    section.figures = [
        words.figure("goals", cells.show("goals")),
        words.figure("smart", sum(1 for g in goals if g.smart)),
        words.figure("completed", cells.show("completed")),
        words.figure("days_to_complete", HIDDEN if "completed" in cells.hidden else _median(days)),
    ]
    rows: list[list[Any]] = [[b, cells.show(b)] for b in BUCKETS]
    section.tables = [words.table("goals_progress", ["progress", "goals"], rows)]
    chart = _bars("goals_progress", "goals", rows, words)
    section.charts = [chart] if chart else []
    return section


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else NONE


BUCKETS = ("none yet", "1-24%", "25-49%", "50-74%", "75-99%", "100%")


def _bucket(progress: int | None) -> str:
    if progress is None or progress == 0:
        return "none yet"
    if progress >= 100:
        return "100%"
    return ["1-24%", "25-49%", "50-74%", "75-99%"][min(progress // 25, 3)]


def _feedback(rows: list[db.FeedbackRow], minimum: int, words: Words) -> Section:
    section = words.section("feedback")
    sessions = [r for r in rows if r.kind == "session" and r.rating is not None]
    by_month: dict[str, list[db.FeedbackRow]] = defaultdict(list)
    for r in sessions:
        by_month[r.created_at.strftime("%Y-%m")].append(r)
    cells = Cells(minimum)
    cells.people("raters", len({r.member_id for r in sessions}))
    table: list[list[Any]] = []
    for month in sorted(by_month):
        group = by_month[month]
        key = cells.people(("month", month), len({r.member_id for r in group}))
        ratings = [float(r.rating or 0) for r in group]
        table.append([month, cells.show(key), cells.mean(ratings, key)])
    # Fit answers add up to no total the report shows: each small one is hidden alone.
    fits = Counter(r.fit for r in rows if r.kind == "fit" and r.fit)
    answers = [cells.people(("fit", a), n) for a, n in sorted(fits.items())]
    mean = cells.mean([float(r.rating or 0) for r in sessions], "raters") if sessions else NONE
    section.figures = [
        words.figure("raters", cells.show("raters")),
        words.figure("rating", mean),
    ]
    fit_rows: list[list[Any]] = [[key[1], cells.show(key)] for key in answers]
    section.tables = [
        words.table("feedback_ratings", ["month", "people", "mean rating"], table),
        words.table("feedback_fit", ["answer", "answers"], fit_rows),
    ]
    points = [(str(m), float(v)) for m, _, v in table if isinstance(v, float)]
    if points:
        alt = words("alt.feedback_ratings", values=", ".join(f"{m} {v:g}" for m, v in points))
        series: dict[str, list[float | None]] = {words("series.rating"): [v for _, v in points]}
        title = words("chart.feedback_ratings")
        labels = [m for m, _ in points]
        chart = Chart("feedback_ratings", title, "line", labels, series, alt, top=5)
        section.charts.append(chart)
    return section


def _scale_values(rows: list[db.SurveyRow], survey: str, key: str) -> list[int]:
    return [int(a[key]) for _m, sv, a, _w in rows if sv == survey and isinstance(a.get(key), int)]


def _surveys(rows: list[db.SurveyRow], minimum: int, words: Words) -> Section:
    section = words.section("surveys")
    cells = Cells(minimum)
    table: list[list[Any]] = []
    means: dict[str, list[float | None]] = {s: [] for s in SURVEYS}
    names = {scale: words.prompts.text(f"survey.scale_{scale}") for scale in SCALES}
    labels = []
    for scale in SCALES:
        row: list[Any] = [scale]
        for survey in SURVEYS:
            values = [float(v) for v in _scale_values(rows, survey, scale)]
            n = cells.people((survey, scale), len(values))
            row += [cells.show(n), cells.mean(values, n)]
        table.append(row)
        if isinstance(row[2], float) and isinstance(row[4], float):
            labels.append(names[scale])
            means["mid"].append(row[2])
            means["end"].append(row[4])
    for survey, key in (("mid", "continue"), ("end", "continue_after")):
        intent = _scale_values(rows, survey, key)
        if len(intent) >= minimum:
            risk = cells.show(cells.people(("risk", survey), sum(1 for v in intent if v <= 2)))
            name = words.prompts.text(f"survey.name_{survey}")
            figure = words.figure("dropping_out", f"{risk} of {len(intent)}", survey=name)
            section.figures.append(replace(figure, key=f"dropping_out_{survey}"))
    headers = ["scale", "mid n", "mid mean", "end n", "end mean"]
    section.tables = [words.table("surveys", headers, table)]
    section.tables[0].words = names
    if labels:
        shown = "; ".join(
            f"{lab} " + words("alt.then", first=m, second=e)
            for lab, m, e in zip(labels, means["mid"], means["end"], strict=True)
        )
        alt = words("alt.surveys", values=shown)
        series = {words(f"series.{s}"): means[s] for s in SURVEYS}
        title = words("chart.surveys")
        section.charts.append(Chart("surveys", title, "bar", labels, series, alt, top=5))
    return section


def _requests(rows: list[db.RequestRow], words: Words) -> Section:
    section = words.section("requests")
    waits = [(r.claimed_at - r.created_at).total_seconds() / 3600 for r in rows if r.claimed_at]
    section.figures = [
        words.figure("opened", len(rows)),
        words.figure("claimed", len(waits)),
        words.figure("hours_to_claim", _median(waits)),
    ]
    return section


_DAY = timedelta(days=1)
