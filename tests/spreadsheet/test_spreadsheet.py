"""CSV files open as data in a spreadsheet (no formula runs) and read back exactly: the rule
cell by cell and the round trip for any text. That every CSV the bot writes goes through it is
ruff's banned-API rule (``csv`` in bot/ruff.toml, proved in tests/architecture/test_layout.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.spreadsheet import delimiter, escape_cell, read_rows, unescape_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\0=1", "'\0=1"),
        (" =1+1", "' =1+1"),  # some spreadsheets trim spaces before reading a formula
        ("'=1+1", "''=1+1"),  # so that reading it back gives the apostrophe too
        ("-", "-"),  # a bare sign, as the report writes for "none"
        ("-3", "-3"),  # text that is only a number stays a number
        ("-0.5", "-0.5"),
        ("+4", "+4"),
        (-3, -3),  # numbers are numbers
        (-0.5, -0.5),
        (None, None),
        ("O'Neill", "O'Neill"),
        ("'ordinary", "'ordinary"),
        ("a=b", "a=b"),
        ("python; sql", "python; sql"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_could_run_gets_an_apostrophe(value, written):
    """OWASP's first characters (and tab, CR, NUL) get a leading ' ; numbers stay numbers."""
    assert escape_cell(value) == written


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("'=1+1", "=1+1"),  # Excel's text marker before a formula comes off
        ("'-x", "-x"),
        ("'@x", "@x"),
        ("'\tx", "\tx"),
        ("'-3", "-3"),
        ("''=1", "'=1"),
        ("'Neill", "'Neill"),  # an apostrophe typed before ordinary text stays
        ("'", "'"),
        ("=1+1", "=1+1"),  # read as text, never evaluated
    ],
)
def test_reading_takes_the_apostrophe_off_only_before_a_formula(cell, read):
    """A ' before a formula's first character comes off on reading; any other ' stays."""
    assert unescape_cell(cell) == read


@given(st.text())
def test_any_text_reads_back_as_written(text):
    """Escaping then unescaping gives back any text at all."""
    written = escape_cell(text)
    assert isinstance(written, str)
    assert unescape_cell(written) == text


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=4))
def test_a_written_file_reads_back_cell_for_cell(tmp_path_factory, rows):
    """write_csv then read_rows gives every cell back, whatever the text."""
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(path, ["a", "b"], rows)
    with path.open(encoding="utf-8", newline="") as handle:
        read = [cells for _line, cells in read_rows(handle.read())]
    assert read == [["a", "b"], *rows]


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("platform_id,name,role\nann,Ann,mentee\n", ","),
        ("platform_id;name;role\r\nann;Ann;mentee\r\n", ";"),
        ("platform_id\tname\trole\nann\tAnn\tmentee\n", "\t"),
        ('"platform_id";"name, full";"role"\n', ";"),  # a comma inside quotes doesn't count
        ('platform_id,"skills; wants",role\n', ","),
        ("platform_id\nann;x,y,z\n", ","),  # one column: only the header line decides
        ("platform_id;name\rann,Ann\r", ";"),  # CR line ends (Excel's "Macintosh" CSV)
        ("", ","),
    ],
)
def test_the_separator_is_read_off_the_header_line(text, separator):
    """``,``, ``;`` or tab, whichever the header line has most of outside quotes."""
    assert delimiter(text) == separator


def test_a_semicolon_file_with_commas_in_quoted_cells_reads_cell_for_cell():
    """What Excel writes in many European locales: ``;`` between cells, commas in quotes."""
    text = (
        "platform_id;name;role;skills\r\n"
        'ann;"Lee, Ann";mentee;"python, sql"\r\n'
        "mia;Mia;mentor;'=1+1\r\n"
    )
    assert [cells for _line, cells in read_rows(text)] == [
        ["platform_id", "name", "role", "skills"],
        ["ann", "Lee, Ann", "mentee", "python, sql"],
        ["mia", "Mia", "mentor", "=1+1"],
    ]
