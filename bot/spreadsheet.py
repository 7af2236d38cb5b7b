"""CSV files that a spreadsheet opens as data, never as formulas (CSV injection, CWE-1236),
and that read back exactly what was written.

Every CSV file the bot writes goes through :func:`write_csv`. As OWASP advises, a cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (and NUL, as ASVS adds; also
after spaces, which some spreadsheets drop) gets a leading ``'``, so Excel, LibreOffice and
Google Sheets show it as text instead of running it. Numbers are left alone: a number, text
that is only a number (``-3``, ``-0.5``) or a bare sign cannot be run, and should stay a number
in the spreadsheet. :func:`read_rows` takes that ``'`` off again, so export -> import gives back
the stored values; an apostrophe typed before ordinary text stays.

This protects the cells as a comma-separated reader sees them: a spreadsheet that splits the
file on another character (Excel in some locales splits on ``;``) draws other cell boundaries,
which no per-cell prefix can foresee.

Reading, :func:`read_rows` takes cells separated by ``,``, ``;`` (as Excel saves "CSV" in many
European locales) or tab, telling them apart by the header line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

# A formula's first character, possibly after whitespace or apostrophes (which some
# spreadsheets drop, and which an escaped cell starts with, so reading back stays exact).
_FORMULA = re.compile(r"['\s]*[=+\-@\t\r\0]")
# Text a spreadsheet reads as a plain number (or a bare sign): nothing to run.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)?")
# Reading: the separators a header line can use (the first wins a tie), a quoted cell (its
# separators don't count), the end of the header line, and how much of the file to look at.
_DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'"[^"]*"')
_LINE_END = re.compile(r"\r\n|\r|\n")
_HEAD = 65536


def escape_cell(value: object) -> object:
    """``value`` as it goes into a CSV file: text a spreadsheet could run as a formula gets a
    leading ``'``; numbers, and text that is only a number, are left as they are.
    """
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    if _FORMULA.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """A cell read from a CSV file as it was before :func:`escape_cell`: the ``'`` before
    what would be a formula comes off (Excel's own text marker, or ours); any other stays.
    """
    if text.startswith("'") and _FORMULA.match(text, 1):
        return text[1:]
    return text


def write_csv(path: Path, header: Sequence[object], rows: Iterable[Sequence[object]]) -> None:
    """Write ``header`` and ``rows`` to ``path`` as UTF-8 CSV, every cell escaped."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([escape_cell(v) for v in header])
        writer.writerows([escape_cell(v) for v in row] for row in rows)


def delimiter(text: str) -> str:
    """The character that separates the cells of CSV ``text``: ``,``, ``;`` (what Excel
    writes in many European locales) or a tab, whichever the header line has most of outside
    quotes (``,`` when none or tied).
    """
    unquoted = _QUOTED.sub("", text[:_HEAD])
    header = _LINE_END.split(unquoted, maxsplit=1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: counts[d])  # max keeps the first of a tie


def read_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of CSV ``text`` as (the line it ends on, its cells unescaped); cells
    separated by ``,``, ``;`` or tab, as the header line shows (:func:`delimiter`).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    for cells in reader:
        yield reader.line_num, [unescape_cell(c) for c in cells]
