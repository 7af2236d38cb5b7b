"""Requests' part of the program report: requests opened, claimed, and how soon."""

from __future__ import annotations

from bot.report_parts import ReportScope, Section, median
from storage import report as db


def requests_section(scope: ReportScope) -> Section:
    """Mentor requests opened in the period and the median wait for a mentor."""
    rows = [
        r
        for r in db.requests(session=scope.session, program_id=scope.program_id)
        if scope.period.has(r.created_at)
    ]
    section = scope.words.section("requests")
    waits = [(r.claimed_at - r.created_at).total_seconds() / 3600 for r in rows if r.claimed_at]
    section.figures = [
        scope.words.figure("opened", len(rows)),
        scope.words.figure("claimed", len(waits)),
        scope.words.figure("hours_to_claim", median(waits)),
    ]
    return section
