"""The report's one-screen summary, first on the page and in chat: people reached, matched
and waiting (with why), and each outcome as a rate with its n, in words a funder reads.

Built after the other sections, from their figures where they have them (so a hidden cell
stays hidden here), and from ``storage.reach`` for who was matched and who answered: those
counts go on the page's ledger in both of its builds (:func:`register`), linked to the cells
they equal, so a rate's n or the pairs formed never give a hidden count away.
A survey figure keyed ``headline_*`` (``bot.report_parts.SURVEY_HEADLINE``) is shown here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from bot.report_parts import (
    NONE,
    SURVEY_HEADLINE,
    SURVEYS_ANSWERED,
    Figure,
    ReportScope,
    Section,
    Table,
    Words,
    percent,
)
from bot.suppression import HIDDEN, PAIRS_FORMED, PEOPLE_JOINED, Cells, joined
from storage import reach
from storage import report as db
from storage.models import CheckInOutcome, ProgramKind
from storage.report import MemberRow

SECTION = "summary"
HEADLINE = SURVEY_HEADLINE


def summary_section(
    scope: ReportScope, members: list[MemberRow], sections: list[Section]
) -> Section:
    """The summary of the period: reach, matching, and the outcome rates of ``sections``."""
    words = scope.words
    shown = {f"{s.key}.{f.key}": f for s in sections for f in s.figures}
    keys = register(scope, members)
    section = words.section(SECTION)
    section.figures = [
        _reached(scope, keys),
        _matched(scope, keys),
        _waiting(scope, sections, shown),
        _rate_of(words, "held", shown.get("meetings.held")),
        _goals(words, shown),
        _checkins(scope),
        _surveys(scope),
    ]
    section.figures += _headlines(words, sections)
    section.figures += _warnings(words, sections, shown)
    return section


def active_in(member: MemberRow, scope: ReportScope) -> bool:
    """Whether ``member`` took part in the period: joined before its end, and had not left
    before its start.
    """
    period = scope.period
    end = period.end or scope.now
    joined = end is None or member.joined_at < end
    left = period.start is not None and member.left_at is not None
    return joined and not (left and member.left_at < period.start)  # type: ignore[operator]


REACHED, WAITING = ("summary", "reached"), ("summary", "waiting")  # the page ledger's keys
MATCHED = ("summary", "matched")
ANSWERED = ("summary", "surveys_answered")  # when no surveys section counted them


@dataclass(frozen=True)
class Reach:
    """The summary's cells of people on the page's ledger: those reached, those who wait for
    a partner (the matched rate's n) and whom they are (``who``: a prompt key's suffix).
    """

    reached: Hashable
    waiting: Hashable
    who: str


def register(scope: ReportScope, members: list[MemberRow]) -> Reach:
    """Put the summary's counts on the page's ledger (``scope.cells``), linked to the cells
    they equal or add up with: people reached are the people who joined (by role) when the
    period holds them all; the matched rate's n is the waiting roles' cell; the pairs formed
    are the mentees matched (the peers matched are twice them) when the numbers say so.
    Called in both builds of the page (``bot.report.figures.build``), and by the summary.
    """
    cells = scope.cells
    reached = [m for m in members if active_in(m, scope)]
    joined_ = {m.member_id for m in members if scope.period.has(m.joined_at)}
    roles = Counter(m.role for m in reached)
    if joined_ == {m.member_id for m in reached}:
        total: Hashable = PEOPLE_JOINED
        keys: dict[str, Hashable] = {r: joined("role", r) for r in roles}
    else:
        total = cells.people(REACHED, len(reached))
        keys = {r: cells.people((*REACHED, r), n) for r, n in sorted(roles.items())}
        cells.sum(total, keys.values())
    waiting_roles = sorted(r for r in roles if r != "mentor")
    if len(waiting_roles) == 1:
        waiting = keys[waiting_roles[0]]
    else:
        waiting = cells.people(WAITING, sum(roles[r] for r in waiting_roles))
        cells.sum(waiting, [keys[r] for r in waiting_roles])
    matched = _matched_count(scope, [m for m in reached if m.role != "mentor"])
    cells.people(MATCHED, matched)  # shown only beside its n (``_rate``: hidden with it)
    _link_pairs(scope, matched)
    if answered_invitations(cells) is None:
        cells.people(ANSWERED, len(_sent(scope) & _answers(scope)))
    who = (
        ""
        if set(waiting_roles) <= {"mentee"}
        else "_peers"
        if waiting_roles == ["peer"]
        else "_both"
    )
    return Reach(total, waiting, who)


def _link_pairs(scope: ReportScope, matched: int) -> None:
    """The pairs formed in the period, as the mentees (or half the peers) matched, when they
    are as many: the one would give the other away.
    """
    formed = len(scope.pairs)
    if PAIRS_FORMED not in scope.cells.counts or not formed:
        return
    if scope.program.kind == ProgramKind.MENTORING and formed == matched:
        scope.cells.sum(MATCHED, [PAIRS_FORMED])
    elif scope.program.kind == ProgramKind.PEER and 2 * formed == matched:
        scope.cells.sum(MATCHED, [PAIRS_FORMED, PAIRS_FORMED])


def _matched_count(scope: ReportScope, waiting: list[MemberRow]) -> int:
    """How many of ``waiting`` were in a pair that started before the period's end."""
    matched_at = reach.matched_members(session=scope.session, program_id=scope.program_id)
    end = scope.period.end or scope.now
    return sum(
        1
        for m in waiting
        if m.member_id in matched_at and (end is None or matched_at[m.member_id] < end)
    )


