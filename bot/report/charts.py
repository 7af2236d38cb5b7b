"""Charts as inline SVG (for the HTML page) or PNG (for chat), drawn with matplotlib.

matplotlib renders without a browser or a display (the Agg and SVG backends), so a report is
drawn the same way on a server, in CI and on a laptop. It loads only when a report is made.
"""

from __future__ import annotations

import io
import re
import textwrap

from bot.report_parts import Chart

# Colour says what a series is: the outcome (held, the end of the program, the only series) in
# a calm blue, what it is measured against (planned, mid-program) in greys; never red.
OUTCOME = "#0969da"
CONTEXT = ("#8c959f", "#57606a", "#afb8c1")
WIDTH = 4.4  # inches: at a phone's 343 px the text (FONT pt) is still 11 px or more
FONT = 11.0  # points
DENSITY = 2  # the PNG's pixels per CSS pixel (sharp on high-density screens)


def colours(count: int) -> list[str]:
    """A colour per series: greys for the earlier ones, the last (the outcome) in blue."""
    return [CONTEXT[k % len(CONTEXT)] for k in range(count - 1)] + [OUTCOME][: max(count, 0)]


LONG = 10  # characters: bar labels longer than this turn the bars sideways
LINE = 22  # characters per line of a sideways bar's label


def _figure(chart: Chart, *, titled: bool = True):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    sideways = chart.kind == "bar" and max(map(len, chart.labels), default=0) > LONG
    if sideways:  # long names (a survey scale's) read across, each on its own row
        return _sideways(chart, titled=titled)
    x = list(range(len(chart.labels)))
    step = -(-len(x) // 6) if len(x) > 6 else 1  # at most six labels: they stay apart
    shown = [chart.labels[i] for i in x[::step]]
    fig = Figure(figsize=(WIDTH, 3.4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    names = list(chart.series)
    width = 0.8 / max(len(names), 1)
    for k, (name, colour) in enumerate(zip(names, colours(len(names)), strict=True)):
        values = [v if v is not None else float("nan") for v in chart.series[name]]
        outcome = k == len(names) - 1
        if chart.kind == "line":
            style = "-" if outcome else "--"
            ax.plot(x, values, marker="o", color=colour, label=name, linestyle=style)
        else:
            offset = (k - (len(names) - 1) / 2) * width
            ax.bar([i + offset for i in x], values, width=width, color=colour, label=name)
    ax.set_xticks(x[::step], shown, rotation=30, ha="right", fontsize=FONT)
    ax.tick_params(axis="y", labelsize=FONT)
    ax.set_xlabel(chart.x_title, fontsize=FONT)
    ax.set_ylabel(chart.y_title, fontsize=FONT)
    _finish(fig, ax, chart, titled, "y")
    return fig


def _sideways(chart: Chart, *, titled: bool):  # type: ignore[no-untyped-def]
    """Horizontal bars: each label wrapped on its own row at the left, values across, so
    long names never overlap at any width.
    """
    from matplotlib.figure import Figure

    labels = [textwrap.fill(label, LINE) for label in chart.labels]
    names = list(chart.series)
    rows = sum(max(label.count("\n") + 1, len(names)) for label in labels)
    fig = Figure(figsize=(WIDTH, 1.6 + 0.24 * rows), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    y = list(range(len(labels)))
    height = 0.8 / max(len(names), 1)
    for k, (name, colour) in enumerate(zip(names, colours(len(names)), strict=True)):
        values = [v if v is not None else float("nan") for v in chart.series[name]]
        offset = (k - (len(names) - 1) / 2) * height
        ax.barh([i + offset for i in y], values, height=height, color=colour, label=name)
    ax.set_yticks(y, labels, fontsize=FONT)
    ax.invert_yaxis()  # the first label on top, as in the table
    ax.tick_params(axis="x", labelsize=FONT)
    ax.set_xlabel(chart.y_title, fontsize=FONT)  # the values' title runs along the bars
    ax.set_ylabel(chart.x_title, fontsize=FONT)
    _finish(fig, ax, chart, titled, "x")
    return fig


def _finish(fig, ax, chart: Chart, titled: bool, values: str) -> None:  # type: ignore[no-untyped-def]
    """Title, the value axis from 0 to the scale's top, and the legend above the plot."""
    from matplotlib.ticker import MaxNLocator

    names = list(chart.series)
    if titled:  # the page gives the title as the figure's caption instead
        pad = 2.4 * FONT if len(names) > 1 else 6  # above the legend's row
        ax.set_title(chart.title, fontsize=FONT + 1, loc="left", pad=pad)
    axis = ax.yaxis if values == "y" else ax.xaxis
    axis.set_major_locator(MaxNLocator(integer=True))  # counts, and ratings 1-5
    highest = max((v for vs in chart.series.values() for v in vs if v is not None), default=0)
    # From 0 (a gap between two lines is read as it is, never magnified) to the scale's top,
    # or a little above the highest point.
    limit = (0, chart.top or max(highest * 1.1, 1))
    if values == "y":
        ax.set_ylim(*limit)
    else:
        ax.set_xlim(*limit)
    ax.spines[["top", "right"]].set_visible(False)
    if len(names) > 1:  # a row above the plot: never over a bar or a line
        ax.legend(
            fontsize=FONT,
            frameon=False,
            loc="lower left",
            bbox_to_anchor=(0, 1),
            ncol=len(names),
            borderaxespad=0,
        )


def svg(chart: Chart, *, titled: bool = True) -> str:
    """The chart as an inline ``<svg>`` element: text as text (no embedded glyphs), ids
    salted per chart so several charts share a page, no prologue or metadata; ``titled``:
    with its title drawn in.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart.name}):
        _figure(chart, titled=titled).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return text.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def png(chart: Chart) -> bytes:
    """The chart as a PNG image for chat, at twice the pixels of its size (sharp on
    high-density screens).
    """
    buffer = io.BytesIO()
    _figure(chart).savefig(buffer, format="png", dpi=100 * DENSITY)
    return buffer.getvalue()
