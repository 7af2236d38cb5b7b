"""The program report's numbers: sections of headline figures, tables and charts.

The report's own sections (who joined, how matching went) come first, then each section a
capability registered (``registry.report_section``), in help order; a section is built from
a :class:`~bot.report_parts.ReportScope` in ``bot.report_parts``' types.

Privacy: every figure that counts or averages people is shown only for groups of at least
``[surveys] min_group_size`` people; a smaller group is reported as hidden, never as its
number, so narrowing the period can't single anyone out. Cells that add up to a total shown
anywhere on the page are hidden together (``bot.suppression``: one ledger for the whole page,
the sections built twice), so a hidden count never follows from the others. Free text is never read.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.prompts import Prompts
from bot.registry import Registry, registered
from bot.report import compare
from bot.report.summary import register as register_summary
from bot.report.summary import summary_section
from bot.report_parts import (
    BUCKETS,
    NONE,
    Chart,
    Figure,
    Period,
    ReportScope,
    Section,
    Table,
    Words,
    bars,
)
from bot.suppression import HIDDEN, PAIRS_FORMED, PEOPLE_JOINED, Cells, joined, status
from bot.time.zones import get_zone
from storage import report as db
from storage.models import EndReason, MemberStatus, PairStatus, Program, ProgramKind

__all__ = [  # the parts, here too for the report's readers
    "BUCKETS",
    "HIDDEN",
    "NONE",
    "Chart",
    "Figure",
    "Report",
    "Section",
    "Table",
    "build",
]


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
    against: compare.Against | None = None  # what the report is compared with, if anything
    compared: dict[str, compare.Compared] = field(default_factory=dict)  # by summary figure
    language: str = "en"  # the language the page is written in (its <html lang>)

    def table(self, name: str) -> Table:
        """One table by name."""
        return next(t for s in self.sections for t in s.tables if t.name == name)

    def figures(self) -> dict[str, str]:
        """Every headline figure's value by ``section.key``."""
        return {f"{s.key}.{f.key}": f.value for s in self.sections for f in s.figures}


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
    registry: Registry | None = None,
    against: compare.Against | None = None,
) -> Report:
    """The report of ``program`` for [start, end] (whole local days in ``zone``), worded by
    ``prompts``, with the sections ``registry``'s capabilities registered (by default those of
    every capability found); with ``against`` (``bot.report.against``), each summary rate
    beside the other report's, through this page's ledger.
    """
    assert program.id is not None
    tz = get_zone(zone)
    period = _period(start, end, tz)
    minimum = settings.surveys.min_group_size
    words = Words(prompts)
    pid = program.id
    members = db.members(session=session, program_id=pid)
    pairs = [p for p in db.pairs(session=session, program_id=pid) if period.has(p.started_at)]
    members = [_as_of(m, now) for m in members]
    cells = Cells(minimum, drafting=True)
    scope = ReportScope(session, program, settings, period, minimum, words, pairs, now, cells)
    latest = db.latest_round(session=session, program_id=pid)
    parts = (registry or registered()).report

    def sections() -> list[Section]:
        zone = settings.program.default_timezone
        own = [
            _participation(members, period, cells, zone, words),
            _matching(pairs, latest, cells, words, circles=program.kind == ProgramKind.CIRCLES),
        ]
        built = own + [part.build(scope) for part in parts]
        register_summary(scope, members)  # the summary's counts, on the same ledger
        return built

    if against is not None:
        compare.register(cells, against)
    sections()  # learns every cell and sum of the page (bot.suppression)
    cells.settle()
    built = sections()
    summary = summary_section(scope, members, built)
    built.insert(0, summary)
    found = compare.compared(summary, against, cells, words) if against else {}
    if against is not None:
        summary.tables.append(compare.table(summary, against, found, words))
    known = set(prompts.keys())
    for chart in (c for s in built for c in s.charts):
        _axes(chart, prompts, known)
    generated = now.astimezone(tz)
    page = _page(words, program.name, start, end, minimum, generated)
    return Report(
        program.name, start, end, generated, minimum, built, page, against, found, prompts.locale
    )


def _period(start: date | None, end: date | None, tz: tzinfo) -> Period:
    """Whole local days from ``start`` to ``end`` (either open)."""
    return Period(
        datetime.combine(start, time(), tzinfo=tz) if start else None,
        datetime.combine(end, time(), tzinfo=tz) + _DAY if end else None,
    )


def _axes(chart: Chart, prompts: Prompts, known: set[str]) -> None:
    """Fill a chart's axis titles from ``report.axis.<name>_x``/``_y`` where it has none."""
    for axis in ("x", "y"):
        key = f"report.axis.{chart.name}_{axis}"
        if not getattr(chart, f"{axis}_title") and key in known:
            setattr(chart, f"{axis}_title", prompts.text(key))


def _page(
    words: Words,
    program: str,
    start: date | None,
    end: date | None,
    minimum: int,
    generated: datetime,
) -> dict[str, str]:
    """The page's own words."""
    if start and end:
        period = words("page.between", start=start.isoformat(), end=end.isoformat())
    elif start:
        period = words("page.since", start=start.isoformat())
    elif end:
        period = words("page.until", end=end.isoformat())
    else:
        period = words("page.whole")
    stamp = generated.strftime("%Y-%m-%d %H:%M %Z")
    return {
        "title": words("page.title", program=program),
        "meta": words("page.meta", period=period, generated=stamp),
        "privacy": words("page.privacy", minimum=minimum),
        "numbers": words("page.numbers"),
        "empty": words("page.empty"),
        "legend": words("page.legend", minimum=minimum),
        "scroll": words("page.scroll"),
        # a summary line without its number: "Mentees who got a mentor: hidden"
        "line": words("line_without_value", label="{label}", value="{value}"),
        HIDDEN: words("value_hidden"),
        NONE: words("value_none"),
    }


