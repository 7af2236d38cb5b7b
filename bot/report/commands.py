"""``/mentor admin report``: the report's key figures in chat, with the page and a chart."""

from __future__ import annotations

from datetime import date

from bot.context import Ctx
from bot.errors import UserError
from bot.registry import registry_of
from bot.replies import Context, Fields, File, Message, Part, Reply, Section
from bot.report.summary import SECTION
from bot.spans import Text
from bot.time.parse import BadDate, parse_day

KEY_FIGURES = (
    "participation.active",
    "matching.pairs",
    "meetings.stalled",
    "goals.goals",
    "feedback.rating",
)


def admin_report(ctx: Ctx, args: list[str]) -> Reply:
    """``report [from DAY] [to DAY]``: the summary, key figures, the HTML page and the
    meetings chart.
    """
    from bot.report.charts import png
    from bot.report.figures import build
    from bot.report.page import html

    start, end = _period(ctx, args)
    program = ctx.program()
    zone = ctx.person.timezone or ctx.settings.program.default_timezone
    report = build(
        ctx.session,
        program,
        ctx.settings,
        now=ctx.now,
        start=start,
        end=end,
        zone=zone,
        prompts=ctx.prompts,
        registry=registry_of(ctx),
    )
    summary = [f for s in report.sections if s.key == SECTION for f in s.figures]
    lines = [Text.trusted(f"• {f.value} ") + Text.user(f.label) for f in summary]
    shown = {f"{s.key}.{f.key}": f for s in report.sections for f in s.figures}
    rows = tuple(
        (f.label[:1].upper() + f.label[1:], Text.trusted(f.value))
        for f in (shown[key] for key in KEY_FIGURES if key in shown)
    )
    stamp = f"{ctx.now:%Y-%m-%d}"
    parts: list[Part] = [
        Section(ctx.t("report.header", program=program.name)),
        Section(Text.join(lines, "\n")),
        Fields(rows),
        File(f"mentorbot-report-{stamp}.html", html(report).encode(), "text/html"),
    ]
    charts = [c for s in report.sections for c in s.charts if c.name == "meetings_per_cycle"]
    chart = charts[0] if charts else None
    if chart is not None:
        name = f"meetings-per-cycle-{stamp}.png"
        parts.append(File(name, png(chart), "image/png", alt=chart.alt))
    parts.append(Context(ctx.t("report.privacy", minimum=report.minimum)))
    return Message(tuple(parts))


def _period(ctx: Ctx, args: list[str]) -> tuple[date | None, date | None]:
    """``from DAY`` and/or ``to DAY``, in any order; anything else is a usage error."""
    found: dict[str, date] = {}
    words = list(args)
    while words:
        if len(words) < 2 or words[0].lower() not in ("from", "to") or words[0].lower() in found:
            raise UserError("report.usage")
        try:
            day = parse_day(words[1], today=ctx.now.date())
        except BadDate:
            raise UserError("report.bad_day", day=words[1]) from None
        found[words[0].lower()] = day
        words = words[2:]
    start, end = found.get("from"), found.get("to")
    if start and end and end < start:
        raise UserError("report.backwards")
    return start, end
