"""SMART goals and progress updates: what the goal and progress conversations store.

A member's goals are numbered 1, 2, 3 ... in the order they were set (the number people use in
``/mentor goal done 2``). A goal is visible to its owner and to the people they are paired
with, unless the owner made it private; nobody else ever sees it, admins included.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.conversations.runner import parse_date, show_value
from bot.conversations.scripts import Script, ScriptContract
from bot.delivery import Target
from bot.errors import UserError
from bot.outbox import enqueue
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Reply, Section
from bot.spans import Text
from bot.time.format import calendar_day
from storage import goals as goals_db
from storage import pairs as pairs_db
from storage import repo
from storage.models import Conversation, Goal, GoalStatus, GoalUpdate, Member, Person

if TYPE_CHECKING:
    from bot.context import Ctx

GOAL_CONTRACT = ScriptContract(
    required={
        "what": ("text",),
        "measure": ("text",),
        "by_when": ("date",),
        "share": ("yesno",),
    },
)
PROGRESS_CONTRACT = ScriptContract(
    required={"progress": ("number",), "blockers": ("text",)},
    placeholders=frozenset({"goal"}),
)
STORED_GOAL_FIELDS = {"what", "measure", "by_when", "share", "why", "first_milestone", "celebrate"}


def goals_of(session: Session, member_id: int) -> list[Goal]:
    """A member's goals in the order they were set (position + 1 is the goal's number)."""
    return goals_db.goals_of(session=session, member_id=member_id)


def latest_progress(session: Session, goal_ids: list[int]) -> dict[int, GoalUpdate]:
    """Each goal's most recent progress update."""
    return goals_db.latest_progress(session=session, goal_ids=goal_ids)


# -- the goal conversation ---------------------------------------------------------------------
def finish_goal(ctx: Ctx, conv: Conversation, script: Script) -> Reply:
    """Store the SMART goal from the answers and read it back."""
    member = ctx.require_member()
    assert member.id is not None
    a = conv.answers
    due = parse_date(a.get("by_when"))
    goal = Goal(
        member_id=member.id,
        title=str(a["what"]),
        measure=str(a.get("measure") or ""),
        due_on=due,
        why=str(a.get("why") or ""),
        first_milestone=str(a.get("first_milestone") or ""),
        private=not a.get("share", True),
        celebrate=bool(a.get("celebrate")),
        details={k: v for k, v in a.items() if k not in STORED_GOAL_FIELDS},
        status=GoalStatus.ACTIVE,
        created_at=ctx.now,
    )
    ctx.session.add(goal)
    ctx.session.flush()
    number = len(goals_of(ctx.session, member.id))
    rows: list[tuple[str, Text]] = []
    for step in script.steps:
        if step.id in a and step.kind != "yesno":
            rows.append((step.label, Text.user(show_value(step, a[step.id]))))
    visibility = "goal.visible_private" if goal.private else "goal.visible_partner"
    return Message(
        (
            Section(ctx.t("goal.saved", number=number)),
            Fields(tuple(rows)),
            *after_program_end(ctx, due),
            Context(ctx.t(visibility)),
            Context(ctx.t("goal.saved_hint", number=number)),
        )
    )


def after_program_end(ctx: Ctx, due: date | None) -> tuple[Part, ...]:
    """A friendly note when a goal is due after the program's last day (the goal stays)."""
    ends = ctx.program().ends_on
    if due is None or ends is None or due <= ends:
        return ()
    return (
        Section(
            ctx.t(
                "goal.after_program_end",
                due=_day(due, ctx.prompts.locale),
                ends=_day(ends, ctx.prompts.locale),
            )
        ),
    )


def _day(day: date, locale: str) -> Text:
    return Text.trusted(calendar_day(day, locale))


