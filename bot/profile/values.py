"""A profile's values: reading one field, changing one (with the checks and replanning a
change needs) and showing them all; the commands, the form and the step-by-step edit share them.
"""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import NeedsConfirmation, UserError
from bot.i18n.locales import BASE
from bot.pair_choice import end_pairs, my_pairs
from bot.pairs.lifecycle import EndReason
from bot.profile.fields import (
    FIELDS,
    ProfileField,
    describe_availability,
    field_names,
    parse_availability,
    parse_capacity,
    parse_list,
    parse_quiet,
    zone_error,
)
from bot.registry import ScheduleChange, registry_of
from bot.replies import (
    Button,
    Buttons,
    Context,
    Fields,
    Message,
    Section,
)
from bot.spans import Text
from bot.time.holidays import parse_region, region_from_zone
from bot.time.zones import (
    AmbiguousTimezone,
    UnknownTimezone,
    ZoneChoice,
    get_zone,
    parse_timezone,
    zone_label,
)
from storage import repo
from storage.models import Member, ProgramKind, Role

MAX_GOALS_LENGTH = 1000
MAX_TEAM_LENGTH = 100
TIMING_FIELDS = ("timezone", "country", "availability", "quiet")  # a change replans nudges


def field_label(ctx: Ctx, name: str) -> str:
    """A field's label inside a sentence: lower case in English ("Saved your languages"),
    as written in another language, whose sentences quote it (German keeps its nouns'
    capitals: "Gespeichert (Sprachen)").
    """
    label = ctx.prompts.text(f"profile.label.{name}")
    return label.lower() if ctx.prompts.locale == BASE else label


def member_for(ctx: Ctx, field: ProfileField) -> Member | None:
    """The membership a change of ``field`` is about, choosing the program only for a
    program's own fields: the person's fields (time zone, languages, ...) are the same in
    every program, so they never ask which. Someone in no program of several is told to
    join first for a program's field.
    """
    if ctx.chosen_program() is None and len(ctx.live_programs()) > 1:
        if field.on_person:
            return None
        if not ctx.my_programs():
            raise UserError("error.not_member")
    return ctx.member()


def field_value(ctx: Ctx, member: Member | None, name: str) -> str:
    """The stored value of a field as people would type it ("" when unset)."""
    person = ctx.person
    if name == "timezone":
        return zone_label(person.timezone) if person.timezone else ""
    if name == "country":
        return person.country or ""
    if name == "languages":
        return ", ".join(person.languages)
    if name == "availability":
        return describe_availability(person.availability)
    if name == "quiet":
        return f"{person.quiet_start}-{person.quiet_end}" if person.quiet_start else ""
    if name == "team":
        return person.team or ""
    if member is None:
        return ""
    if name == "role":
        return member.role
    if name == "skills":
        return ", ".join(member.skills_offered)
    if name == "wants":
        return ", ".join(member.skills_wanted)
    if name == "goals":
        return member.goals
    if name == "capacity":
        return str(member.capacity) if member.role == Role.MENTOR else ""
    raise KeyError(name)


def apply_field(
    ctx: Ctx, member: Member | None, field: ProfileField, value: str, *, confirmed: bool = False
) -> Text:
    """Validate ``value`` and store it; returns what to echo. Raises UserError on bad input,
    and NeedsConfirmation when the change would affect active pairs and isn't confirmed.
    """
    value = value.strip()
    person = ctx.person
    if not field.on_person and member is None:
        raise UserError("error.not_member")
    note = Text()
    if field.name == "timezone":
        note = _set_zone(ctx, value)
    elif field.name == "country":
        person.country = parse_region(value)
    elif field.name == "languages":
        person.languages = parse_list(value)
    elif field.name == "availability":
        person.availability = parse_availability(value)
    elif field.name == "quiet":
        person.quiet_start, person.quiet_end = parse_quiet(value)
    elif field.name == "team":
        if len(value) > MAX_TEAM_LENGTH:
            raise UserError("error.too_long", limit=MAX_TEAM_LENGTH)
        person.team = value or None
    else:
        assert member is not None
        if field.name == "role":
            _set_role(ctx, member, value.lower(), confirmed=confirmed)
        elif field.name == "skills":
            member.skills_offered = parse_list(value)
        elif field.name == "wants":
            member.skills_wanted = parse_list(value)
        elif field.name == "goals":
            if len(value) > MAX_GOALS_LENGTH:
                raise UserError("error.too_long", limit=MAX_GOALS_LENGTH)
            member.goals = value
        elif field.name == "capacity":
            if member.role != Role.MENTOR:
                raise UserError("profile.capacity_not_mentor")
            capacity = parse_capacity(value)
            _check_capacity(ctx, member, capacity, confirmed=confirmed)
            member.capacity = capacity
        ctx.session.add(member)
    person.updated_at = ctx.now
    ctx.session.add(person)
    if field.name in TIMING_FIELDS:
        replan_person(ctx)
    shown = field_value(ctx, member, field.name)
    result = ctx.t("profile.updated", field=Text.trusted(field_label(ctx, field.name)), value=shown)
    return result + (Text.trusted("\n") + note if note else Text())


