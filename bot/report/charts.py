"""Charts as inline SVG (for the HTML page) or PNG (for chat), drawn with matplotlib.

matplotlib renders without a browser or a display (the Agg and SVG backends), so a report is
drawn the same way on a server, in CI and on a laptop. It loads only when a report is made.
"""

from __future__ import annotations

import io
import re
import textwrap

from bot.report_parts import Chart

COLOURS = ("#1f6feb", "#d1242f", "#2da44e", "#8250df")


def _figure(chart: Chart):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    x = list(range(len(chart.labels)))
    step = max(1, len(x) // 10)
    shown = [chart.labels[i] for i in x[::step]]
    wrap = chart.kind == "bar" and max(map(len, shown), default=0) > 12
    if wrap:  # long words (a survey scale's name) go under their bar in lines, not slanted
        shown = [textwrap.fill(label, 16) for label in shown]
    lines = max((label.count("\n") + 1 for label in shown), default=1) if wrap else 0
    height = 3.2 + 0.14 * lines  # inches: the plot keeps its height, the labels get theirs
    fig = Figure(figsize=(7, height), dpi=100)
    ax = fig.add_subplot()
    names = list(chart.series)
    width = 0.8 / max(len(names), 1)
    for k, name in enumerate(names):
        values = [v if v is not None else float("nan") for v in chart.series[name]]
        colour = COLOURS[k % len(COLOURS)]
        if chart.kind == "line":
            ax.plot(x, values, marker="o", color=colour, label=name)
        else:
            offset = (k - (len(names) - 1) / 2) * width
            ax.bar([i + offset for i in x], values, width=width, color=colour, label=name)
    if wrap:
        ax.set_xticks(x[::step], shown, fontsize=8)
        bottom = (0.35 + 0.14 * lines) / height
    else:
        ax.set_xticks(x[::step], shown, rotation=30, ha="right", fontsize=8)
        bottom = 0.9 / height
    ax.set_title(chart.title, fontsize=11, loc="left")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, and ratings 1-5
    highest = max((v for vs in chart.series.values() for v in vs if v is not None), default=0)
    # From 0 (a gap between two lines is read as it is, never magnified) to the scale's top,
    # or a little above the highest point.
    ax.set_ylim(0, chart.top or max(highest * 1.1, 1))
    ax.spines[["top", "right"]].set_visible(False)
    if len(names) > 1:  # above the plot, right of the title: never over a bar or a line
        ax.legend(
            fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1, 1), ncol=len(names)
        )
    top = 1 - 0.38 / height
    fig.subplots_adjust(left=0.08, right=0.98, top=top, bottom=bottom)  # fixed: no layout pass
    return fig


def svg(chart: Chart) -> str:
    """The chart as an inline ``<svg>`` element: text as text (no embedded glyphs), ids
    salted per chart so several charts share a page, no prologue or metadata.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart.name}):
        _figure(chart).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return text.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def png(chart: Chart) -> bytes:
    """The chart as a PNG image, for chat."""
    buffer = io.BytesIO()
    _figure(chart).savefig(buffer, format="png")
    return buffer.getvalue()
