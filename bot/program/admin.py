"""``admin``: program settings and the member list, for configured admins only."""

from __future__ import annotations

from datetime import date

from bot.choosing import admin as choosing
from bot.config import CADENCES, WEEKDAYS
from bot.context import Ctx
from bot.errors import NeedsConfirmation, UserError
from bot.matching.circle_sizes import MENTORED_SIZES, PEER_SIZES, circle_setting, circle_sizes
from bot.matching.rounds import active_pairs
from bot.program.help import command_help, command_list
from bot.program.programs import archive_program, check_slug, list_programs, new_program
from bot.prompts import Prompts
from bot.registry import ScheduleChange, registry_of
from bot.replies import Button, Buttons, Fields, Message, Reply, Section
from bot.rounds.schedule import zone_key
from bot.rounds.setting import checkin_labels, rounds_label, set_rounds, set_zone
from bot.router import Router
from bot.spans import Text
from bot.time.format import short_day
from bot.time.zones import zone_label
from bot.unreachable.marks import note
from storage import repo
from storage.models import MemberStatus, Person, ProgramKind, Role

PROGRAM_SETTINGS = (
    "name",
    "slug",
    "admins",
    "kind",
    "cadence",
    "weekday",
    "hour",
    "zone",
    "channel",
    "mentors",
    "starts",
    "ends",
    "circle",
    "rounds",
    "choose",
)


SCHEDULE_SETTINGS = ("cadence", "weekday", "hour", "starts", "ends", "rounds")


def _program_fields(ctx: Ctx) -> Fields:
    p, tag = ctx.program(), ctx.prompts.locale
    cadence, weekday = checkin_labels(ctx)  # with rounds: the check-ins follow them
    return Fields(
        (
            ("name", Text.user(p.name)),
            ("slug", Text.trusted(p.slug)),
            ("admins", _admin_names(ctx, p.admins)),
            ("kind", Text.trusted(p.kind)),
            ("cadence", cadence),
            ("weekday", weekday),
            ("hour", Text.trusted(f"{p.checkin_hour:02d}:00")),
            ("zone", Text.trusted(zone_label(zone_key(p, ctx.settings)))),
            ("channel", Text.user(p.announcement_channel or "-")),
            ("mentors", Text.user(p.mentors_channel or "-")),
            ("starts", Text.trusted(short_day(p.starts_on, tag) if p.starts_on else "-")),
            ("ends", Text.trusted(short_day(p.ends_on, tag) if p.ends_on else "-")),
            *([("circle", _circle_label(ctx))] if p.kind == ProgramKind.CIRCLES else []),
            ("rounds", rounds_label(ctx)),
            ("choose", choosing.shown(ctx.prompts, p)),
        )
    )


def _updated(ctx: Ctx, setting: str, fields: Fields) -> Section:
    """The confirmation of a change, with the setting's new value as the table shows it."""
    shown = next((value for name, value in fields.items if name == setting), None)
    if shown is None:
        return Section(ctx.t("admin.program_updated", setting=Text.trusted(setting)))
    return Section(ctx.t("admin.program_set", setting=Text.trusted(setting), value=shown))


def _admin_names(ctx: Ctx, admins: list[str]) -> Text:
    """A program's own admins by name where they are known, else as given."""
    if not admins:
        return Text.trusted("-")
    names = []
    for user_id in admins:
        person = repo.find_person(
            session=ctx.session, platform=ctx.actor.platform, platform_user_id=user_id
        )
        names.append(person.display_name if person is not None and person.display_name else user_id)
    return Text.user(", ".join(names))


def _circle_label(ctx: Ctx) -> Text:
    """A circles program's sizes: as set, else the defaults of each kind of circle."""
    p = ctx.program()

    def shown(sizes: tuple[int, int]) -> Text:
        return Text.trusted(f"{sizes[0]}-{sizes[1]}")

    if p.circle_min is not None or p.circle_max is not None:
        sizes = circle_sizes(p.circle_min, p.circle_max, mentored=True)
        return ctx.t("admin.circle_sizes", sizes=shown(sizes))
    return ctx.t(
        "admin.circle_sizes_default", mentored=shown(MENTORED_SIZES), peer=shown(PEER_SIZES)
    )


def register_admin(admin: Router) -> None:
    """Admin help, the member list and the program's settings."""

    @admin.command("help")
    def admin_help(ctx: Ctx, args: list[str]) -> Reply:
        """The admin commands, or one explained."""
        if args:
            return command_help(ctx, admin, args[0], prefix="admin ")
        return Message(
            (Section(ctx.t("admin.help_header")), command_list(ctx, admin, prefix="admin "))
        )

    admin.command("members", aliases=("people", "list"))(members)
    admin.command("program", aliases=("settings",))(program_settings)


