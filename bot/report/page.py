"""The report as one self-contained HTML file and as CSV files.

The page fetches nothing when viewed: styles are inline and charts are inline SVG. It opens
with the one-screen summary; it reads on a phone (fluid width, chart text never below 11 px at
375 px, tables scroll sideways), prints on A4 (summary and charts kept whole, each chart's
numbers shown), and every chart has a text alternative and its numbers once, in a table under
a disclosure. Every text is escaped.

Every CSV file starts with the same four columns: ``program``, ``from``, ``to`` (the period,
empty when open) and ``generated`` (ISO 8601); figures.csv holds numbers as numbers, a rate as
its ``numerator``, ``denominator`` and ``rate`` (a fraction).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import Path

from bot.report import charts
from bot.report.compare import Compared
from bot.report.figures import Report
from bot.report.summary import SECTION
from bot.report_parts import NONE, Chart, Figure, Section, Table
from bot.spreadsheet import write_csv as write_table
from bot.suppression import HIDDEN

STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); margin: 0 0 1rem; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
  gap: .5rem; margin: 0; }
dl.figures div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
dl.figures dt { color: var(--muted); font-size: .85rem; } dl.figures dd { margin: 0;
  font-size: 1.3rem; font-weight: 600; }
figure { margin: 1rem 0; break-inside: avoid; max-width: 42rem; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
#summary ul { list-style: none; padding: 0; margin: 0; display: grid; gap: .4rem;
  grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
#summary li { border-left: 4px solid #0969da; padding: .25rem .75rem; background: #f6f8fa; }
#summary strong { font-size: 1.35rem; }
.scroll { overflow-x: auto; }
.scroll th:first-child, .scroll td:first-child { position: sticky; left: 0; background: #fff;
  z-index: 1; box-shadow: 1px 0 0 var(--line); }
.hint { display: none; color: var(--muted); font-size: .8rem; margin: .25rem 0 0; }
@media (max-width: 40rem) { .hint { display: block; } }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: .85rem; }
.was { color: var(--muted); font-size: .85rem; display: block; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; } #summary, table, dl.figures div, li { break-inside: avoid; }
  #summary li { background: none; }
  details > summary { list-style: none; font-weight: 600; }
  details::details-content { content-visibility: visible; display: contents; }
  .scroll { overflow: visible; } .hint { display: none; }
}
"""


def html(report: Report) -> str:
    """The whole page."""
    words = report.words
    parts = [
        "<!doctype html>",
        f'<html lang="{escape(report.language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(words['title'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(report.program)}</h1>",
        f'<p class="meta">{escape(words["meta"])}</p>',
        f'<p class="note">{escape(words["privacy"])}</p>',
        f'<p class="note">{escape(words["legend"])}</p>',
        "</header><main>",
    ]
    parts += [
        _summary(s, report.compared, words) if s.key == SECTION else _section(s, words)
        for s in report.sections
    ]
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _summary(section: Section, compared: dict[str, Compared], words: dict[str, str]) -> str:
    """The summary: each figure as its value in bold, then its words, then (when the report
    is compared with another) the other report's rate, its n and the difference; then the
    comparison table.
    """
    items = "".join(
        f"<li>{_sentence(f, words, escape)}{_beside(compared, f.key)}</li>" for f in section.figures
    )
    title = escape(section.title)
    tables = "".join(f"<h3>{escape(t.title)}</h3>{_table(t, words)}" for t in section.tables)
    return f'<section id="{SECTION}"><h2>{title}</h2><ul>{items}</ul>{tables}</section>'


def _sentence(figure: Figure, words: dict[str, str], escape: Callable[[str], str]) -> str:
    """A summary figure as a sentence, its value in bold: "<b>67%</b> of ..."; one without a
    number (hidden, nothing to count) as its words alone, then the value said in words.
    """
    if figure.value not in (HIDDEN, NONE):
        return f"<strong>{escape(figure.value)}</strong> {escape(figure.label)}"
    said = f"<strong>{escape(words[figure.value])}</strong>"
    return escape(words["line"]).replace("{label}", escape(figure.label)).replace("{value}", said)


def summary_line(figure: Figure, words: dict[str, str]) -> str:
    """A summary figure as a plain-text sentence (the terminal's): "67% of ...", or
    "Mentees who got a mentor: hidden".
    """
    return re.sub(r"</?strong>", "", _sentence(figure, words, str))


def _beside(compared: dict[str, Compared], key: str) -> str:
    other = compared.get(key)
    return "" if other is None else f' <span class="was">({escape(other.text)})</span>'


