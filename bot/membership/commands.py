"""Joining and leaving a program, pausing and resuming."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import FormInvalid, UserError
from bot.membership.away import is_away_mentor, tell_away, tell_back
from bot.pair_choice import end_pairs
from bot.pairs.lifecycle import EndReason
from bot.registry import registry_of
from bot.replies import Button, Buttons, Context, Form, FormField, Message, Part, Reply, Section
from bot.spans import Text
from bot.time.format import local_day, local_when
from bot.time.parse import BadDate, Reading, parse_until
from storage import pairs as pairs_db
from storage import repo
from storage.models import Member, MemberStatus, Pair, Program, ProgramKind, Role

MAX_PAUSE_DAYS = 366


def _role_label(ctx: Ctx, role: str) -> Text:
    return ctx.t(f"role.{role}")


# Five inputs at most with the role: the size of a Discord modal. Availability comes later.
JOIN_FORM_FIELDS = ("timezone", "skills", "wants", "goals")


def join_form(ctx: Ctx) -> Form:
    """Joining as one form (a Slack modal): role, time zone and the profile that matters most."""
    program = ctx.program()
    fields: list[FormField] = []
    if program.kind != ProgramKind.PEER:
        fields.append(
            FormField(
                name="role",
                label=ctx.prompts.text("profile.label.role"),
                kind="choice",
                choices=(
                    (Role.MENTEE.value, ctx.prompts.text("role.mentee")),
                    (Role.MENTOR.value, ctx.prompts.text("role.mentor")),
                ),
                required=True,
            )
        )
    for name in JOIN_FORM_FIELDS:
        fields.append(
            FormField(
                name=name,
                label=ctx.prompts.text(f"profile.label.{name}"),
                kind="multiline" if name == "goals" else "text",
                initial=(ctx.person.timezone or ctx.actor.timezone or "")
                if name == "timezone"
                else "",
                hint=ctx.prompts.text(f"profile.hint.{name}"),
                required=name == "timezone",
                max_length=1000 if name == "goals" else 300,
            )
        )
    return Form(
        form_id="join",
        title=ctx.prompts.text("join.form_title"),
        fields=tuple(fields),
        submit_label=ctx.prompts.text("button.join"),
        cancel_label=ctx.prompts.text("button.cancel"),
        intro=ctx.t("join.form_intro", program=program.name),
    )


def submit_join(ctx: Ctx, values: dict[str, str]) -> Reply:
    """Join and fill the profile from the join form: all of it or nothing, errors per field."""
    from bot.profile.fields import resolve_field
    from bot.profile.values import apply_field

    errors: dict[str, str] = {}
    role = values.get("role", "").strip().lower()
    try:
        reply = join(ctx, [role] if role else ["peer"] if ctx.program().kind == "peer" else [])
    except UserError as exc:
        errors["role"] = ctx.prompts.text(exc.key, **exc.params)
        reply = None
    if reply is not None and ctx.member() is None:
        errors["role"] = ctx.prompts.text("join.usage")
    member = ctx.member()
    for name in JOIN_FORM_FIELDS:
        value = values.get(name, "").strip()
        field = resolve_field(name)
        if not value or field is None or errors.get("role"):
            continue
        try:
            apply_field(ctx, member, field, value)
        except UserError as exc:
            errors[name] = ctx.prompts.text(exc.key, **exc.params)
    if errors:
        raise FormInvalid(errors, retry="join form")
    assert reply is not None
    return reply


def join(ctx: Ctx, args: list[str]) -> Reply:
    """Join a program of the workspace as mentor, mentee or peer."""
    # Being in one program says nothing about joining another: ask, offering the ones to join.
    ctx.program(guess=False, among=_joinable(ctx, args))
    if (args and args[0].lower() == "form") or (
        not args and ctx.actor.surface.modals and ctx.via in ("command", "action")
    ):
        return join_form(ctx)  # a modal: role, time zone, skills, wants, goals
    if len(args) > 1:
        raise UserError("join.usage")
    program = ctx.program()
    role = _wanted_role(ctx, args[0].lower() if args else None)
    if role is None:
        mentee = Button(ctx.prompts.text("button.join_mentee"), "join mentee", "primary")
        mentor = Button(ctx.prompts.text("button.join_mentor"), "join mentor")
        choose = Section(ctx.t("join.choose_role", program=program.name))
        return Message((choose, Buttons((mentee, mentor))))
    member = ctx.member()
    if member is not None and member.status != MemberStatus.LEFT:
        if member.role == role:
            return ctx.say("join.already", role=_role_label(ctx, role))
        return ctx.say(
            "join.already_other_role", role=_role_label(ctx, member.role), wanted=Text.trusted(role)
        )
    if member is not None and member.removed_at is not None:
        raise UserError("join.removed", program=program.name)
    rejoined = member is not None
    if member is None:
        assert program.id is not None and ctx.person.id is not None
        member = Member(
            program_id=program.id, person_id=ctx.person.id, role=role, joined_at=ctx.now
        )
    member.role, member.status = role, MemberStatus.ACTIVE
    member.paused_until = member.left_at = None
    ctx.session.add(member)
    ctx.session.flush()
    if ctx.person.timezone is None and ctx.actor.timezone:
        ctx.person.timezone, ctx.person.timezone_source = ctx.actor.timezone, "platform"
        ctx.session.add(ctx.person)
    key = "join.rejoined" if rejoined else "join.welcome"
    parts: list[Part] = [Section(ctx.t(key, role=_role_label(ctx, role), program=program.name))]
    if ctx.person.timezone is None:
        parts.append(Context(ctx.t("join.ask_timezone")))
    else:
        parts.append(Context(ctx.t("join.timezone_known", zone=ctx.person.timezone)))
    if not rejoined:
        _welcome(ctx, member, role)
    return Message(tuple(parts))


def _joinable(ctx: Ctx, args: list[str]) -> list[Program] | None:
    """The live programs the person could join with the role typed (None: every one)."""
    if ctx.chosen_program() is not None or len(ctx.live_programs()) < 2:
        return None
    wanted = args[0].lower() if len(args) == 1 and args[0].lower() != "form" else None
    mine = {p.id for p in ctx.my_programs()}
    assert ctx.person.id is not None
    removed = {
        m.program_id
        for m, _p in repo.memberships(session=ctx.session, person_id=ctx.person.id)
        if m.removed_at is not None
    }
    found = [
        p
        for p in ctx.live_programs()
        if p.id not in mine and p.id not in removed and _fits(p, wanted)
    ]
    return found or None


def _fits(program: Program, wanted: str | None) -> bool:
    """Whether ``wanted`` (None: no role typed) is a role ``program`` takes."""
    if wanted is None:
        return True
    try:
        check_role(program, wanted)
    except UserError:
        return False
    return True


def _wanted_role(ctx: Ctx, wanted: str | None) -> str | None:
    """The role asked for, checked against the program's kind; None: ask with buttons."""
    program = ctx.program()
    if wanted is None and program.kind != ProgramKind.PEER:
        return None
    return check_role(program, wanted, several=len(ctx.live_programs()) > 1)


