"""``status``: your program, role, partner and next check-in in your local time."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.checkins.upcoming import next_checkin_of
from bot.checkins.wrapup import has_ended
from bot.context import Ctx
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Reply, Section
from bot.spans import Text
from bot.time.cadence import first_checkin_after
from bot.time.format import local_day, local_when
from bot.time.holidays import DaysOff
from bot.time.zones import get_zone, zone_label
from storage import pairs as pairs_db
from storage.models import Member, MemberStatus, Pair, Person, Program, Role


def status(ctx: Ctx, args: list[str]) -> Reply:
    """Where you stand in the program; with no program named, in each of yours."""
    if ctx.chosen_program() is None and len(ctx.live_programs()) > 1:
        mine = ctx.my_programs()
        if len(mine) > 1:
            return _each(ctx, mine)
    return _status(ctx)


def _each(ctx: Ctx, programs: list[Program]) -> Message:
    """The status in each of the person's programs, one after the other."""
    count = Text.trusted(str(len(programs)))
    parts: list[Part] = [Section(ctx.t("status.several_header", count=count))]
    for program in programs:
        assert program.id is not None
        ctx.use_program(program.id)
        parts.extend(_status(ctx).parts)
    return Message(tuple(parts))


def _status(ctx: Ctx) -> Message:
    """Where the person stands in this event's program."""
    member = ctx.require_member()
    program = ctx.program()
    tz = ctx.zone()
    if has_ended(program, ctx.now):
        return _ended(ctx, member)
    state = ctx.effective_status(member)
    role = (ctx.prompts.text("status.label.role"), ctx.t(f"role.{member.role}"))
    items: list[tuple[str, Text]] = [role, _state_item(ctx, member, state, tz)]
    assert member.id is not None
    pairs = pairs_db.active_pairs_of(session=ctx.session, member_id=member.id)
    with_members = _partners_of(ctx, member.id, pairs)
    partners_of = {pair_id: [p for p, _m in found] for pair_id, found in with_members.items()}
    partners = [p.display_name for people in partners_of.values() for p in people]
    items.append(
        (
            ctx.prompts.text("status.label.partner"),
            Text.user(", ".join(partners)) if partners else ctx.t("status.no_partner"),
        )
    )
    away = _mentors_away(ctx, with_members)
    items += _away_items(ctx, away)

    # The same rule the planner uses: weekend, quiet hours, the wait before a first check-in,
    # breaks, cycles already answered; a nudge already planned is what will be sent.
    when = next_checkin_of(
        ctx.session,
        program,
        member,
        ctx.person,
        now=ctx.now,
        default_timezone=ctx.zone_key(),
        first_after=first_checkin_after(program, ctx.settings.checkins.first_checkin_after_days),
        pairs=pairs,
        partners=partners_of,
        away={pair_id: until for pair_id, (_name, until) in away.items()},
        days_off=DaysOff(ctx.settings.program.closed_dates),
    )
    if when is not None:
        key = "status.next_checkin" if partners else "status.next_checkin_unmatched"
        items.append(
            (
                ctx.prompts.text("status.label.next_checkin"),
                ctx.t(
                    key,
                    when=Text.trusted(local_when(when, tz, ctx.prompts.locale)),
                    zone=zone_label(ctx.zone_key()),
                ),
            )
        )
    parts: list[Part] = [
        Section(ctx.t("status.header", program=program.name)),
        Fields(tuple(items)),
    ]
    if ctx.person.timezone is None:
        parts.append(Context(ctx.t("status.no_timezone_hint", zone=zone_label(ctx.zone_key()))))
    return Message(tuple(parts))


def _ended(ctx: Ctx, member: Member) -> Message:
    """Status once the program is over: it ended on its last day, and nothing more is due."""
    program = ctx.program()
    assert program.ends_on is not None
    items: list[tuple[str, Text]] = [
        (ctx.prompts.text("status.label.role"), ctx.t(f"role.{member.role}")),
        (
            ctx.prompts.text("status.label.state"),
            ctx.t("status.ended", day=Text.trusted(program.ends_on.isoformat())),
        ),
    ]
    return Message(
        (
            Section(ctx.t("status.header", program=program.name)),
            Fields(tuple(items)),
            Context(ctx.t("status.ended_hint")),
        )
    )


def home(ctx: Ctx, args: list[str]) -> Reply:
    """The App Home tab: your status, or a welcome with a way in."""
    if ctx.chosen_program() is None and len(ctx.my_programs()) > 1:
        return status(ctx, args)  # each program's, one after the other
    member = ctx.member()
    if member is None or member.status == MemberStatus.LEFT:
        return Message(
            (
                Section(ctx.t("home.welcome", program=ctx.program().name)),
                Buttons(
                    (
                        Button(ctx.prompts.text("button.join_mentee"), "join mentee", "primary"),
                        Button(ctx.prompts.text("button.join_mentor"), "join mentor"),
                    )
                ),
                Context(ctx.t("home.hint")),
            )
        )
    reply = status(ctx, args)
    assert isinstance(reply, Message)
    from bot.goals.records import list_goals

    goals = list_goals(ctx)
    actions = Buttons(
        (
            Button(ctx.prompts.text("button.checkin_goal"), "goal", "primary"),
            Button(ctx.prompts.text("button.checkin_progress"), "progress"),
            Button(ctx.prompts.text("button.checkin_feedback"), "feedback"),
        )
    )
    return Message((*reply.parts, *goals.parts[:-1], actions, Context(ctx.t("home.hint"))))


def _partners_of(
    ctx: Ctx, member_id: int, pairs: list[Pair]
) -> dict[int, list[tuple[Person, Member]]]:
    """The member's partners in each of ``pairs`` (their active pairs), by pair, each with
    their membership.
    """
    return {
        pair.id: pairs_db.partner_members_in(
            session=ctx.session, pair_id=pair.id, except_member_id=member_id
        )
        for pair in pairs
        if pair.id is not None
    }


def _state_item(ctx: Ctx, member: Member, state: str, tz: tzinfo) -> tuple[str, Text]:
    """The "Status" line: active, or on a break until a day."""
    label = ctx.prompts.text("status.label.state")
    if state == MemberStatus.PAUSED and member.paused_until is not None:
        until = Text.trusted(local_day(member.paused_until, tz, ctx.prompts.locale))
        return (label, ctx.t("status.paused", until=until))
    return (label, ctx.t("status.active"))


def _away_items(ctx: Ctx, away: dict[int, tuple[Person, datetime]]) -> list[tuple[str, Text]]:
    """A status line for each mentor on a break: the day they chose, in their zone."""
    label = ctx.prompts.text("status.label.partner_away")
    return [
        (
            label,
            ctx.t(
                "status.partner_away",
                name=mentor.display_name,
                until=Text.trusted(
                    local_day(
                        until, get_zone(mentor.timezone or ctx.zone_key()), ctx.prompts.locale
                    )
                ),
            ),
        )
        for mentor, until in away.values()
    ]


def _mentors_away(
    ctx: Ctx, with_members: dict[int, list[tuple[Person, Member]]]
) -> dict[int, tuple[Person, datetime]]:
    """Pairs whose mentor is on a break now (their check-ins wait): pair -> mentor, until."""
    away: dict[int, tuple[Person, datetime]] = {}
    for pair_id, found in with_members.items():
        for person, other in found:
            until = other.paused_until
            if (
                other.role == Role.MENTOR
                and other.status == MemberStatus.PAUSED
                and until is not None
                and until > ctx.now
            ):
                away[pair_id] = (person, until)
    return away