# -- progress updates --------------------------------------------------------------------------
def progress_context(ctx: Ctx, member: Member) -> dict[str, object]:
    """The progress conversation's context: which active goals to ask about."""
    assert member.id is not None
    active = [g for g in goals_of(ctx.session, member.id) if g.status == GoalStatus.ACTIVE]
    if not active:
        raise UserError("progress.no_goals")
    first = active[0]
    return {
        "key": "progress",
        "goal_ids": [g.id for g in active],
        "index": 0,
        "values": {"goal": first.title},
    }


def finish_progress(ctx: Ctx, conv: Conversation, script: Script) -> Reply:
    """Store the update for this goal, then move on to the next active goal, if any."""
    goal_ids: list[int] = list(conv.context.get("goal_ids", []))
    index = int(conv.context.get("index", 0))
    goal = ctx.session.get(Goal, goal_ids[index]) if index < len(goal_ids) else None
    parts: list[Part] = []
    if goal is not None:
        progress = conv.answers.get("progress")
        ctx.session.add(
            GoalUpdate(
                goal_id=goal.id,  # type: ignore[arg-type]
                progress=progress,
                blockers=str(conv.answers.get("blockers") or ""),
                note="",
                created_at=ctx.now,
            )
        )
        parts.append(Section(ctx.t("progress.saved", goal=goal.title, progress=progress)))
        if progress == 100 and goal.status == GoalStatus.ACTIVE:
            number = _number_of(ctx, goal)
            parts.append(
                Buttons(
                    (
                        Button(
                            ctx.prompts.text("button.goal_done"), f"goal done {number}", "primary"
                        ),
                    )
                )
            )
    remaining = [
        g
        for g in (ctx.session.get(Goal, gid) for gid in goal_ids[index + 1 :])
        if g is not None and g.status == GoalStatus.ACTIVE
    ]
    if remaining:
        nxt = remaining[0]
        context = {
            **conv.context,
            "goal_ids": goal_ids,
            "index": goal_ids.index(nxt.id),  # type: ignore[arg-type]
            "values": {"goal": nxt.title},
            "coached": [],
            "drafts": {},
        }
        question = ctx.conversations().restart(ctx, conv, context)
        return Message((*parts, *question.parts))
    parts.append(Context(ctx.t("progress.all_done")))
    return Message(tuple(parts))


def _number_of(ctx: Ctx, goal: Goal) -> int:
    ids = [g.id for g in goals_of(ctx.session, goal.member_id)]
    return ids.index(goal.id) + 1


# -- listing, completing, sharing ----------------------------------------------------------------
def goal_lines(ctx: Ctx, items: list[tuple[int, Goal]], *, numbered: bool) -> list[Part]:
    """Goals as lines with progress, due date, measure and blockers."""
    updates = latest_progress(ctx.session, [g.id for _, g in items if g.id is not None])
    parts: list[Part] = []
    for position, goal in items:
        update = updates.get(goal.id)  # type: ignore[arg-type]
        progress = 100 if goal.status == GoalStatus.DONE else update.progress if update else None
        key = "goals.line_done" if goal.status == GoalStatus.DONE else "goals.line"
        parts.append(
            Section(
                ctx.t(
                    key,
                    number=position if numbered else "•",
                    title=goal.title,
                    progress="-" if progress is None else f"{progress}%",
                    due=goal.due_on.isoformat() if goal.due_on else "-",
                )
            )
        )
        details = []
        if goal.measure:
            details.append(ctx.t("goals.measure", measure=goal.measure))
        if update is not None and update.blockers and goal.status != GoalStatus.DONE:
            details.append(ctx.t("goals.blockers", blockers=update.blockers))
        if numbered and goal.private:
            details.append(ctx.t("goals.private_mark"))
        if details:
            parts.append(Context(Text.join(details, " · ")))
    return parts