def _section(section: Section, words: dict[str, str]) -> str:
    out = [f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>']
    if section.note:
        out.append(f'<p class="note">{escape(section.note)}</p>')
    if section.figures:
        out.append('<dl class="figures">')
        out += [
            f"<div><dt>{escape(f.label)}</dt><dd>{escape(f.value)}</dd></div>"
            for f in section.figures
        ]
        out.append("</dl>")
    drawn = {t.name: t for t in section.tables}
    for chart in section.charts:
        out.append(_chart(chart, drawn.pop(chart.name, None), words))
    for table in drawn.values():  # a chart's own table is under it, not again here
        out.append(f"<h3>{escape(table.title)}</h3>{_table(table, words)}")
    out.append("</section>")
    return "\n".join(out)


def _chart(chart: Chart, table: Table | None, words: dict[str, str]) -> str:
    """The chart titled by its caption, described by its text alternative, and its numbers
    once: the table it was drawn from (or its series) under a disclosure.
    """
    if table is None:
        headers = ["", *chart.series]
        rows = [
            [label, *(chart.series[name][k] for name in chart.series)]
            for k, label in enumerate(chart.labels)
        ]
        table = Table(chart.name, chart.title, headers, rows)
    numbers = _table(table, words)
    drawing = charts.svg(chart, titled=False).replace(
        '<svg aria-hidden="true" focusable="false" ',
        f'<svg role="img" aria-label="{escape(chart.alt)}" focusable="false" ',
        1,
    )
    return (
        f"<figure><figcaption>{escape(chart.title)}</figcaption>{drawing}"
        f"<details><summary>{escape(words['numbers'])}</summary>{numbers}</details>"
        "</figure>"
    )


def _table(table: Table, words: dict[str, str]) -> str:
    """A table that scrolls sideways on a phone with its first column kept in view (and a
    hint that it scrolls); an empty cell shows the legend's "-".
    """
    head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in table.headers)
    body = []
    for row in table.rows:
        cells = []
        for value in row:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            text = NONE if value is None or value == "" else str(value)
            text = table.words.get(text, text)
            cells.append(f'<td class="num">{text}</td>' if number else f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.headers)}">{escape(words["empty"])}</td></tr>')
    rows = "".join(body)
    table_html = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    hint = f'<p class="hint">{escape(words["scroll"])}</p>' if len(table.headers) > 3 else ""
    return f'{hint}<div class="scroll">{table_html}</div>'


STAMP = ["program", "from", "to", "generated"]  # the first columns of every CSV file
# A rate is in percent (0-100, one decimal) here as in every table; a change (a survey
# headline) is its mean as value, its people as denominator and its 95% interval low-high.
FIGURES = [
    "section",
    "figure",
    "group",
    "label",
    "value",
    "numerator",
    "denominator",
    "rate",
    "low",
    "high",
]
OF = re.compile(r"^(\d+|" + re.escape(HIDDEN) + r") of (\d+)$")  # "4 of 12": a count of n
# With a comparison, figures.csv has these columns too (the other report's rate, as numbers).
COMPARED = [
    "compared_to",
    "compared_numerator",
    "compared_denominator",
    "compared_rate",
    "difference_points",
]


def write_csv(report: Report, directory: Path) -> list[Path]:
    """One CSV file per table (``<table name>.csv``) and figures.csv, headers as in
    docs/coordinators.md, each row starting with the program, the period and when made.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stamp = [
        report.program,
        report.start.isoformat() if report.start else "",
        report.end.isoformat() if report.end else "",
        report.generated.isoformat(timespec="seconds"),
    ]
    written = []
    for section in report.sections:
        for table in section.tables:
            path = directory / f"{table.name}.csv"
            write_table(path, STAMP + table.headers, [stamp + list(row) for row in table.rows])
            written.append(path)
    path = directory / "figures.csv"
    changes = {f.key: f for s in report.sections if s.key == SECTION for f in s.figures}
    figures = [stamp + _figure_row(s.key, f, changes) for s in report.sections for f in s.figures]
    headers = STAMP + FIGURES
    if report.against is not None:
        headers += COMPARED
        label = report.against.label
        keys = [f.key if s.key == SECTION else None for s in report.sections for f in s.figures]
        figures = [
            row + _compared_row(label, report.compared.get(k or ""))
            for row, k in zip(figures, keys, strict=True)
        ]
    write_table(path, headers, figures)
    written.append(path)
    return written


def _compared_row(label: str, other: Compared | None) -> list[object]:
    """A summary rate's comparison columns in figures.csv (empty for other figures)."""
    if other is None:
        return [None] * len(COMPARED)
    count = HIDDEN if other.count is None else other.count
    return [label, count, other.total, percent(other.rate), other.difference]


def percent(rate: float | None) -> float | None:
    """A rate (a fraction) in the CSV files' unit: percent to one decimal."""
    return None if rate is None else round(100 * rate, 1)


def _figure_row(section: str, figure: Figure, changes: dict[str, Figure]) -> list[object]:
    """A figure as figures.csv holds it: a number as a number; a rate ("4 of 12" too) as its
    parts; a change as its mean, n and interval (``changes``: the summary's, by key).
    """
    head = [section, figure.key, figure.group, figure.label]
    change = (changes.get(figure.key) or figure).change
    if change is not None:
        mean, low, high, n = change
        return [*head, round(mean, 2), None, n, None, round(low, 2), round(high, 2)]
    if figure.total is not None:
        return [*head, None, figure.count, figure.total, percent(figure.rate), None, None]
    said = OF.match(figure.value)
    if said:
        count, total = said.group(1), int(said.group(2))
        known = int(count) if count.isdigit() else None
        rate = percent(known / total) if known is not None and total else None
        return [*head, None, count if known is None else known, total, rate, None, None]
    value: object = figure.value
    for kind in (int, float):
        try:
            value = kind(figure.value)
            break
        except ValueError:
            continue
    return [*head, value, None, None, None, None, None]
