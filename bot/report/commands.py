"""``/mentor admin report``: the report's key figures in chat, with the page and a chart."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.context import Ctx
from bot.errors import UserError
from bot.registry import registry_of
from bot.replies import Context, Fields, File, Message, Part, Reply, Section
from bot.report.compare import Compared, parse_compare
from bot.report.summary import SECTION
from bot.report_parts import NONE, Figure
from bot.spans import Text
from bot.suppression import HIDDEN
from bot.time.parse import BadDate, parse_day

KEY_FIGURES = (
    "participation.active",
    "matching.pairs",
    "meetings.stalled",
    "goals.goals",
    "feedback.rating",
)


def admin_report(ctx: Ctx, args: list[str]) -> Reply:
    """``report [from DAY] [to DAY] [compare FROM:TO|previous|PROGRAM]``: the summary (each
    rate beside the compared one's), key figures, the HTML page and the meetings chart.
    """
    from bot.report.against import against
    from bot.report.charts import png
    from bot.report.figures import build
    from bot.report.page import html

    start, end, wanted = _period(ctx, args)
    program = ctx.program()
    zone = ctx.person.timezone or ctx.settings.program.default_timezone
    common: dict[str, Any] = {
        "now": ctx.now,
        "zone": zone,
        "prompts": ctx.prompts,
        "registry": registry_of(ctx),
    }
    other = None
    if wanted is not None:
        other = against(ctx.session, program, ctx.settings, wanted, start=start, end=end, **common)
    report = build(
        ctx.session, program, ctx.settings, start=start, end=end, against=other, **common
    )
    summary = [f for s in report.sections if s.key == SECTION for f in s.figures]
    lines = [_line(ctx, f, report.compared) for f in summary]
    shown = {f"{s.key}.{f.key}": f for s in report.sections for f in s.figures}
    rows = tuple(
        (f.label[:1].upper() + f.label[1:], _shown(ctx, f.value))
        for f in (shown[key] for key in KEY_FIGURES if key in shown)
    )
    stamp = f"{ctx.now:%Y-%m-%d}"
    parts: list[Part] = [Section(ctx.t("report.header", program=program.name))]
    if other is not None:
        parts.append(
            Context(Text.user(ctx.prompts.text("report.compare.header", label=other.label)))
        )
    parts += [
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


def _shown(ctx: Ctx, value: str) -> Text:
    """A key figure's value, a hidden one in the reader's word."""
    return ctx.t("report.value_hidden") if value == HIDDEN else Text.trusted(value)


def _line(ctx: Ctx, figure: Figure, compared: dict[str, Compared]) -> Text:
    """A summary line: the value, the words, and what it is compared with; a hidden value or
    one with nothing to count is said in words after the label, never a bare mark.
    """
    if figure.value in (HIDDEN, NONE):
        said = ctx.t("report.value_hidden" if figure.value == HIDDEN else "report.value_none")
        line = Text.trusted("• ") + ctx.t(
            "report.line_without_value", label=figure.label, value=said
        )
    else:
        line = Text.trusted(f"• {figure.value} ") + Text.user(figure.label)
    other = compared.get(figure.key)
    return line if other is None else line + Text.user(f" ({other.text})")


def _period(
    ctx: Ctx, args: list[str]
) -> tuple[date | None, date | None, tuple[date, date] | str | None]:
    """``from DAY``, ``to DAY`` and ``compare WHAT``, in any order; anything else is a usage
    error.
    """
    found: dict[str, date] = {}
    wanted: tuple[date, date] | str | None = None
    words = list(args)
    while words:
        if len(words) >= 2 and words[0].lower() == "compare" and wanted is None:
            try:
                wanted = parse_compare(words[1])
            except ValueError:
                raise UserError("report.compare_bad", what=words[1]) from None
            words = words[2:]
            continue
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
    return start, end, wanted