def members(ctx: Ctx, args: list[str]) -> Reply:
    """Everyone in the program with role, status and time zone."""
    program = ctx.program()
    assert program.id is not None
    rows = repo.members_of(session=ctx.session, program_id=program.id)
    if not rows:
        return ctx.say("admin.no_members")
    items = tuple(
        (
            person.display_name or person.platform_user_id,
            ctx.t(
                "admin.member_line",
                role=ctx.t(f"role.{member.role}"),
                status=ctx.t(f"admin.status.{ctx.effective_status(member)}"),
                zone=zone_label(person.timezone) if person.timezone else "?",
            )
            + _unreachable(ctx, person),
        )
        for member, person in rows
    )
    header = ctx.t("admin.members_header", count=Text.trusted(str(len(rows))), program=program.name)
    return Message((Section(header), Fields(items)))


def _unreachable(ctx: Ctx, person: Person) -> Text:
    """The ' · can't get DMs (since …)' of someone a DM cannot reach, else nothing."""
    marked = note(ctx.prompts, person)
    return Text.trusted(" · ") + marked if marked is not None else Text.trusted("")


def program_settings(ctx: Ctx, args: list[str]) -> Reply:
    """``admin program [<slug>]`` shows the settings; ``admin program set <setting> <value>``;
    ``admin program new|list|archive`` (:mod:`bot.program.programs`).
    """
    if not args or args[0].lower() == "show":
        header = ctx.t("admin.program_header")
        return Message((Section(header), _program_fields(ctx)))
    manage = {"new": new_program, "list": list_programs, "archive": archive_program}
    if args[0].lower() in manage:
        return manage[args[0].lower()](ctx, args[1:])
    if args[0].lower() != "set" or len(args) < 3:
        raise UserError("admin.program_usage", settings=Text.trusted(", ".join(PROGRAM_SETTINGS)))
    words = list(args[2:])
    confirmed = len(words) > 1 and words[-1].lower() == "confirm"
    if confirmed:
        words.pop()
    setting, value = args[1].lower(), " ".join(words).strip()
    _apply_program_setting(ctx, setting, value, confirmed=confirmed)
    if setting in SCHEDULE_SETTINGS:
        # Queued nudges follow the new schedule: withdrawn and planned again, now.
        change = ScheduleChange(ctx.session, ctx.now, ctx.settings, ctx.prompts, [ctx.program()])
        registry_of(ctx).fire_schedule_changed(change)
    fields = _program_fields(ctx)
    return Message((_updated(ctx, setting, fields), fields))


def _change_kind(ctx: Ctx, kind: str, *, confirmed: bool) -> None:
    """Switching mentoring <-> peer says what happens to roles and pairs, and asks first."""
    p = ctx.program()
    if kind == p.kind:
        return
    assert p.id is not None
    members = [
        (m, person)
        for m, person in repo.members_of(session=ctx.session, program_id=p.id)
        if m.status != MemberStatus.LEFT
    ]
    pairs = active_pairs(ctx.session, p.id)
    if (members or pairs) and not confirmed:
        key = f"admin.confirm_kind_{'peer' if kind == ProgramKind.PEER else 'mentoring'}"
        counts = {
            "members": Text.trusted(str(len(members))),
            "pairs": Text.trusted(str(len(pairs))),
        }
        yes = Button(
            ctx.prompts.text("button.confirm_change"),
            f"admin program set kind {kind} confirm",
            "danger",
        )
        keep = Button(ctx.prompts.text("button.keep_as_is"), "admin program")
        raise NeedsConfirmation(Message((Section(ctx.t(key, **counts)), Buttons((yes, keep)))))
    p.kind = kind
    if kind == ProgramKind.CIRCLES:
        return  # circles take mentors with mentees, or peers: everyone keeps their role

    def choose(theirs: Prompts) -> Message:
        return Message(
            (
                Section(theirs.render("admin.choose_role", program=p.name)),
                Buttons(
                    (
                        Button(theirs.text("button.join_mentee"), "profile set role mentee"),
                        Button(theirs.text("button.join_mentor"), "profile set role mentor"),
                    )
                ),
            )
        )

    for member, person in members:
        if kind == ProgramKind.PEER:
            member.role, member.capacity = Role.PEER, 1
            ctx.session.add(member)
        else:  # peers choose, asked by DM; they aren't matched until they have
            key = f"choose-role:{p.id}:{member.id}:{ctx.now.isoformat()}"
            ctx.dm(person, choose(ctx.prompts_for(person)), dedupe_key=key)


