"""The programs of a workspace: ``admin program new``, ``list`` and ``archive``, and the
rules for a program's short name (its slug, the word people type: ``/mentor join coffee``).
"""

from __future__ import annotations

import re

from bot.config import WEEKDAYS
from bot.context import Ctx
from bot.errors import NeedsConfirmation, UserError
from bot.matching.rounds import active_pairs
from bot.registry import registry_of
from bot.replies import Button, Buttons, Context, Fields, Message, Reply, Section
from bot.spans import Text
from bot.time.format import short_day
from storage import outbox as outbox_db
from storage import repo
from storage.models import Program, ProgramKind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$")
# Words a command takes first: a program named so would read as the command's own word.
ARGUMENT_WORDS = frozenset(
    {
        "all", "archive", "cancel", "confirm", "form", "list", "mentee", "mentor", "new",
        "no", "none", "peer", "set", "show", "yes", "circles", "mentoring",
    }
)  # fmt: skip
KINDS = (ProgramKind.MENTORING, ProgramKind.PEER, ProgramKind.CIRCLES)


def check_slug(ctx: Ctx, slug: str, *, program: Program | None = None) -> str:
    """A short name that is free and can be typed: lowercase letters, digits and dashes,
    2 to 30 long, no command word; else the friendly error that says why.
    """
    wanted = slug.strip().lower()
    if not SLUG.match(wanted) or "--" in wanted:
        raise UserError("admin.bad_slug", slug=slug[:40])
    registry = registry_of(ctx)
    if wanted in ARGUMENT_WORDS or wanted in registry.commands.names() | registry.admin.names():
        raise UserError("admin.slug_is_command", slug=wanted)
    taken = repo.program_by_slug(
        session=ctx.session,
        platform=ctx.actor.platform,
        workspace_id=ctx.actor.workspace_id,
        slug=wanted,
    )
    if taken is not None and taken is not program:
        raise UserError("admin.slug_taken", slug=wanted, program=taken.name)
    return wanted


def _everywhere(ctx: Ctx) -> None:
    """Creating and archiving programs is for the configured admins."""
    if not ctx.admin_everywhere:
        raise UserError("error.not_admin")


def new_program(ctx: Ctx, args: list[str]) -> Reply:
    """``admin program new <slug> [mentoring|peer|circles] [name words...]``."""
    _everywhere(ctx)
    if not args:
        raise UserError("admin.program_new_usage")
    ctx.live_programs()  # the first program exists before a second is made
    if not ctx.live_programs():
        ctx.program()
    slug = check_slug(ctx, args[0])
    words = list(args[1:])
    kind = ctx.settings.program.kind
    if words and words[0].lower() in KINDS:
        kind = words.pop(0).lower()
    name = " ".join(words).strip() or slug
    if len(name) > 200:
        raise UserError("error.too_long", limit=200)
    defaults = ctx.settings.program
    program = repo.create_program(
        session=ctx.session,
        platform=ctx.actor.platform,
        workspace_id=ctx.actor.workspace_id,
        name=name,
        kind=kind,
        cadence=defaults.cadence,
        checkin_weekday=WEEKDAYS.index(defaults.checkin_weekday.lower()),
        checkin_hour=defaults.checkin_hour,
        announcement_channel=None,  # one channel announces one program, unless told
        now=ctx.now,
        starts_on=ctx.now.date(),
        slug=slug,
    )
    return ctx.say(
        "admin.program_created",
        program=program.name,
        slug=Text.trusted(slug),
        kind=Text.trusted(kind),
    )


def list_programs(ctx: Ctx, args: list[str]) -> Reply:
    """``admin program list``: every program here with kind, members, pairs and rounds."""
    programs = repo.workspace_programs(
        session=ctx.session,
        platform=ctx.actor.platform,
        workspace_id=ctx.actor.workspace_id,
        archived=True,
    )
    if not programs:
        ctx.program()  # the first one, from the configured defaults
        programs = ctx.live_programs()
    rows = tuple((f"{p.name} ({p.slug})", _summary(ctx, p)) for p in programs)
    return Message(
        (
            Section(ctx.t("admin.programs_header")),
            Fields(rows),
            Context(ctx.t("admin.programs_hint")),
        )
    )


def _summary(ctx: Ctx, program: Program) -> Text:
    """One program's line: kind, members, active pairs, its rounds, archived."""
    assert program.id is not None
    line = ctx.t(
        "admin.programs_line",
        kind=Text.trusted(program.kind),
        members=Text.trusted(str(repo.count_members(session=ctx.session, program_id=program.id))),
        pairs=Text.trusted(str(len(active_pairs(ctx.session, program.id)))),
    )
    if program.rounds_every_weeks == 1:
        line = line + Text.trusted(", ") + ctx.t("admin.programs_rounds_weekly")
    elif program.rounds_every_weeks:
        weeks = Text.trusted(str(program.rounds_every_weeks))
        line = line + Text.trusted(", ") + ctx.t("admin.programs_rounds", weeks=weeks)
    if program.archived_at is not None:
        day = Text.trusted(short_day(program.archived_at.date(), ctx.prompts.locale))
        line = line + Text.trusted(", ") + ctx.t("admin.programs_archived", day=day)
    return line


def archive_program(ctx: Ctx, args: list[str]) -> Reply:
    """``admin program archive <slug>``: asks first, then the program stops doing anything
    (no rounds, nudges, digests); its pairs and answers stay for the report.
    """
    _everywhere(ctx)
    if not args:
        raise UserError("admin.program_archive_usage")
    program = _live_named(ctx, args[0])
    confirmed = len(args) > 1 and args[1].lower() == "confirm"
    assert program.id is not None
    if not confirmed:
        yes = Button(
            ctx.prompts.text("button.archive_program"),
            f"admin program archive {program.slug} confirm",
            "danger",
        )
        keep = Button(ctx.prompts.text("button.keep_as_is"), "admin program list")
        pairs = Text.trusted(str(len(active_pairs(ctx.session, program.id))))
        members = Text.trusted(str(repo.count_members(session=ctx.session, program_id=program.id)))
        ask = ctx.t("admin.confirm_archive", program=program.name, members=members, pairs=pairs)
        raise NeedsConfirmation(Message((Section(ask), Buttons((yes, keep)))))
    program.archived_at = ctx.now
    ctx.session.add(program)
    withdrawn = outbox_db.cancel_pending_of_program(session=ctx.session, program_id=program.id)
    return ctx.say(
        "admin.program_archived", program=program.name, withdrawn=Text.trusted(str(withdrawn))
    )


def _live_named(ctx: Ctx, slug: str) -> Program:
    """The live program with the short name ``slug``, or a friendly "no such program"."""
    wanted = slug.strip().lower()
    for program in ctx.live_programs():
        if program.slug.lower() == wanted:
            return program
    known = ", ".join(f"`{p.slug}`" for p in ctx.live_programs())
    raise UserError("admin.no_such_program", slug=slug[:40], known=Text.trusted(known or "-"))