def _reached(scope: ReportScope, keys: Reach) -> Figure:
    """People reached: everyone active in the period (the people who joined when the period
    holds them all), hidden as the ledger hides them.
    """
    value = scope.cells.show(keys.reached)
    if value == HIDDEN:
        return _alone(scope.words, "reached", HIDDEN)
    return _figure(scope.words, "reached", value)


def _matched(scope: ReportScope, keys: Reach) -> Figure:
    """The mentees (and peers) reached who got a partner by the period's end: mentors are
    not counted into "matched"; the sentence says whom it counts. Hidden whole when either
    the count or its n is.
    """
    cells = scope.cells
    figure = _rate(scope.words, f"matched{keys.who}", cells.show(MATCHED), cells.show(keys.waiting))
    return Figure("matched", figure.label, figure.value, figure.count, figure.total)


def _figure(words: Words, key: str, value: object, **values: object) -> Figure:
    return Figure(key, words(f"summary.{key}", **values), str(value))


def _alone(words: Words, key: str, value: str) -> Figure:
    """A summary figure without a number (``HIDDEN`` or ``NONE``): its words stand alone, so
    its line reads "Mentees who got a mentor: hidden".
    """
    return Figure(key, words(f"summary.alone.{key}"), value)


def _rate(words: Words, key: str, count: object, total: object) -> Figure:
    """A summary rate: the percentage as the value, the sentence with its n as the label;
    hidden whole when its count or its n is hidden, and said in words when there is nothing
    to count.
    """
    if not isinstance(count, int) or not isinstance(total, int):
        return _alone(words, key, HIDDEN)
    if not total:  # nothing to count: its n (0) is still a number (figures.csv, compare)
        alone = _alone(words, key, NONE)
        return Figure(alone.key, alone.label, NONE, count, total)
    value = percent(count, total) + "%"
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
    if goals is not None and goals.value == HIDDEN:
        return _rate(words, "goals", HIDDEN, HIDDEN)
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
    if value == HIDDEN:
        return _alone(words, "waiting", HIDDEN)
    key = "waiting_why" if why else "waiting"
    return Figure("waiting", words(f"summary.{key}", why=why), value)


def _checkins(scope: ReportScope) -> Figure:
    """Check-in questions answered out of those asked (due by now) in the period's cycles,
    of every pair (as the meetings section counts them).
    """
    now = scope.now
    asked = [
        a
        for a in reach.checkin_asks(session=scope.session, program_id=scope.program_id)
        if scope.period.has(a.cycle_on)
        and (now is None or (a.due_at is not None and a.due_at <= now))
    ]
    answered = sum(1 for a in asked if a.outcome != CheckInOutcome.PENDING)
    return _rate(scope.words, "checkins", answered, len(asked))


def _surveys(scope: ReportScope) -> Figure:
    """Survey invitations sent in the period that were answered (the count the surveys
    section put on the page's ledger, or the summary's own there: hidden as it is there).
    """
    counted = answered_invitations(scope.cells)
    answered = scope.cells.show(ANSWERED) if counted is None else counted
    return _rate(scope.words, "surveys", answered, len(_sent(scope)))


