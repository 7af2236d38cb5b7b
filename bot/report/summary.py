"""The report's one-screen summary, first on the page and in chat: people reached, matched
and waiting (with why), and each outcome as a rate with its n, in words a funder reads.

Built after the other sections, from their figures where they have them (so a hidden cell
stays hidden here), and from ``storage.reach`` for who was matched and who answered.
A survey figure keyed ``headline_*`` (``bot.report_parts.SURVEY_HEADLINE``) is shown here too.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.report_parts import (
    NONE,
    SURVEY_HEADLINE,
    SURVEYS_ANSWERED,
    Figure,
    ReportScope,
    Section,
    Words,
    percent,
)
from bot.suppression import HIDDEN, Cells
from storage import reach
from storage import report as db
from storage.models import CheckInOutcome
from storage.report import MemberRow

SECTION = "summary"


def summary_section(
    scope: ReportScope, joined: list[MemberRow], sections: list[Section]
) -> Section:
    """The summary of the period: reach, matching, and the outcome rates of ``sections``."""
    words = scope.words
    shown = {f"{s.key}.{f.key}": f for s in sections for f in s.figures}
    matched_at = reach.matched_members(session=scope.session, program_id=scope.program_id)
    matched = sum(1 for m in joined if m.member_id in matched_at)
    # Reached is the participation section's joined figure, hidden as it is there.
    joined_shown = shown["participation.joined"].value
    cells = Cells(scope.minimum)
    cells.people("reached", len(joined))
    cells.people("matched", matched)
    cells.count("unmatched", len(joined) - matched)
    cells.sum("reached", ["matched", "unmatched"])
    hidden = joined_shown == HIDDEN or "reached" in cells.hidden
    section = words.section(SECTION)
    section.figures = [
        _figure(words, "reached", joined_shown),
        _rate(words, "matched", HIDDEN if hidden else cells.show("matched"), len(joined)),
        _waiting(scope, sections, shown),
        _rate_of(words, "held", shown.get("meetings.held")),
        _goals(words, shown),
        _checkins(scope),
        _surveys(scope),
    ]
    section.figures += [
        f
        for s in sections
        if s.key == "surveys"
        for f in s.figures
        if f.key.startswith(SURVEY_HEADLINE)
    ]
    return section


def _figure(words: Words, key: str, value: object, **values: object) -> Figure:
    return Figure(key, words(f"summary.{key}", **values), str(value))


def _rate(words: Words, key: str, count: object, total: int) -> Figure:
    """A summary rate: the percentage as the value, the sentence with its n as the label."""
    if not isinstance(count, int):
        return Figure(key, words(f"summary.{key}", count=count, total=total), HIDDEN)
    value = percent(count, total) + "%" if total else NONE
    return Figure(key, words(f"summary.{key}", count=count, total=total), value, count, total)


def _rate_of(words: Words, key: str, figure: Figure | None) -> Figure:
    """A section's rate figure, worded for the summary."""
    if figure is None or figure.count is None or figure.total is None:
        return _rate(words, key, HIDDEN if figure else 0, 0)
    return _rate(words, key, figure.count, figure.total)


def _goals(words: Words, shown: dict[str, Figure]) -> Figure:
    """Goals reached out of goals set, as the goals section shows them."""
    completed = shown.get("goals.completed")
    if completed is not None and completed.count is not None:
        return _rate_of(words, "goals", completed)
    goals = shown.get("goals.goals")
    total = int(goals.value) if goals and goals.value.isdigit() else 0
    return _rate(words, "goals", HIDDEN if total else 0, total)


def _waiting(scope: ReportScope, sections: list[Section], shown: dict[str, Figure]) -> Figure:
    """People left out of the latest round, and why (the matching table's shown rows)."""
    words = scope.words
    left = shown.get("matching.left_out")
    value = left.value if left else "0"
    rows: Iterable[list[object]] = next(
        (t.rows for s in sections for t in s.tables if t.name == "matching_unmatched"), []
    )
    why = "; ".join(f"{reason} ({n})" for reason, n in rows)
    key = "waiting_why" if why else "waiting"
    return Figure("waiting", words(f"summary.{key}", why=why), value)


def _checkins(scope: ReportScope) -> Figure:
    """Check-in questions answered out of those asked (due by now) in the period's cycles."""
    pairs = {p.pair_id for p in scope.pairs}
    now = scope.now
    asked = [
        a
        for a in reach.checkin_asks(session=scope.session, program_id=scope.program_id)
        if a.pair_id in pairs
        and scope.period.has(a.cycle_on)
        and (now is None or (a.due_at is not None and a.due_at <= now))
    ]
    answered = sum(1 for a in asked if a.outcome != CheckInOutcome.PENDING)
    return _rate(scope.words, "checkins", answered, len(asked))


def _surveys(scope: ReportScope) -> Figure:
    """Survey invitations sent in the period that were answered (the count the surveys
    section put on the page's ledger, hidden as it is there).
    """
    sent = {
        (i.member_id, i.survey)
        for i in reach.survey_invitations(session=scope.session, program_id=scope.program_id)
        if scope.period.has(i.sent_at)
    }
    counted = answered_invitations(scope.cells)
    if counted is not None:
        return _rate(scope.words, "surveys", counted, len(sent))
    answers = {
        (m, s) for m, s, _a, _w in db.surveys(session=scope.session, program_id=scope.program_id)
    }
    cells = Cells(scope.minimum)
    cells.people("answered", len(sent & answers))
    return _rate(scope.words, "surveys", cells.show("answered"), len(sent))


def answered_invitations(cells: Cells) -> int | str | None:
    """The survey invitations answered, as a surveys section put them on the ledger: their
    total, hidden when any survey's is (None when the section put none there).
    """
    keys = [k for k in cells.counts if isinstance(k, tuple) and k[:2] == SURVEYS_ANSWERED]
    if not keys:
        return None
    if any(k in cells.hidden for k in keys):
        return HIDDEN
    return sum(cells.counts[k] for k in keys)
