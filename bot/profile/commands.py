"""``profile`` (show, set, clear, edit as a form) and ``timezone``."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import FormInvalid, UserError
from bot.profile.fields import (
    FIELDS,
    ProfileField,
    field_names,
    resolve_field,
)
from bot.profile.steps import start_profile_steps
from bot.profile.values import (
    MAX_GOALS_LENGTH,
    TIMING_FIELDS,
    apply_field,
    field_label,
    field_value,
    member_for,
    replan_person,
    show_profile,
)
from bot.replies import (
    Context,
    Form,
    FormField,
    Message,
    Reply,
    Section,
)
from bot.spans import Text
from bot.time.format import local_when
from bot.time.zones import (
    zone_label,
)
from storage.models import Member, Role


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
    elif field.name == "country":
        person.country = None
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
    member = member_for(ctx, field)
    if action in ("clear", "unset"):
        _clear(ctx, member, field)
        return ctx.say("profile.cleared", field=Text.trusted(field_label(ctx, field.name)))
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
            local_time=Text.trusted(local_when(ctx.now, ctx.zone(), ctx.prompts.locale)),
        )
    field = resolve_field("timezone")
    assert field is not None
    result = apply_field(ctx, member_for(ctx, field), field, " ".join(args))
    return Message(
        (
            Section(result),
            Context(
                ctx.t(
                    "timezone.local_now",
                    local_time=Text.trusted(local_when(ctx.now, ctx.zone(), ctx.prompts.locale)),
                )
            ),
        )
    )
