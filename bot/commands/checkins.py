"""``checkin``: answer "did you meet?" or log a meeting any time; ``admin digest``."""

from __future__ import annotations

import re
from datetime import date

from bot.checkins.answers import OUTCOME_WORDS, record
from bot.checkins.digest import digest_message, numbers
from bot.context import Ctx
from bot.errors import UserError
from bot.formatting import local_when
from bot.matching.rounds import candidate_of
from bot.matching.slots import suggest_slots
from bot.replies import Button, Buttons, Context, Message, Part, Reply, Section
from bot.router import Router
from bot.text import Text
from storage import repo
from storage.models import CheckInOutcome, Member, Person

MAX_NOTE = 500
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def checkin(ctx: Ctx, args: list[str]) -> Reply:
    """Record a check-in for your current pair."""
    member = ctx.require_member()
    assert member.id is not None
    pairs = repo.active_pairs_of(session=ctx.session, member_id=member.id)
    if not pairs:
        raise UserError("checkin.no_partner")
    pair = pairs[0]
    words = list(args)
    outcome = CheckInOutcome.MET.value
    if words and words[0].lower() in OUTCOME_WORDS:
        outcome = OUTCOME_WORDS[words.pop(0).lower()]
    elif words and words[0].lower() in ("help", "?"):
        raise UserError("checkin.usage")
    cycle: date | None = None
    if words and _ISO.match(words[0]):
        try:
            cycle = date.fromisoformat(words.pop(0))
        except ValueError:
            raise UserError("checkin.bad_cycle") from None
    note = " ".join(words).strip()
    if len(note) > MAX_NOTE:
        raise UserError("error.too_long", limit=MAX_NOTE)
    local_today = ctx.now.astimezone(ctx.zone()).date()
    record(
        ctx.session,
        pair=pair,
        member_id=member.id,
        outcome=outcome,
        cycle=cycle,
        note=note,
        now=ctx.now,
        local_today=local_today,
    )
    assert pair.id is not None
    partners = repo.partners_in(session=ctx.session, pair_id=pair.id, except_member_id=member.id)
    names = ", ".join(p.display_name for p in partners)
    parts: list[Part] = [Section(ctx.t(f"checkin.thanks_{outcome}", partner=names))]
    if outcome == CheckInOutcome.NOT_YET:
        parts.extend(_slot_suggestions(ctx, member, partners))
    if outcome == CheckInOutcome.MET:
        parts.extend(_followups(ctx, member))
    return Message(tuple(parts))


def _followups(ctx: Ctx, member: Member) -> list[Part]:
    """After a meeting: session feedback, and progress on goals (or setting a first one)."""
    from bot.goals import goals_of
    from storage.models import GoalStatus

    assert member.id is not None
    has_goals = any(g.status == GoalStatus.ACTIVE for g in goals_of(ctx.session, member.id))
    second = (
        Button(ctx.prompts.text("button.checkin_progress"), "progress")
        if has_goals
        else Button(ctx.prompts.text("button.checkin_goal"), "goal")
    )
    return [
        Context(ctx.t("checkin.followup")),
        Buttons(
            (Button(ctx.prompts.text("button.checkin_feedback"), "feedback", "primary"), second)
        ),
    ]


def _slot_suggestions(ctx: Ctx, member: Member, partners: list[Person]) -> list[Part]:
    people = [candidate_of(member, ctx.person, ctx.settings.program.default_timezone)]
    for person in partners:
        assert person.id is not None
        partner_member = repo.find_member(
            session=ctx.session, program_id=member.program_id, person_id=person.id
        )
        if partner_member is not None:
            people.append(
                candidate_of(partner_member, person, ctx.settings.program.default_timezone)
            )
    slots = suggest_slots(
        people, after=ctx.now, session_minutes=ctx.settings.matching.session_minutes
    )
    if not slots:
        return []
    tz = ctx.zone()
    lines = Text.join([Text.trusted("• " + local_when(s, tz)) for s in slots], "\n")
    return [
        Section(ctx.t("checkin.suggest_slots", zone=ctx.zone_key())),
        Section(lines),
        Context(ctx.t("checkin.suggest_hint")),
    ]


def admin_digest(ctx: Ctx, args: list[str]) -> Reply:
    """The weekly digest, now."""
    from datetime import timedelta

    program = ctx.program()
    n = numbers(ctx.session, program, since=ctx.now - timedelta(days=7), now=ctx.now)
    return digest_message(ctx.prompts, program, n)


def register(router: Router) -> None:
    router.command("checkin", aliases=("met", "log"))(checkin)


def register_admin(admin: Router) -> None:
    admin.command("digest", aliases=("report",))(admin_digest)
