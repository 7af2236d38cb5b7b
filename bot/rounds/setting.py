"""``admin program set rounds ...``: storing the schedule, and how ``admin program`` shows it."""

from __future__ import annotations

from bot.context import Ctx
from bot.rounds.schedule import first_day, next_due, parse_rounds, program_zone, zone_key
from bot.spans import Text
from bot.time.cadence import round_checkin_weekday
from bot.time.format import local_when, weekday_name
from bot.time.zones import UnknownTimezone, parse_timezone
from storage import rounds as rounds_db


def set_rounds(ctx: Ctx, value: str) -> None:
    """Store the rounds schedule in ``value`` (or switch rounds off); a round already
    scheduled moves to the new first one (its people are told again) or is cancelled.
    """
    program = ctx.program()
    assert program.id is not None
    parsed = parse_rounds(value, program)
    if parsed is None:
        program.rounds_every_weeks = None
        program.rounds_from = None
        rounds_db.reschedule(session=ctx.session, program_id=program.id, due_at=None, now=ctx.now)
        return
    program.rounds_every_weeks = parsed.every_weeks
    program.rounds_weekday, program.rounds_time = parsed.weekday, parsed.at
    program.rounds_publish = parsed.publish
    program.rounds_from = first_day(program, program_zone(program, ctx.settings), now=ctx.now)
    first = next_due(program, ctx.settings, after=ctx.now)
    rounds_db.reschedule(session=ctx.session, program_id=program.id, due_at=first, now=ctx.now)


def set_zone(ctx: Ctx, value: str) -> None:
    """The clock the program's rounds run on: a zone people would type (``Europe/Madrid``,
    ``Madrid``, ``UTC+2``), or ``default`` for ``[program] default_timezone``; a round
    already scheduled moves to the same local time in it.
    """
    from bot.profile.fields import zone_error  # the friendly unknown-zone error people get

    program = ctx.program()
    assert program.id is not None
    if value.strip().lower() in ("default", "-", ""):
        program.timezone = None
    else:
        try:
            program.timezone = parse_timezone(value).key
        except UnknownTimezone as exc:  # an ambiguous one too: it names the zones it could be
            raise zone_error(exc) from None
    if program.rounds_every_weeks is not None:
        first = next_due(program, ctx.settings, after=ctx.now)
        rounds_db.reschedule(session=ctx.session, program_id=program.id, due_at=first, now=ctx.now)


def rounds_label(ctx: Ctx) -> Text:
    """The rounds line of ``admin program``: by hand, or every N weeks with the next one."""
    program = ctx.program()
    if program.rounds_every_weeks is None:
        return ctx.t("rounds.by_hand")
    tag = ctx.prompts.locale
    upcoming = next_due(program, ctx.settings, after=ctx.now)
    zone = program_zone(program, ctx.settings)
    weekly = program.rounds_every_weeks == 1  # "every week", not "every 1 week"
    weeks = {} if weekly else {"weeks": program.rounds_every_weeks}
    return ctx.t(
        "rounds.label_weekly" if weekly else "rounds.label",
        **weeks,
        weekday=Text.trusted(weekday_name(program.rounds_weekday, tag)),
        time=Text.trusted(program.rounds_time),
        zone=Text.trusted(zone_key(program, ctx.settings)),
        publish=ctx.t(f"rounds.publish.{program.rounds_publish}"),
        next=Text.trusted(local_when(upcoming, zone, tag)) if upcoming else ctx.t("rounds.none"),
    )


def checkin_labels(ctx: Ctx) -> tuple[Text, Text]:
    """The cadence and weekday lines of ``admin program``: the program's own, or, with
    recurring rounds, once per round on the day its check-ins really fall (said when that is
    not the program's check-in weekday, which is too close to a round's day).
    """
    program, tag = ctx.program(), ctx.prompts.locale
    configured = Text.trusted(weekday_name(program.checkin_weekday, tag))
    day = round_checkin_weekday(program)
    if day is None:
        return ctx.t(f"admin.cadence.{program.cadence}"), configured
    if day == program.checkin_weekday:
        return ctx.t("rounds.checkin_cadence"), configured
    moved = ctx.t(
        "rounds.checkin_weekday_moved",
        weekday=Text.trusted(weekday_name(day, tag)),
        configured=configured,
    )
    return ctx.t("rounds.checkin_cadence"), moved