def _set_zone(ctx: Ctx, value: str) -> Text:
    """Store the zone typed (asking which one when it could be several); what to add."""
    try:
        choice = parse_timezone(value)
    except AmbiguousTimezone as exc:
        if ctx.via == "form":
            raise zone_error(exc) from None
        raise NeedsConfirmation(_which_zone(ctx, exc)) from None
    except UnknownTimezone as exc:
        raise zone_error(exc) from None
    ctx.person.timezone = choice.key
    ctx.person.timezone_source = "user"
    return _zone_note(ctx, choice)


def _which_zone(ctx: Ctx, exc: AmbiguousTimezone) -> Message:
    """Several zones fit what was typed: one button each, with its local time now."""
    buttons = tuple(
        Button(f"{label} · {ctx.now.astimezone(get_zone(key)):%H:%M}", f"timezone {key}")
        for label, key in exc.options[:5]
    )
    return Message((Section(ctx.t("timezone.which", text=exc.text)), Buttons(buttons)))


def _zone_note(ctx: Ctx, choice: ZoneChoice) -> Text:
    """What to add when the zone saved is not quite what was typed."""
    if choice.fixed_offset:
        return ctx.t("timezone.fixed_offset_warning")
    if choice.follows_dst:
        return ctx.t("timezone.follows_dst", text=choice.follows_dst, zone=choice.key)
    if choice.region:
        raw = ctx.now.astimezone(get_zone(choice.key)).strftime("%z")  # "-0500"
        offset = f"UTC{raw[0]}{int(raw[1:3])}" + (f":{raw[3:]}" if raw[3:] != "00" else "")
        return ctx.t(
            "timezone.fixed_legacy",
            zone=choice.key,
            offset=Text.trusted(offset),
            region=choice.region,
        )
    return Text()


def replan_person(ctx: Ctx) -> None:
    """The person's queued nudges follow their new zone, quiet hours or availability: withdrawn
    and planned again in this transaction, in every program they are in.
    """
    assert ctx.person.id is not None
    memberships = repo.memberships(session=ctx.session, person_id=ctx.person.id)
    if not memberships:
        return
    ctx.session.flush()
    change = ScheduleChange(
        ctx.session,
        ctx.now,
        ctx.settings,
        ctx.prompts,
        programs=[program for _, program in memberships],
        member_ids=[m.id for m, _ in memberships if m.id is not None],
    )
    registry_of(ctx).fire_schedule_changed(change)


def _confirm(ctx: Ctx, key: str, command: str, **values: object) -> NeedsConfirmation:
    return NeedsConfirmation(
        Message(
            (
                Section(ctx.t(key, **values)),
                Buttons(
                    (
                        Button(ctx.prompts.text("button.confirm_change"), command, "danger"),
                        Button(ctx.prompts.text("button.keep_as_is"), "profile unchanged"),
                    )
                ),
            )
        )
    )


def _set_role(ctx: Ctx, member: Member, role: str, *, confirmed: bool = False) -> None:
    peer_program = ctx.program().kind == ProgramKind.PEER
    allowed = (Role.PEER,) if peer_program else (Role.MENTOR, Role.MENTEE)
    if role not in allowed:
        if peer_program:
            raise UserError("join.peer_program", program=ctx.program().name)
        raise UserError("join.bad_role", role=role)
    if role != member.role:
        choices = my_pairs(ctx, member)
        if choices and not confirmed:
            raise _confirm(
                ctx,
                "profile.confirm_role",
                f"profile set role {role} confirm",
                role=ctx.t(f"role.{role}"),
                old=ctx.t(f"role.{member.role}"),
                partners=", ".join(c.names() for c in choices),
            )
        if choices:
            end_pairs(
                ctx,
                member,
                [c.pair for c in choices],
                EndReason.REMATCH,
                "profile.role_notice",
                detail="role_change",
            )
    member.role = role
    if role != Role.MENTOR:
        member.capacity = 1


def _check_capacity(ctx: Ctx, member: Member, capacity: int, *, confirmed: bool) -> None:
    """Fewer places than current mentees keeps the pairs but takes no new mentees: say so."""
    choices = my_pairs(ctx, member)
    if len(choices) > capacity and not confirmed:
        raise _confirm(
            ctx,
            "profile.confirm_capacity",
            f"profile set capacity {capacity} confirm",
            capacity=Text.trusted(str(capacity)),
            count=Text.trusted(str(len(choices))),
            partners=", ".join(c.names() for c in choices),
        )


def _derived_country(ctx: Ctx) -> Text | None:
    """The country their zone implies, said so (None: their zone implies none)."""
    derived = region_from_zone(ctx.zone_key())
    return ctx.t("country.from_zone", country=derived) if derived else None


def show_profile(ctx: Ctx) -> Message:
    """The person's profile with an edit button."""
    member = ctx.member()
    items = []
    for field in FIELDS:
        if field.name == "capacity" and (member is None or member.role != Role.MENTOR):
            continue
        value = field_value(ctx, member, field.name)
        shown = Text.user(value) if value else ctx.t("profile.not_set")
        if field.name == "country" and not value:
            shown = _derived_country(ctx) or shown
        items.append((ctx.prompts.text(f"profile.label.{field.name}"), shown))
    return Message(
        (
            Section(ctx.t("profile.header", name=ctx.person.display_name)),
            Fields(tuple(items)),
            Context(ctx.t("profile.set_hint", fields=Text.trusted(", ".join(field_names())))),
            Buttons((Button(ctx.prompts.text("button.edit_profile"), "profile edit"),)),
        )
    )