def _bad(setting: str, allowed: str) -> UserError:
    return UserError(
        "admin.bad_setting", setting=Text.trusted(setting), allowed=Text.trusted(allowed)
    )


def _apply_program_setting(ctx: Ctx, setting: str, value: str, *, confirmed: bool = False) -> None:
    """Validate and store one program setting (a kind change may ask first)."""
    p = ctx.program()
    lowered = value.lower()
    if setting == "name":
        if len(value) > 200:
            raise UserError("error.too_long", limit=200)
        p.name = value
    elif setting == "slug":
        p.slug = check_slug(ctx, value, program=p)
    elif setting == "admins":
        p.admins = _admin_ids(value)
    elif setting == "kind":
        if lowered not in (ProgramKind.MENTORING, ProgramKind.PEER, ProgramKind.CIRCLES):
            raise _bad(setting, "mentoring, peer, circles")
        _change_kind(ctx, lowered, confirmed=confirmed)
    elif setting == "cadence":
        if lowered not in CADENCES:
            raise _bad(setting, ", ".join(CADENCES))
        p.cadence = lowered
    elif setting == "weekday":
        matches = [i for i, d in enumerate(WEEKDAYS) if d.startswith(lowered[:3])]
        if len(lowered) < 3 or len(matches) != 1:
            raise _bad(setting, ", ".join(WEEKDAYS))
        p.checkin_weekday = matches[0]
    elif setting == "hour":
        # Whole hours only: "02:30" is refused rather than quietly becoming 02:00.
        hour, _, minutes = lowered.partition(":")
        whole = minutes in ("", "00")
        if not hour.isdigit() or not 0 <= int(hour) <= 23 or not whole:
            raise _bad(setting, "a whole hour from 0 to 23, like 9 or 14:00")
        p.checkin_hour = int(hour)
    elif setting == "zone":  # the clock rounds run on: bot/rounds/
        set_zone(ctx, value)
    elif setting == "channel":
        p.announcement_channel = value.lstrip("#") or None
    elif setting == "mentors":
        p.mentors_channel = value.lstrip("#") or None
    elif setting in ("starts", "ends"):
        _set_date(ctx, setting, value)
    elif setting == "circle":
        p.circle_min, p.circle_max = circle_setting(value, _bad(setting, "two sizes, like 3-6"))
    elif setting == "rounds":  # recurring rounds: bot/rounds/
        set_rounds(ctx, value)
    elif setting == "choose":
        choosing.apply_setting(p, value)
    else:
        raise UserError("admin.program_usage", settings=Text.trusted(", ".join(PROGRAM_SETTINGS)))
    ctx.session.add(p)


def _admin_ids(value: str) -> list[str]:
    """Platform user ids from mentions (``<@U123>``, ``<@!42>``, ``@name``: names on the
    console); ``none`` or ``-`` clears the list.
    """
    if value.strip().lower() in ("none", "-", ""):
        return []
    found: list[str] = []
    for word in value.replace(",", " ").split():
        ref = word.strip()
        if ref.startswith("<@") and ref.endswith(">"):
            ref = ref[2:-1].split("|", 1)[0].lstrip("!&")
        ref = ref.lstrip("@")
        if ref and ref not in found:
            found.append(ref[:64])
    if len(found) > 50:
        raise UserError("error.too_long", limit=50)
    return found


def _set_date(ctx: Ctx, setting: str, value: str) -> None:
    """``starts`` or ``ends``: a real date, not a century ago, an end not in the past, and
    the end after the start.
    """
    p = ctx.program()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UserError("admin.bad_date", setting=Text.trusted(setting)) from None
    start = day if setting == "starts" else p.starts_on
    end = day if setting == "ends" else p.ends_on
    today = ctx.now.astimezone(ctx.zone()).date()
    if setting == "starts" and day < today.replace(year=today.year - 100):
        raise UserError("admin.starts_too_early", day=Text.trusted(value))
    if setting == "ends" and day < today:
        raise UserError("admin.ends_past", day=Text.trusted(value))
    if start is not None and end is not None and end <= start:
        raise UserError("admin.bad_dates")
    if setting == "starts":
        p.starts_on = day
    else:
        p.ends_on = day
