""" "Dropping out %" in the Who-it-worked-for tables comes from the survey instrument's
``[scoring] dropping_out`` rule, from one survey (the end-of-program one when answered),
with the same n as the Surveys section's figure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.app import load_prompts
from bot.report.figures import build
from bot.report.page import html
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Member, Program, SurveyResponse

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_dropping_out_counts_the_instrument_s_answers_of_the_end_survey(bot, settings):
    """Twelve mentees said 1 ("very unlikely to stay") at mid-point; at the end four said 1
    or 2 to the intention-to-stay question and all twelve 5 to "keep in touch". The rule
    (``continue`` answered 1-2) on the end survey: 4 of 12, as the Surveys section says."""
    truth = generate(bot.engine, people=60, weeks=2, workspace="console")
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        mentees = s.exec(
            select(Member.id).where(Member.program_id == program.id, Member.role == "mentee")
        ).all()[:12]
        for old in s.exec(select(SurveyResponse).where(col(SurveyResponse.member_id).in_(mentees))):
            s.delete(old)
        s.flush()
        for k, member in enumerate(mentees):
            for survey, day, answers in (
                ("mid", 40, {"continue": 1}),
                ("end", 80, {"continue": 1 + k % 2 if k < 4 else 4, "continue_after": 5}),
            ):
                s.add(
                    SurveyResponse(
                        program_id=program.id,
                        member_id=member,
                        survey=survey,
                        answers=answers,
                        created_at=truth.start + timedelta(days=day, hours=1),
                    )
                )
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        report = build(s, program, settings, now=NOW, prompts=load_prompts())
    everyone = {str(r[0]): r for r in report.table("outcomes_by_role").rows}["all"]
    assert (everyone[6], everyone[7]) == (round(100 * 4 / 12, 1), 12)
    assert report.figures()["surveys.dropping_out_end"] == "4 of 12"
    groups = next(s for s in report.sections if s.key == "groups")
    assert "end-of-program survey" in groups.note and "answered 1-2" in groups.note
    assert "end-of-program survey" in html(report)
