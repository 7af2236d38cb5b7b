"""``profile`` (show, set, clear, edit as a form) and ``timezone``."""

from __future__ import annotations

from bot.checkins.planner import replan
from bot.context import Ctx
from bot.errors import FormInvalid, NeedsConfirmation, UserError
from bot.pair_choice import end_pairs, my_pairs
from bot.profile.fields import (
    FIELDS,
    ProfileField,
    describe_availability,
    field_names,
    parse_availability,
    parse_capacity,
    parse_list,
    parse_quiet,
    resolve_field,
    zone_error,
)
from bot.profile.steps import start_profile_steps
from bot.replies import (
    Button,
    Buttons,
    Context,
    Fields,
    Form,
    FormField,
    Message,
    Reply,
    Section,
)
from bot.spans import Text
from bot.time.format import local_when
from bot.time.zones import (
    AmbiguousTimezone,
    UnknownTimezone,
    ZoneChoice,
    get_zone,
    parse_timezone,
    zone_label,
)
from storage import personal
from storage.models import Member, ProgramKind, Role

MAX_GOALS_LENGTH = 1000
MAX_TEAM_LENGTH = 100


def field_value(ctx: Ctx, member: Member | None, name: str) -> str:
    """The stored value of a field as people would type it ("" when unset)."""
    person = ctx.person
    if name == "timezone":
        return zone_label(person.timezone) if person.timezone else ""
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
        try:
            choice = parse_timezone(value)
        except AmbiguousTimezone as exc:
            if ctx.via == "form":
                raise zone_error(exc) from None
            raise NeedsConfirmation(_which_zone(ctx, exc)) from None
        except UnknownTimezone as exc:
            raise zone_error(exc) from None
        person.timezone = choice.key
        person.timezone_source = "user"
        note = _zone_note(ctx, choice)
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
    label = ctx.prompts.text(f"profile.label.{field.name}").lower()
    result = ctx.t("profile.updated", field=Text.trusted(label), value=shown)
    return result + (Text.trusted("\n") + note if note else Text())


TIMING_FIELDS = ("timezone", "availability", "quiet")


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
    memberships = personal.memberships(session=ctx.session, person_id=ctx.person.id)
    if not memberships:
        return
    ctx.session.flush()
    replan(
        ctx.session,
        now=ctx.now,
        settings=ctx.settings,
        prompts=ctx.prompts,
        programs=[program for _, program in memberships],
        member_ids=[m.id for m, _ in memberships if m.id is not None],
    )


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
            end_pairs(ctx, member, [c.pair for c in choices], "role change", "profile.role_notice")
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


def show_profile(ctx: Ctx) -> Message:
    """The person's profile with an edit button."""
    member = ctx.member()
    items = []
    for field in FIELDS:
        if field.name == "capacity" and (member is None or member.role != Role.MENTOR):
            continue
        value = field_value(ctx, member, field.name)
        shown = Text.user(value) if value else ctx.t("profile.not_set")
        items.append((ctx.prompts.text(f"profile.label.{field.name}"), shown))
    return Message(
        (
            Section(ctx.t("profile.header", name=ctx.person.display_name)),
            Fields(tuple(items)),
            Context(ctx.t("profile.set_hint", fields=Text.trusted(", ".join(field_names())))),
            Buttons((Button(ctx.prompts.text("button.edit_profile"), "profile edit"),)),
        )
    )


def profile_form(ctx: Ctx) -> Form:
    """The profile as a form, filled with the current values."""
    member = ctx.member()
    fields = []
    for field in FIELDS:
        if field.name in ("role", "timezone"):
            continue
        if field.name == "capacity" and (member is None or member.role != Role.MENTOR):
            continue
        if not field.on_person and member is None:
            continue
        fields.append(
            FormField(
                name=field.name,
                label=ctx.prompts.text(f"profile.label.{field.name}"),
                kind="multiline" if field.name == "goals" else "text",
                initial=field_value(ctx, member, field.name),
                hint=ctx.prompts.text(f"profile.hint.{field.name}"),
                max_length=MAX_GOALS_LENGTH if field.name == "goals" else 300,
            )
        )
    return Form(
        form_id="profile",
        title=ctx.prompts.text("profile.form_title"),
        fields=tuple(fields),
        submit_label=ctx.prompts.text("button.save"),
        cancel_label=ctx.prompts.text("button.cancel"),
    )