def check_role(program: Program, wanted: str | None, *, several: bool = False) -> str:
    """A role that fits the program's kind (peer programs take peers; mentoring programs
    mentors and mentees), or the friendly error that says which to choose (naming the
    program in its example when the workspace has ``several``).
    """
    if program.kind == ProgramKind.CIRCLES and wanted in (Role.PEER, Role.MENTOR, Role.MENTEE):
        return str(wanted)  # group mentoring, or peer circles: the roles decide
    named = {"program": program.name, **({"slug": program.slug} if several else {})}
    suffix = "_in" if several else ""
    if program.kind == ProgramKind.PEER:
        if wanted not in (None, Role.PEER):
            raise UserError(f"join.peer_program{suffix}", **named)
        return Role.PEER.value
    if wanted not in (Role.MENTOR, Role.MENTEE):
        if wanted == Role.PEER:
            raise UserError(f"join.mentoring_program{suffix}", **named)
        raise UserError("join.bad_role", role=wanted or "")
    return str(wanted)


def _welcome(ctx: Ctx, member: Member, role: str) -> None:
    """The welcome DM with the first steps for the role."""
    program = ctx.program()
    steps = "join.getting_started_mentor" if role == Role.MENTOR else "join.getting_started"
    welcome = ctx.t("join.welcome_dm", name=ctx.person.display_name, program=program.name)
    several = len(ctx.my_programs()) > 1  # profile fields of one program name it
    first = ctx.t(f"{steps}_in", slug=program.slug) if several else ctx.t(steps)
    ctx.dm(
        ctx.person,
        Message((Section(welcome), Section(first))),
        dedupe_key=f"welcome:{member.id}",
    )


