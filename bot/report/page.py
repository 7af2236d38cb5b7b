"""The report as one self-contained HTML file and as CSV files.

The page fetches nothing when viewed: styles are inline and charts are inline SVG. It reads on
a phone (fluid width, tables scroll sideways), prints (no shadows, charts kept whole), and
every chart has a text alternative and a table of its numbers. Every text is escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from bot.report import charts
from bot.report.figures import Report
from bot.report_parts import Chart, Section, Table
from bot.spreadsheet import write_csv as write_table

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
figure { margin: 1rem 0; break-inside: avoid; } figure svg { width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: .85rem; }
@media print { body { max-width: none; } details { display: block; } h2 { break-after: avoid; } }
"""


def html(report: Report) -> str:
    """The whole page."""
    words = report.words
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(words['title'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(report.program)}</h1>",
        f'<p class="meta">{escape(words["meta"])}</p>',
        f'<p class="note">{escape(words["privacy"])}</p>',
        "</header><main>",
    ]
    parts += [_section(s, words) for s in report.sections]
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _section(section: Section, words: dict[str, str]) -> str:
    out = [f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>']
    if section.figures:
        out.append('<dl class="figures">')
        out += [
            f"<div><dt>{escape(f.label)}</dt><dd>{escape(f.value)}</dd></div>"
            for f in section.figures
        ]
        out.append("</dl>")
    for chart in section.charts:
        out.append(_chart(chart, words))
    for table in section.tables:
        out.append(f"<h3>{escape(table.title)}</h3>{_table(table, words['empty'])}")
    out.append("</section>")
    return "\n".join(out)


def _chart(chart: Chart, words: dict[str, str]) -> str:
    headers = ["", *chart.series]
    rows = [
        [label, *(chart.series[name][k] for name in chart.series)]
        for k, label in enumerate(chart.labels)
    ]
    numbers = _table(Table(chart.name, chart.title, headers, rows), words["empty"])
    return (
        f'<figure role="group" aria-label="{escape(chart.title)}">'
        f"{charts.svg(chart)}"
        f"<figcaption>{escape(chart.alt)}</figcaption>"
        f"<details><summary>{escape(words['numbers'])}</summary>{numbers}</details>"
        "</figure>"
    )


def _table(table: Table, empty: str) -> str:
    head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in table.headers)
    body = []
    for row in table.rows:
        cells = []
        for value in row:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            text = "" if value is None else str(value)
            text = table.words.get(text, text)
            cells.append(f'<td class="num">{text}</td>' if number else f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.headers)}">{escape(empty)}</td></tr>')
    rows = "".join(body)
    table_html = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return f'<div class="scroll">{table_html}</div>'


def write_csv(report: Report, directory: Path) -> list[Path]:
    """One CSV file per table (``<table name>.csv``), headers as in the README."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for section in report.sections:
        for table in section.tables:
            path = directory / f"{table.name}.csv"
            write_table(path, table.headers, table.rows)
            written.append(path)
    path = directory / "figures.csv"
    figures = [[s.key, f.key, f.label, f.value] for s in report.sections for f in s.figures]
    write_table(path, ["section", "figure", "label", "value"], figures)
    written.append(path)
    return written
