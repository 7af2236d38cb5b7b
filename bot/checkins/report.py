"""Check-ins' part of the program report: meetings planned and held per cycle, the first
meeting, stalled pairs; and the meetings chart of the weekly digest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session

from bot.pairs.health import Health, pair_health
from bot.prompts import Prompts
from bot.report_parts import Chart, ReportScope, Section, Words, median
from storage import report as db
from storage.models import CheckInOutcome, PairStatus, Program


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


def meetings_section(scope: ReportScope) -> Section:
    """Meetings planned and held in the period's cycles, of every pair that met then (a pair
    formed before the period counts too); first meetings and health of the period's pairs.
    """
    words, pairs = scope.words, scope.pairs
    checkins = [
        c
        for c in db.checkins(session=scope.session, program_id=scope.program_id)
        if scope.period.has(c.cycle_on)
    ]
    section = words.section("meetings")
    planned, held, first_met = _cycles(checkins)
    outcomes = Counter(c.outcome for c in checkins)
    started = {p.pair_id: p.started_at for p in pairs if p.started_at is not None}
    days = [
        (when - started[pid]).total_seconds() / 86400
        for pid, when in first_met.items()
        if pid in started
    ]
    active = [p.pair_id for p in pairs if p.status == PairStatus.ACTIVE]
    now = scope.now or scope.period.end or datetime.now(UTC)
    states = Counter(
        h.state for h in pair_health(scope.session, active, now, scope.settings).values()
    )
    cycles = sorted(planned)
    rows: list[list[Any]] = [[d.isoformat(), len(planned[d]), len(held[d])] for d in cycles]
    total_planned = sum(len(planned[d]) for d in cycles)
    total_held = sum(len(held[d]) for d in cycles)
    section.figures = [
        words.rate("held", total_held, total_planned),
        words.figure("first_meeting", median(days)),
        words.figure("stalled", sum(states[h] for h in Health if h.at_risk)),
        words.figure("ghosting", states[Health.GHOSTING]),
        words.figure("not_yet", outcomes[CheckInOutcome.NOT_YET]),
        words.figure("rescheduled", outcomes[CheckInOutcome.RESCHEDULED]),
    ]
    section.tables = [words.table("meetings_per_cycle", ["cycle", "planned", "held"], rows)]
    if rows:
        section.charts.append(_per_cycle(rows, total_held, total_planned, words))
    return section


def _per_cycle(rows: list[list[Any]], held: int, planned: int, words: Words) -> Chart:
    """The line chart of the per-cycle table, with its text alternative."""
    series: dict[str, list[float | None]] = {
        words("series.planned"): [float(r[1]) for r in rows],
        words("series.held"): [float(r[2]) for r in rows],
    }
    alt = words(
        "alt.meetings_per_cycle",
        cycles=len(rows),
        first=rows[0][0],
        last=rows[-1][0],
        held=held,
        planned=planned,
        last_held=rows[-1][2],
        last_planned=rows[-1][1],
    )
    title = words("chart.meetings_per_cycle")
    labels = [str(r[0]) for r in rows]
    return Chart("meetings_per_cycle", title, "line", labels, series, alt)