def list_goals(ctx: Ctx) -> Message:
    """The person's goals with progress, then their partners' shared goals."""
    member = ctx.require_member()
    assert member.id is not None
    mine = goals_of(ctx.session, member.id)
    parts: list[Part] = []
    shown = [(i, g) for i, g in enumerate(mine, 1) if g.status != GoalStatus.DROPPED]
    if shown:
        parts.append(Section(ctx.t("goals.header")))
        parts.extend(goal_lines(ctx, shown, numbered=True))
    else:
        parts.append(Section(ctx.t("goals.none")))
    for partner, partner_member in partners_with_members(ctx, member):
        assert partner_member.id is not None
        shared = [
            (i, g)
            for i, g in enumerate(goals_of(ctx.session, partner_member.id), 1)
            if not g.private and g.status != GoalStatus.DROPPED
        ]
        if shared:
            parts.append(Section(ctx.t("goals.partner_header", partner=partner.display_name)))
            parts.extend(goal_lines(ctx, shared, numbered=False))
    parts.append(Context(ctx.t("goals.hint")))
    return Message(tuple(parts))


def partners_with_members(ctx: Ctx, member: Member) -> list[tuple[Person, Member]]:
    """The people ``member`` is paired with now, with their memberships."""
    assert member.id is not None
    out: list[tuple[Person, Member]] = []
    for pair in pairs_db.active_pairs_of(session=ctx.session, member_id=member.id):
        assert pair.id is not None
        for person in pairs_db.partners_in(
            session=ctx.session, pair_id=pair.id, except_member_id=member.id
        ):
            assert person.id is not None
            other = repo.find_member(
                session=ctx.session, program_id=member.program_id, person_id=person.id
            )
            if other is not None:
                out.append((person, other))
    return out


def goal_by_number(ctx: Ctx, member: Member, text: str) -> tuple[int, Goal]:
    """The person's goal numbered ``text`` (as ``goals`` lists them)."""
    assert member.id is not None
    goals = goals_of(ctx.session, member.id)
    number = text.lstrip("#")
    if not number.isdigit() or not 1 <= int(number) <= len(goals):
        if not goals:
            raise UserError("goals.none")
        raise UserError("goal.bad_number", number=text, count=len(goals))
    return int(number), goals[int(number) - 1]


def complete_goal(ctx: Ctx, number_text: str) -> Message:
    """Mark a goal done, congratulate, tell partners (shared goals) and celebrate (opt-in)."""
    member = ctx.require_member()
    number, goal = goal_by_number(ctx, member, number_text)
    if goal.status == GoalStatus.DONE:
        return ctx.say("goal.already_done", number=number)
    goal.status = GoalStatus.DONE
    goal.completed_at = ctx.now
    ctx.session.add(goal)
    program = ctx.program()
    celebrated = False
    if goal.celebrate and program.announcement_channel:
        everyone = ctx.prompts.for_everyone()  # a channel reads the program's language
        text = (
            everyone.render("goal.celebrate_private", name=ctx.person.display_name)
            if goal.private
            else everyone.render("goal.celebrate", name=ctx.person.display_name, title=goal.title)
        )
        enqueue(
            ctx.session,
            dedupe_key=f"celebrate:{goal.id}",
            target=Target(
                program.platform, program.workspace_id, "channel", (program.announcement_channel,)
            ),
            message=Message((Section(text),), private=False),
            not_before=ctx.now,
            now=ctx.now,
            program_id=program.id,
        )
        celebrated = True
    if not goal.private:
        for partner, _ in partners_with_members(ctx, member):
            ctx.dm(
                partner,
                ctx.say_to(
                    partner, "goal.partner_done", name=ctx.person.display_name, title=goal.title
                ),
                dedupe_key=f"goal-done:{goal.id}:{partner.id}",
            )
    parts: list[Part] = [Section(ctx.t("goal.done", title=goal.title))]
    if celebrated:
        parts.append(Context(ctx.t("goal.celebrated")))
    elif goal.celebrate:
        parts.append(Context(ctx.t("goal.no_channel")))
    return Message(tuple(parts))


def set_private(ctx: Ctx, number_text: str, private: bool) -> Message:
    """Hide a goal from partners, or share it again."""
    member = ctx.require_member()
    number, goal = goal_by_number(ctx, member, number_text)
    goal.private = private
    ctx.session.add(goal)
    return ctx.say("goal.now_private" if private else "goal.now_shared", number=number)
