"""The admins' side of choosing: ``admin choices`` (who waits for whose answer), and the
program setting ``choose on [days N]`` / ``choose off`` that ``admin program`` stores and shows.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.context import Ctx
from bot.errors import UserError
from bot.prompts import Prompts
from bot.replies import Context, Fields, Message, Part, Reply, Section
from bot.spans import Text
from bot.time.format import local_when, short_day
from storage import choices as choices_db
from storage import repo
from storage.models import Program, ProgramKind

CHOOSE_USAGE = "on, off, on days 3 (1 to 30 days to answer)"


def choices(ctx: Ctx, args: list[str]) -> Reply:
    """The program's open requests: mentee -> mentor, when asked, answer by."""
    program = ctx.program()
    assert program.id is not None
    rows = choices_db.open_in_program(session=ctx.session, program_id=program.id)
    setting = (
        ctx.t("choose.admin_on", days=program.choose_days)
        if program.mentees_choose
        else ctx.t("choose.admin_off")
    )
    if not rows:
        return Message((Section(ctx.t("choose.admin_none")), Context(setting)))
    items = []
    for row in rows:
        mentee = repo.person_of_member(session=ctx.session, member_id=row.mentee_member_id)
        mentor = repo.person_of_member(session=ctx.session, member_id=row.mentor_member_id)
        who = f"{mentee.display_name if mentee else '?'} → {mentor.display_name if mentor else '?'}"
        day = short_day(row.created_at.astimezone(ctx.zone()).date(), ctx.prompts.locale)
        when = local_when(row.answer_by, ctx.zone(), ctx.prompts.locale)
        line = ctx.t("choose.admin_line", day=Text.trusted(day), when=Text.trusted(when))
        items.append((who, line))
    parts: list[Part] = [
        Section(ctx.t("choose.admin_header", count=Text.trusted(str(len(rows))))),
        Fields(tuple(items)),
        Context(setting),
    ]
    return Message(tuple(parts))


def digest_parts(session: Session, program: Program, prompts: Prompts) -> list[Part]:
    """The weekly digest's line on mentees waiting for a mentor's answer (none when nobody
    waits).
    """
    assert program.id is not None
    waiting = len(choices_db.open_in_program(session=session, program_id=program.id))
    return [Section(prompts.render("choose.digest", count=waiting))] if waiting else []


def shown(prompts: Prompts, program: Program) -> Text:
    """How ``admin program`` shows the setting: "on, 3 days to answer" or "off"."""
    if not program.mentees_choose:
        return prompts.render("choose.setting_off")
    return prompts.render("choose.setting_on", days=program.choose_days)


def apply_setting(program: Program, value: str) -> None:
    """``on``, ``on days 5`` (or ``on 5 days``), ``days 5`` or ``off``; a friendly error for
    anything else, and for a program that isn't mentoring.
    """
    words = value.lower().split()
    switch = words.pop(0) if words and words[0] in ("on", "off") else None
    numbers = [w for w in words if w not in ("days", "day")]
    if (switch is None and not numbers) or len(numbers) > 1 or len(words) > 2:
        raise _bad()
    days = program.choose_days
    if numbers:
        if not numbers[0].isdigit() or not 1 <= int(numbers[0]) <= 30:
            raise _bad()
        days = int(numbers[0])
    turning_on = switch == "on" or (switch is None and program.mentees_choose)
    if turning_on and program.kind != ProgramKind.MENTORING:
        raise UserError("choose.setting_mentoring_only")
    program.mentees_choose = switch != "off" if switch else program.mentees_choose
    program.choose_days = days


def _bad() -> UserError:
    return UserError(
        "admin.bad_setting", setting=Text.trusted("choose"), allowed=Text.trusted(CHOOSE_USAGE)
    )