def _as_of(member: db.MemberRow, now: datetime) -> db.MemberRow:
    """``member`` with the status they have at ``now``: a break that has run out is over
    (the stored status is cleared only when they next act, see ``Ctx.effective_status``).
    """
    over = member.paused_until is not None and member.paused_until <= now
    if member.status == MemberStatus.PAUSED and over:
        return member._replace(status=MemberStatus.ACTIVE, paused_until=None)
    return member


def _participation(
    members: list[db.MemberRow],
    period: Period,
    cells: Cells,
    default_zone: str,
    words: Words,
) -> Section:
    joined_ = [m for m in members if period.has(m.joined_at)]
    cells.people(PEOPLE_JOINED, len(joined_))
    roles = Counter(m.role for m in joined_)
    zones = Counter(m.timezone or default_zone for m in joined_)
    role_keys = [cells.people(joined("role", r), n) for r, n in sorted(roles.items())]
    zone_keys = [cells.people(joined("zone", z), n) for z, n in sorted(zones.items())]
    cells.sum(PEOPLE_JOINED, role_keys)
    cells.sum(PEOPLE_JOINED, zone_keys)
    counted = Counter(m.status for m in members)
    states = [cells.people(status(s.value), counted[s]) for s in MemberStatus]
    # Statuses count everyone in the program: the joined figure when the period holds all,
    # else a total the report doesn't show but a report of the whole program would.
    whole = len(joined_) == len(members)
    everyone = PEOPLE_JOINED if whole else cells.count("everyone", len(members), known=True)
    cells.sum(everyone, states)
    section = words.section("participation")
    section.figures = [words.figure("joined", cells.show(PEOPLE_JOINED))]
    section.figures += [words.figure(s.value, cells.show(status(s.value))) for s in MemberStatus]
    by_role = [[key[2], cells.show(key)] for key in role_keys]
    by_zone = [[key[2], cells.show(key)] for key in zone_keys]
    section.tables = [
        words.table("participation_by_role", ["role", "people"], by_role),
        words.table("participation_by_zone", ["time zone", "people"], by_zone),
    ]
    chart = bars("participation_by_role", "people", by_role, words)
    section.charts = [chart] if chart else []
    return section


def _end_category(reason: str | None) -> str:
    """An end reason as a category (never a person's words): one of ``EndReason``'s."""
    known = {r.value for r in EndReason}
    return reason if reason in known else "other"


def _matching(
    pairs: list[db.PairRow],
    latest: dict[str, Any] | None,
    cells: Cells,
    words: Words,
    *,
    circles: bool = False,
) -> Section:
    """Pairs formed, still active and ended (with why), their fit, and who the latest round
    left out; a circles program's pairs are its circles (the figure's key stays ``pairs``).
    """
    ended = Counter(_end_category(p.end_reason) for p in pairs if p.status == PairStatus.ENDED)
    active = sum(1 for p in pairs if p.status == PairStatus.ACTIVE)
    for key, n in ((_PAIRS, len(pairs)), (_ACTIVE, active)):
        cells.count(key, n)
    cells.count(_ENDED, sum(ended.values()))
    # A reason's pairs are a group of people (two each): a small one is hidden.
    reasons = [cells.people(("matching", "ended", r), n) for r, n in sorted(ended.items())]
    cells.sum(_ENDED, reasons)
    if len(pairs) == active + sum(ended.values()):
        cells.sum(_PAIRS, [_ACTIVE, _ENDED])
    left_out = Counter(str(r) for _m, r in (latest or {}).get("unmatched", []))
    cells.people(_LEFT_OUT, sum(left_out.values()))
    why = [cells.people(("matching", "why", r), n) for r, n in sorted(left_out.items())]
    cells.sum(_LEFT_OUT, why)
    scores = [p.score for p in pairs]
    section = words.section("matching")
    section.figures = [
        Figure(
            "pairs", words(f"figure.{'circles' if circles else 'pairs'}"), str(cells.show(_PAIRS))
        ),
        words.figure("still_active", cells.show(_ACTIVE)),
        words.figure("ended", cells.show(_ENDED)),
        words.figure("fit_score", f"{statistics.fmean(scores):.1f}" if scores else NONE),
        words.figure("left_out", cells.show(_LEFT_OUT)),
    ]
    text = words.prompts.text
    rows: list[list[Any]] = [
        [text(f"pairs.end_reason.{key[2]}"), cells.show(key)] for key in reasons
    ]
    left = [[text(f"match.unmatched_reason.{key[2]}"), cells.show(key)] for key in why]
    section.tables = [
        words.table("matching_ended", ["reason", "pairs"], rows),
        words.table("matching_unmatched", ["why", "people"], left),
    ]
    return section


_DAY = timedelta(days=1)
_PAIRS, _ACTIVE, _ENDED = PAIRS_FORMED, ("matching", "still_active"), ("matching", "ended")
_LEFT_OUT = ("matching", "left_out")  # people left out of the latest round
