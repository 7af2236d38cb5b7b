"""Charts as inline SVG (for the HTML page) or PNG (for chat), drawn with matplotlib.

matplotlib renders without a browser or a display (the Agg and SVG backends), so a report is
drawn the same way on a server, in CI and on a laptop. It loads only when a report is made.
"""

from __future__ import annotations

import io
import re

from bot.report.figures import Chart

COLOURS = ("#1f6feb", "#d1242f", "#2da44e", "#8250df")


def _figure(chart: Chart):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 3.2), dpi=100)
    ax = fig.add_subplot()
    x = list(range(len(chart.labels)))
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
    step = max(1, len(x) // 10)
    ax.set_xticks(
        x[::step], [chart.labels[i] for i in x[::step]], rotation=30, ha="right", fontsize=8
    )
    ax.set_title(chart.title, fontsize=11)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, and ratings 1-5
    ax.spines[["top", "right"]].set_visible(False)
    if len(names) > 1:
        ax.legend(fontsize=8, frameon=False)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.28)  # fixed: no layout pass
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
