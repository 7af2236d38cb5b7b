"""Program surveys at the middle and the end of a program.

A program runs from ``starts_on`` to ``ends_on`` (or ``[surveys] program_weeks`` when admins
have not set an end). The mid-program survey falls halfway, the end survey on the last day.
On that day each active member who has been in the program for at least a week gets an
invitation at the program's check-in hour in their own zone (quiet hours and weekends
respected), through the outbox, once. A survey stays open ``open_days`` after it falls.
Answers are private: admins see averages only for groups of ``min_group_size`` or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.config import Settings
from bot.conversations.scripts import Script, ScriptContract
from bot.delivery import Target
from bot.errors import UserError
from bot.feedback.records import bar, summarize
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Reply, Section
from bot.spans import Text
from bot.surveys.instrument import SCORING, Instrument, read_scoring
from bot.time.nudges import LocalRules, nudge_instant
from storage import outbox as outbox_db
from storage import pairs as pairs_db
from storage import repo
from storage import surveys as surveys_db
from storage.models import (
    Conversation,
    Member,
    MemberStatus,
    Program,
    SurveyResponse,
)

if TYPE_CHECKING:
    from bot.context import Ctx

SURVEYS = ("mid", "end")
SURVEY_CONTRACT = ScriptContract(  # the questions are the script's; its [scoring] says what counts
    required={},
    placeholders=frozenset({"survey", "program"}),
    conditions=frozenset(SURVEYS),
    tables={SCORING: read_scoring},
)
MIN_DAYS_IN_PROGRAM = 7


@dataclass(frozen=True)
class Schedule:
    """When the program's surveys fall."""

    mid: date
    end: date

    def day(self, survey: str) -> date:
        """The day the ``survey`` ("mid" or "end") falls."""
        return self.mid if survey == "mid" else self.end


def schedule(program: Program, settings: Settings) -> Schedule:
    """The survey days from the program's dates (or ``program_weeks``)."""
    start = program.starts_on or program.created_at.date()
    end = program.ends_on or start + timedelta(weeks=settings.surveys.program_weeks)
    return Schedule(mid=start + (end - start) / 2, end=end)


def invite_key(program_id: int, member_id: int, survey: str) -> str:
    """The dedupe key of one person's invitation to one survey."""
    return f"survey:{program_id}:{member_id}:{survey}"


def survey_name(prompts: Prompts, survey: str) -> str:
    """The survey's name in words."""
    return prompts.text(f"survey.name_{survey}")


def invitation(prompts: Prompts, program: Program, survey: str, name: str) -> Message:
    """The invitation message with its start button."""
    return Message(
        (
            Section(
                prompts.render(
                    "survey.invitation",
                    name=name,
                    program=program.name,
                    survey=survey_name(prompts, survey),
                )
            ),
            Buttons((Button(prompts.text("button.survey_start"), f"survey {survey}", "primary"),)),
            Context(prompts.render("survey.invitation_hint")),
        )
    )


def queue_invitations(
    session: Session, *, now: datetime, settings: Settings, prompts: Prompts
) -> int:
    """Queue today's survey invitations (idempotent: one per member and survey, ever)."""
    if not settings.surveys.enabled:
        return 0
    queued = 0
    for program in repo.programs(session=session):
        assert program.id is not None
        plan = schedule(program, settings)
        for survey in SURVEYS:
            day = plan.day(survey)
            # Start a day early so people east of UTC get it on their local day.
            if not day - timedelta(days=1) <= now.date() <= day + timedelta(days=1):
                continue
            queued += _invite_program(session, program, survey, day, now, settings, prompts)
    return queued


def _invite_program(
    session: Session,
    program: Program,
    survey: str,
    day: date,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
) -> int:
    assert program.id is not None
    members = pairs_db.members_with_people(
        session=session, program_id=program.id, statuses=(MemberStatus.ACTIVE,)
    )
    sent = outbox_db.keys_with_prefix(session=session, prefix=f"survey:{program.id}:")
    answered = surveys_db.survey_respondents(session=session, program_id=program.id, survey=survey)
    hour = time(program.checkin_hour)
    closes = datetime.combine(day + timedelta(days=settings.surveys.open_days), hour, now.tzinfo)
    items: list[Outgoing] = []
    when: dict[LocalRules, datetime] = {}
    for member, person in members:
        assert member.id is not None
        key = invite_key(program.id, member.id, survey)
        if key in sent or member.id in answered:
            continue
        if member.joined_at.date() > day - timedelta(days=MIN_DAYS_IN_PROGRAM):
            continue
        rules = LocalRules.for_person(person, default_timezone=settings.program.default_timezone)
        at = when.get(rules)
        if at is None:
            at = when[rules] = max(nudge_instant(datetime.combine(day, hour), rules), now)
        target = Target(program.platform, program.workspace_id, "user", (person.platform_user_id,))
        items.append(
            Outgoing(
                dedupe_key=key,
                target=target,
                message=invitation(
                    prompts.for_person(person), program, survey, person.display_name
                ),
                not_before=at,
                expires_at=closes,
            )
        )
    return enqueue_many(session, items, now=now, program_id=program.id)


