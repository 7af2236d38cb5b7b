"""The summary a funder reads: the mentee figure (mentors are not "matched"), each survey
headline as a verdict from its interval, warning signs when the data has them, and a period
report whose summary agrees with its own per-month table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.app import load_prompts
from bot.report.figures import Report, build
from bot.report.summary import verdict
from fakes.outcomes import Truth, generate
from storage.engine import transaction
from storage.models import Feedback, Member, Program, SurveyResponse

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _report(bot, settings, **period: date) -> Report:  # type: ignore[no-untyped-def]
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        return build(s, program, settings, now=NOW, prompts=load_prompts(), **period)


def _summary(report: Report) -> dict[str, object]:
    section = next(s for s in report.sections if s.key == "summary")
    return {f.key: f for f in section.figures}


def _answers(bot, truth: Truth) -> None:  # type: ignore[no-untyped-def]
    """Only 40 mentees answer both surveys: belonging 2 then 4 (or 3), intention to stay 4
    then 3, 4 or 5, and 10 of them 1-2 (a fall); 4 of 10 fit answers are "poor"."""
    with transaction(bot.engine) as s:
        mentees = s.exec(
            select(Member.id).where(Member.program_id == truth.program_id, Member.role == "mentee")
        ).all()[:40]
        old = select(SurveyResponse).where(SurveyResponse.program_id == truth.program_id)
        for row in s.exec(old):  # only these 40 answered
            s.delete(row)
        s.flush()
        for k, member in enumerate(mentees):
            end = {"belonging": 4 - k % 2, "continue": (1 + k % 2) if k < 10 else 3 + k % 3}
            for survey, day, answers in (
                ("mid", 40, {"belonging": 2, "continue": 4}),
                ("end", 80, end),
            ):
                s.add(
                    SurveyResponse(
                        program_id=truth.program_id,
                        member_id=member,
                        survey=survey,
                        answers=answers,
                        created_at=truth.start + timedelta(days=day),
                    )
                )
        for k, member in enumerate(mentees[:10]):
            fit = "poor" if k < 4 else "great"
            s.add(Feedback(member_id=member, kind="fit", helped=fit, created_at=truth.start))


def test_the_summary_says_the_mentee_figure_verdicts_and_warnings(bot, settings):
    """150 mentees and 50 mentors in 50 pairs: "33% of mentees got a mentor (50 of 150)";
    belonging rose by 1.5 in the same 40 people ("A rise"), intention to stay fell (10 of
    them to 1-2); the random ratings average about 3 of 5, 4 of 10 fit answers are "not a
    good fit" and 10 of 40 think of dropping out at the end: three warning signs."""
    truth = generate(bot.engine, people=200, weeks=4, workspace="console")
    _answers(bot, truth)
    summary = _summary(_report(bot, settings))
    matched = summary["matched"]
    assert (matched.value, matched.count, matched.total) == ("33%", 50, 150)  # type: ignore[attr-defined]
    assert matched.label == "of mentees got a mentor (50 of 150)"  # type: ignore[attr-defined]
    belonging = summary["headline_belonging_change"]
    assert belonging.value == "A rise"  # type: ignore[attr-defined]
    assert belonging.label.startswith(  # type: ignore[attr-defined]
        "in sense of belonging from mid-program to end: +1.50 points on a 1-5 scale, "
        "in the 40 people who answered both (95% interval +1."
    )
    assert summary["headline_staying_change"].value == "A fall"  # type: ignore[attr-defined]
    assert [verdict(0.1, 0.3), verdict(-0.3, -0.1), verdict(-0.1, 0.2)] == [
        "rise",
        "fall",
        "unclear",
    ]
    warnings = {k: f.label for k, f in summary.items() if k.startswith("warning")}  # type: ignore[attr-defined]
    rating = sum(truth.ratings) / len(truth.ratings)
    assert warnings == {
        "warning_rating": f"the mean session rating is {rating:.1f} out of 5 (below 3.5)",
        "warning_fit": '4 of 10 fit answers say "not a good fit"',
        "warning_dropping": "10 of 40 people are thinking of dropping out at the end of the "
        "program",
    }


def test_a_period_s_summary_agrees_with_its_own_month_table(bot, settings):
    """Every pair was formed before the period: its people are still reached, and the
    summary's meetings are the period's cycles, as the per-month table counts them."""
    truth = generate(bot.engine, people=200, weeks=8, workspace="console")
    start, end = truth.start.date() + timedelta(days=14), truth.start.date() + timedelta(days=41)
    report = _report(bot, settings, start=start, end=end)
    summary = _summary(report)
    assert summary["reached"].value == "200"  # type: ignore[attr-defined]
    days = [d for d in truth.planned if start <= d <= end]
    planned, held = sum(truth.planned[d] for d in days), sum(truth.held[d] for d in days)
    assert planned > 0
    meetings = summary["held"]
    assert (meetings.count, meetings.total) == (held, planned)  # type: ignore[attr-defined]
    months = report.table("rates_by_month").rows
    assert sum(int(row[2]) for row in months) == planned
    assert round(sum(row[1] * row[2] / 100 for row in months)) == held
    assert summary["matched"].total == 150  # type: ignore[attr-defined]