def tell_partners(ctx: Ctx, member: Member, pairs: list[Pair], prompt: str, *, key: str) -> None:
    """DM the other people of ``pairs`` (once per pair, member and ``key``) about ``member``."""
    for pair in pairs:
        assert pair.id is not None
        for partner in pairs_db.partners_in(
            session=ctx.session, pair_id=pair.id, except_member_id=member.id or 0
        ):
            ctx.dm(
                partner,
                ctx.say_to(partner, prompt, name=ctx.person.display_name),
                dedupe_key=f"{key}:{pair.id}:{member.id}:{partner.id}",
            )


def leave(ctx: Ctx, args: list[str]) -> Reply:
    """Leave the program; asks for confirmation first."""
    member = ctx.require_member()
    answer = args[0].lower() if args else ""
    if answer in ("cancel", "no", "stay"):
        return ctx.say("leave.cancelled")
    if answer not in ("confirm", "yes"):
        return Message(
            (
                Section(ctx.t("leave.confirm", program=ctx.program().name)),
                Buttons(
                    (
                        Button(ctx.prompts.text("button.leave_confirm"), "leave confirm", "danger"),
                        Button(ctx.prompts.text("button.leave_cancel"), "leave cancel"),
                    )
                ),
            )
        )
    assert member.id is not None
    ended = pairs_db.active_pairs_of(session=ctx.session, member_id=member.id)
    end_pairs(ctx, member, ended, EndReason.LEFT, "leave.partner_notice", key="left")
    member.status = MemberStatus.LEFT
    member.left_at = ctx.now
    member.paused_until = None
    ctx.session.add(member)
    assert ctx.person.id is not None
    runner = ctx.conversations()
    conversation = runner.active(ctx.session, ctx.person.id)
    if conversation is not None:  # a half-set goal or survey has nowhere to go now
        runner.cancel(ctx, conversation)
    return ctx.say("leave.done", program=ctx.program().name)


def pause(ctx: Ctx, args: list[str]) -> Reply:
    """Pause check-ins and matching for a while ("2 weeks", "until 2027-01-10")."""
    member = ctx.require_member()
    if not args:
        raise UserError("pause.usage")
    text = " ".join(args)
    tz = ctx.zone()
    try:
        parsed = parse_until(
            text,
            now=ctx.now,
            tz=tz,
            max_days=MAX_PAUSE_DAYS,
            day_first=ctx.settings.program.day_first,
            locale=ctx.prompts.locale,
        )
    except BadDate as exc:
        if exc.reason == "past":
            raise UserError("pause.past", text=text) from None
        if exc.reason == "too_far":
            raise UserError("pause.too_far") from None
        if exc.reason == "weekday_mismatch":
            raise UserError("date.weekday_mismatch", text=text) from None
        raise UserError("pause.bad_date", text=text) from None
    until = parsed.at
    member.status = MemberStatus.PAUSED
    member.paused_until = until
    ctx.session.add(member)
    assert member.id is not None
    registry_of(ctx).fire_member_paused(ctx.session, now=ctx.now, member_id=member.id)
    shown = (
        local_when(until, tz, ctx.prompts.locale)
        if until.astimezone(tz).hour or until.astimezone(tz).minute
        else local_day(until, tz, ctx.prompts.locale)
    )
    if is_away_mentor(member):
        tell_away(ctx, member, until)
    else:
        pairs = pairs_db.active_pairs_of(session=ctx.session, member_id=member.id)
        tell_partners(ctx, member, pairs, "pause.partner_notice", key=f"paused:{until.isoformat()}")
    return Message(
        (
            Section(ctx.t("pause.done", until=Text.trusted(shown), zone=ctx.zone_key())),
            *read_as(ctx, text, parsed.reading),
            Context(ctx.t("pause.resume_hint")),
        )
    )


def read_as(ctx: Ctx, text: str, reading: Reading | None) -> tuple[Context, ...]:
    """How an ambiguous date was read, in words ("I read 10/11 as Tuesday 10 November 2026")."""
    if reading is None or not reading.ambiguous:
        return ()
    return (Context(ctx.t("date.read_as", text=text, day=Text.trusted(reading.words()))),)


def resume(ctx: Ctx, args: list[str]) -> Reply:
    """End a pause early."""
    member = ctx.require_member()
    if ctx.effective_status(member) != MemberStatus.PAUSED:
        return ctx.say("resume.not_paused")
    if is_away_mentor(member) and member.paused_until is not None:
        tell_back(ctx, member, member.paused_until)
    member.status = MemberStatus.ACTIVE
    member.paused_until = None
    ctx.session.add(member)
    return ctx.say("resume.done")