def open_survey(ctx: Ctx, wanted: str | None) -> str:
    """The survey someone may answer now (``wanted`` or whichever is open)."""
    program = ctx.program()
    plan = schedule(program, ctx.settings)
    today = ctx.now.astimezone(ctx.zone()).date()
    open_days = timedelta(days=ctx.settings.surveys.open_days)
    candidates = [wanted] if wanted else list(reversed(SURVEYS))
    for survey in candidates:
        day = plan.day(survey)
        if day <= today <= day + open_days:
            return survey
    if wanted:
        raise UserError(
            "survey.not_open",
            survey=survey_name(ctx.prompts, wanted),
            day=plan.day(wanted).isoformat(),
        )
    raise UserError("survey.none_open", mid=plan.mid.isoformat(), end=plan.end.isoformat())


def survey_context(ctx: Ctx, member: Member, survey: str) -> dict[str, object]:
    """The survey conversation's context: which survey, and the person's role."""
    program = ctx.program()
    assert program.id is not None
    assert member.id is not None
    done = surveys_db.survey_response(
        session=ctx.session, program_id=program.id, member_id=member.id, survey=survey
    )
    if done is not None:
        raise UserError("survey.already", survey=survey_name(ctx.prompts, survey))
    return {
        "key": f"survey:{survey}",
        "survey": survey,
        "flags": [survey],
        "values": {"survey": survey_name(ctx.prompts, survey), "program": program.name},
    }


def finish_survey(ctx: Ctx, conv: Conversation, script: Script) -> Reply:
    """Store the answers (once per person and survey) and thank them."""
    member = ctx.require_member()
    program = ctx.program()
    survey = str(conv.context["survey"])
    assert program.id is not None and member.id is not None
    exists = surveys_db.survey_response(
        session=ctx.session, program_id=program.id, member_id=member.id, survey=survey
    )
    if exists is not None:  # answered meanwhile in another window: keep the first answers
        return ctx.say("survey.already", survey=survey_name(ctx.prompts, survey))
    ctx.session.add(
        SurveyResponse(
            program_id=program.id,
            member_id=member.id,
            survey=survey,
            answers=dict(conv.answers),
            created_at=ctx.now,
        )
    )
    return ctx.say("survey.thanks")


def my_survey_answers(ctx: Ctx, member: Member) -> Reply:
    """The person's own survey answers, as they gave them."""
    from bot.conversations.runner import show_value

    script: Script = ctx.conversations().scripts["survey"]
    rows = surveys_db.survey_responses(session=ctx.session, member_id=member.id)
    if not rows:
        return ctx.say("survey.mine_none")
    parts: list[Part] = []
    for row in rows:
        parts.append(
            Section(ctx.t("survey.mine_header", survey=survey_name(ctx.prompts, row.survey)))
        )
        items = [
            (step.label, Text.user(show_value(step, row.answers[step.id])))
            for step in script.steps
            if step.id in row.answers and row.answers[step.id] is not None
        ]
        if items:
            parts.append(Fields(tuple(items)))
    parts.append(Context(ctx.t("survey.invitation_hint")))
    return Message(tuple(parts))


def admin_survey(ctx: Ctx, args: list[str]) -> Reply:
    """Survey results as averages, only when enough people answered to keep them anonymous."""
    program = ctx.program()
    assert program.id is not None
    survey = args[0].lower() if args else "mid"
    if survey not in SURVEYS or len(args) > 1:
        raise UserError("survey.admin_usage")
    minimum = ctx.settings.surveys.min_group_size
    answers = [
        r.answers
        for r in surveys_db.survey_responses(
            session=ctx.session, program_id=program.id, survey=survey
        )
    ]
    name = survey_name(ctx.prompts, survey)
    if len(answers) < minimum:
        return ctx.say("survey.admin_too_few", survey=name, count=len(answers), minimum=minimum)
    instrument: Instrument = ctx.conversations().scripts["survey"].tables[SCORING]
    rows: list[tuple[str, Text]] = [
        (ctx.prompts.text("survey.admin_respondents"), Text.trusted(str(len(answers))))
    ]
    for scale in instrument.scales:
        scores = [v for v in map(scale.score, answers) if v is not None]
        if len(scores) < minimum:
            continue
        one = len(scale.questions) == 1 and (scale.low, scale.high) == (1, 5)
        spread = f"   ({bar(summarize([int(v) for v in scores]))})" if one else ""
        rows.append(
            (
                scale.name,
                Text.trusted(f"{sum(scores) / len(scores):.1f} / {scale.high}{spread}"),
            )
        )
    rule = instrument.dropping_out
    said = [v for v in map(rule.says, answers) if v is not None]
    if len(said) >= minimum:
        at_risk = sum(said)
        rows.append(
            (
                ctx.prompts.text("survey.admin_at_risk", answers=rule.shown()),
                Text.trusted(f"{at_risk} of {len(said)} ({100 * at_risk / len(said):.0f}%)"),
            )
        )
    return Message(
        (
            Section(ctx.t("survey.admin_header", survey=name, program=program.name)),
            Fields(tuple(rows)),
            Context(ctx.t("survey.admin_privacy", minimum=minimum)),
        )
    )