def _sent(scope: ReportScope) -> set[tuple[int, str]]:
    """The survey invitations sent in the period, by member and survey."""
    return {
        (i.member_id, i.survey)
        for i in reach.survey_invitations(session=scope.session, program_id=scope.program_id)
        if scope.period.has(i.sent_at)
    }


def _answers(scope: ReportScope) -> set[tuple[int, str]]:
    """The survey answers given in the period, by member and survey."""
    return {
        (m, s)
        for m, s, _a, when in db.surveys(session=scope.session, program_id=scope.program_id)
        if scope.period.has(when)
    }


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


def _table(sections: list[Section], name: str) -> Table | None:
    return next((t for s in sections for t in s.tables if t.name == name), None)


def verdict(low: float, high: float) -> str:
    """A change's verdict from its 95% interval: "rise" when all of it is above 0, "fall"
    when all of it is below, else "unclear" (no clear change).
    """
    return "rise" if low > 0 else "fall" if high < 0 else "unclear"


def _headlines(words: Words, sections: list[Section]) -> list[Figure]:
    """Each survey headline (the surveys section's ``headline_*`` figures) as a verdict in
    plain words from its 95% interval in the paired-change table, with its n and the scale;
    as the surveys section shows it when there is no interval (hidden, nobody, one person).
    """
    heads = [
        f for s in sections if s.key == "surveys" for f in s.figures if f.key.startswith(HEADLINE)
    ]
    change = _table(sections, "surveys_change")
    chart = next((c for s in sections for c in s.charts if c.name == "surveys"), None)
    top = f"1-{chart.top:g}" if chart is not None and chart.top else "1-5"
    rows = {} if change is None else {change.words.get(r[0], r[0]): r for r in change.rows}
    out = []
    for figure in heads:
        row = next((r for name, r in rows.items() if figure.label.startswith(f"{name}:")), None)
        numbers = row[1:5] if row is not None else []
        if len(numbers) < 4 or not all(isinstance(v, int | float) for v in numbers):
            out.append(figure)
            continue
        n, mean, low, high = numbers
        scale = next(name for name, r in rows.items() if r is row)
        label = words(
            f"summary.change_{verdict(low, high)}",
            scale=scale,
            change=f"{mean:+.2f}",
            low=f"{low:+.2f}",
            high=f"{high:+.2f}",
            n=n,
            range=top,
        )
        value = words(f"summary.verdict_{verdict(low, high)}")
        out.append(Figure(figure.key, label, value, change=(mean, low, high, n)))
    return out


LOW_RATING = 3.5  # a mean session rating (1-5) below this is a warning sign
POOR_FITS = 0.2  # "not a good fit" in at least this share of the fit answers is one
DROPPING = 0.2  # thinking of dropping out in at least this share at the end is one


def _warnings(words: Words, sections: list[Section], shown: dict[str, Figure]) -> list[Figure]:
    """Warning signs a funder should see, when the shown figures have them: a low mean
    session rating, many "not a good fit" answers, many thinking of dropping out at the end.
    """
    out = []
    rating = _number(shown.get("feedback.rating"))
    if rating is not None and rating < LOW_RATING:
        label = words("summary.warning_rating", rating=f"{rating:.1f}", below=LOW_RATING)
        out.append(Figure("warning_rating", label, words("summary.warning")))
    fits = _table(sections, "feedback_fit")
    counts = {str(r[0]): r[1] for r in fits.rows} if fits else {}
    if counts and all(isinstance(v, int) for v in counts.values()):
        poor, total = int(counts.get("poor", 0)), sum(int(v) for v in counts.values())
        if total and poor / total >= POOR_FITS:
            label = words("summary.warning_fit", count=poor, total=total)
            out.append(Figure("warning_fit", label, words("summary.warning"), poor, total))
    said = shown.get("surveys.dropping_out_end")
    parts = said.value.split(" ") if said else []
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit() and int(parts[2]):
        count, total = int(parts[0]), int(parts[2])
        if count / total >= DROPPING:
            label = words("summary.warning_dropping", count=count, total=total)
            out.append(Figure("warning_dropping", label, words("summary.warning"), count, total))
    return out


def _number(figure: Figure | None) -> float | None:
    try:
        return float(figure.value) if figure is not None else None
    except ValueError:
        return None