def submit_profile(ctx: Ctx, values: dict[str, str]) -> Reply:
    """Apply a submitted profile form: all fields or none, with per-field errors."""
    member = ctx.member()
    errors: dict[str, str] = {}
    changed: list[str] = []
    for name, value in values.items():
        field = resolve_field(name)
        if field is None or field.name in ("role", "timezone"):
            continue
        if field_value(ctx, member, field.name) == value.strip():
            continue
        if not value.strip():
            _clear(ctx, member, field)
            changed.append(field.name)
            continue
        try:
            apply_field(ctx, member, field, value)
            changed.append(field.name)
        except UserError as exc:
            errors[field.name] = ctx.prompts.text(exc.key, **exc.params)
    if errors:
        raise FormInvalid(errors, retry="profile edit")
    if not changed:
        return ctx.say("profile.unchanged")
    return show_profile(ctx)


def _clear(ctx: Ctx, member: Member | None, field: ProfileField) -> None:
    person = ctx.person
    if field.name == "role":
        raise UserError("profile.cannot_clear_role")
    if not field.on_person and member is None:
        raise UserError("error.not_member")
    if field.name == "timezone":
        person.timezone, person.timezone_source = None, None
    elif field.name == "languages":
        person.languages = []
    elif field.name == "availability":
        person.availability = []
    elif field.name == "quiet":
        person.quiet_start = person.quiet_end = None
    elif field.name == "team":
        person.team = None
    elif member is not None:
        if field.name == "skills":
            member.skills_offered = []
        elif field.name == "wants":
            member.skills_wanted = []
        elif field.name == "goals":
            member.goals = ""
        elif field.name == "capacity":
            member.capacity = 1
        ctx.session.add(member)
    person.updated_at = ctx.now
    ctx.session.add(person)
    if field.name in TIMING_FIELDS:
        replan_person(ctx)


def profile(ctx: Ctx, args: list[str]) -> Reply:
    """Show the profile; ``profile set <field> <value>``; ``profile clear <field>``."""
    if not args or args[0].lower() in ("show", "view"):
        return show_profile(ctx)
    if args[0].lower() == "unchanged":  # the "keep as it is" button of a confirmation
        return ctx.say("profile.unchanged")
    action = args[0].lower()
    if action == "edit":
        form = profile_form(ctx)
        limit = ctx.actor.surface.form_fields
        if limit is not None and len(form.fields) > limit and ctx.member() is not None:
            return start_profile_steps(ctx)  # more than a modal holds: one step at a time
        return form
    if action not in ("set", "clear", "unset"):
        raise UserError("profile.usage", fields=Text.trusted(", ".join(field_names())))
    if len(args) < 2:
        raise UserError("profile.usage", fields=Text.trusted(", ".join(field_names())))
    field = resolve_field(args[1])
    if field is None:
        raise UserError(
            "profile.unknown_field", field=args[1], fields=Text.trusted(", ".join(field_names()))
        )
    member = ctx.member()
    if action in ("clear", "unset"):
        _clear(ctx, member, field)
        label = ctx.prompts.text(f"profile.label.{field.name}").lower()
        return ctx.say("profile.cleared", field=Text.trusted(label))
    words = list(args[2:])
    confirmed = len(words) > 1 and words[-1].lower() == "confirm"
    if confirmed:
        words.pop()
    value = " ".join(words)
    if not value.strip():
        raise UserError(
            "profile.missing_value",
            field=Text.trusted(field.name),
            example=ctx.t(f"profile.hint.{field.name}"),
        )
    return Message((Section(apply_field(ctx, member, field, value, confirmed=confirmed)),))


def timezone(ctx: Ctx, args: list[str]) -> Reply:
    """Show or set your time zone (IANA name, city or UTC offset)."""
    if not args:
        if ctx.person.timezone is None:
            return ctx.say("timezone.not_set")
        return ctx.say(
            "timezone.show",
            zone=zone_label(ctx.person.timezone),
            local_time=Text.trusted(local_when(ctx.now, ctx.zone())),
        )
    field = resolve_field("timezone")
    assert field is not None
    result = apply_field(ctx, ctx.member(), field, " ".join(args))
    return Message(
        (
            Section(result),
            Context(
                ctx.t(
                    "timezone.local_now", local_time=Text.trusted(local_when(ctx.now, ctx.zone()))
                )
            ),
        )
    )
