"""Hidden counts stay hidden: no hidden cell follows from the cells shown beside it, in the
report's CSV files, its page, its chat answer and the export."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import select

from bot.cli.roster import run_export
from bot.events import Command
from bot.report.figures import build
from bot.report.page import html, write_csv
from bot.report_parts import NONE
from bot.suppression import HIDDEN, Sum, hidden_cells
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Feedback, MatchRun, Member, Pair, Program
from tests.conftest import actor

MINIMUM = 3
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)

CASES = [  # (rule, counts, sums, known, hidden)
    ("a zone of 2 beside 150 and 148", {"t": 300, "a": 150, "b": 148, "c": 2},
     [Sum("t", ("a", "b", "c"))], (), {"b", "c"}),
    ("three ones are each exactly 1, so a fourth hides", {"t": 53, "a": 1, "b": 1, "c": 1, "d": 50},
     [Sum("t", ("a", "b", "c", "d"))], (), {"a", "b", "c", "d"}),
    ("1 and 1 add up to 2: with nothing else to hide, the total hides",
     {"t": 2, "a": 1, "b": 1, "z": 0}, [Sum("t", ("a", "b", "z"))], (), {"t", "a", "b"}),
    ("a hidden total hides a part of every other sum it is the total of",
     {"t": 2, "a": 1, "b": 1, "x": 2}, [Sum("t", ("a", "b")), Sum("t", ("x",))], (),
     {"t", "a", "b", "x"}),
    ("a known total hides its zero parts instead",
     {"t": 2, "a": 2, "z": 0, "y": 0}, [Sum("t", ("a", "z", "y"))], ("t",), {"a", "z", "y"}),
    ("nothing small, nothing hidden", {"t": 9, "a": 4, "b": 5, "z": 0},
     [Sum("t", ("a", "b", "z"))], (), set()),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "counts", "sums", "known", "hidden"), CASES)
def test_the_rule(rule, counts, sums, known, hidden):
    """Small counts hide, and enough others beside them that none follows from a sum."""
    people = [k for k in counts if k != "t"]
    got = hidden_cells(counts, people=people, sums=sums, minimum=MINIMUM, known=known)
    assert got == hidden, rule


def _small_groups(engine, truth) -> None:
    """Ended pairs (one because a partner left), a round that left six out (two for want of
    a shared language), fit answers (one "poor")."""
    with transaction(engine) as s:
        pairs = s.exec(select(Pair).where(Pair.program_id == truth.program_id)).all()
        for pair, reason in zip(pairs, ["left"] + ["program_ended"] * 4, strict=False):
            pair.status, pair.end_reason = "ended", reason
            pair.ended_at = truth.start + timedelta(days=20)
            s.add(pair)
        members = s.exec(select(Member).where(Member.program_id == truth.program_id)).all()
        for member, fit in zip(members, ["great"] * 5 + ["ok"] * 3 + ["poor"], strict=False):
            s.add(Feedback(member_id=member.id, kind="fit", helped=fit, created_at=truth.start))
        unmatched = [[k, "capacity"] for k in range(4)] + [[10, "language"], [11, "language"]]
        s.add(
            MatchRun(
                program_id=truth.program_id,
                status="published",
                summary={"unmatched": unmatched},
                created_at=truth.start,
                published_at=truth.start,
            )
        )


PROGRAMS = [  # (people, weeks, seed, with small groups, period)
    (14, 2, 1, False, None),
    (7, 1, 5, True, None),
    (23, 3, 2, True, None),
    (41, 4, 3, True, None),
    (30, 2, 7, True, (date(2026, 8, 25), date(2026, 9, 20))),
]


class _Page(HTMLParser):
    """The page's figures (label -> value) and tables (title -> rows of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._tag, self._label, self._title = "", "", ""
        self._in_chart = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self._tag = tag
        if tag == "figure":
            self._in_chart += 1
        elif tag == "tr" and self._title:
            self.tables[self._title].append([])
        elif tag == "td" and self._title:
            self.tables[self._title][-1].append("")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "figure":
            self._in_chart -= 1
        self._tag = ""

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._tag == "dt":
            self._label = data
        elif self._tag == "dd":
            self.figures[self._label] = data
        elif self._tag in ("h3", "figcaption"):  # a chart's table is under its caption
            self._title = data
            self.tables[data] = []
        elif self._tag == "td" and self._title:
            self.tables[self._title][-1][-1] += data


def _csv(directory: Path, *, stamped: bool = False) -> dict[str, list[list[str]]]:
    """Each file's rows; ``stamped``: past the program, period and generation columns every
    report file starts with."""
    out = {}
    for path in directory.glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            out[path.stem] = [row[4 if stamped else 0 :] for row in list(csv.reader(handle))[1:]]
    return out


def _cells(files: dict[str, list[list[str]]]) -> dict[tuple[str, str], str]:
    """(table, row label) -> value of two-column tables; ("figure", section.key) -> value."""
    # A figure's value, or a rate's numerator.
    out = {("figure", f"{r[0]}.{r[1]}"): r[4] or r[5] for r in files["figures"]}
    for name, rows in files.items():
        if name != "figures" and rows and len(rows[0]) == 2:
            out.update({(name, r[0]): r[1] for r in rows})
    return out


def _relations(true: dict[tuple[str, str], str]) -> list[tuple[tuple[str, str] | None, list]]:
    """Every set of report cells that adds up to a total (None: a total not shown, which a
    reader may still know), read from the unhidden report."""

    def f(key: str) -> tuple[str, str]:
        return ("figure", key)

    def rows(table: str) -> list[tuple[str, str]]:
        return [k for k in true if k[0] == table]

    def value(key: tuple[str, str]) -> int:
        return int(true[key])

    joined, statuses = (
        f("participation.joined"),
        [f(f"participation.{s}") for s in ("active", "paused", "left")],
    )
    out: list[tuple[tuple[str, str] | None, list]] = [
        (joined, rows("participation_by_role")),
        (joined, rows("participation_by_zone")),
        (joined if value(joined) == sum(map(value, statuses)) else None, statuses),
        (f("matching.ended"), rows("matching_ended")),
        (f("matching.left_out"), rows("matching_unmatched")),
        (f("goals.goals"), rows("goals_progress")),
    ]
    pairs, active, ended = f("matching.pairs"), f("matching.still_active"), f("matching.ended")
    if value(pairs) == value(active) + value(ended):
        out.append((pairs, [active, ended]))
    if true[("goals_progress", "100%")] == true[f("goals.completed")]:
        out.append((("goals_progress", "100%"), [f("goals.completed")]))
    return out


def _assert_nothing_follows(shown: dict, true: dict, relations) -> int:
    """Shown cells are true; in every sum a hidden cell has company and cover; returns how
    many sums hid something."""
    for key, value in shown.items():
        assert value in (HIDDEN, true[key]), key
    hiding = 0
    for total, parts in relations:
        hidden = [true[p] for p in parts if shown[p] == HIDDEN]
        if total is not None and shown[total] == HIDDEN:
            assert hidden, f"{total} is hidden but its parts add up to it"
        elif hidden:
            values = [int(v) for v in hidden]
            assert len(values) >= 2, f"{parts}: one hidden cell is the total minus the rest"
            assert sum(values) >= MINIMUM and sum(values) > len(values), parts
        elif total is None:
            continue
        hiding += bool(hidden)
    return hiding


def _assert_means_follow(files: dict[str, list[list[str]]]) -> None:
    """A mean beside a hidden n is hidden."""
    figures = {(r[0], r[1]): r[3] for r in files["figures"]}
    if figures[("feedback", "raters")] == HIDDEN:
        assert figures[("feedback", "rating")] == HIDDEN
    if figures[("goals", "completed")] == HIDDEN:
        assert figures[("goals", "days_to_complete")] == HIDDEN
    for _month, people, mean in files["feedback_ratings"]:
        assert people != HIDDEN or mean == HIDDEN
    for _scale, mid_n, mid_mean, end_n, end_mean in files["surveys"]:
        assert mid_n != HIDDEN or mid_mean in (HIDDEN, "")
        assert end_n != HIDDEN or end_mean in (HIDDEN, "")


def _report(bot, settings, truth, period, tmp: Path, minimum: int):
    chosen = replace(settings, surveys=replace(settings.surveys, min_group_size=minimum))
    start, end = period or (None, None)
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        report = build(
            s, program, chosen, now=NOW, start=start, end=end, zone="UTC", prompts=bot.prompts
        )
    write_csv(report, tmp)
    return report, _csv(tmp, stamped=True)


@pytest.mark.parametrize(("people", "weeks", "seed", "small", "period"), PROGRAMS)
def test_no_hidden_count_follows_from_the_report(
    bot, settings, tmp_path, people, weeks, seed, small, period
):
    """Programs with groups under the minimum: in the CSV files every sum with a hidden cell
    hides at least two, together at least the minimum (or hides its total), means beside a
    hidden n are hidden; the page and the chat show exactly the same cells."""
    truth = generate(bot.engine, people=people, weeks=weeks, seed=seed, workspace="console")
    if small:
        _small_groups(bot.engine, truth)
    report, files = _report(bot, settings, truth, period, tmp_path / "shown", MINIMUM)
    _, unhidden = _report(bot, settings, truth, period, tmp_path / "true", 1)
    shown, true = _cells(files), _cells(unhidden)
    assert HIDDEN in shown.values()  # every program here has a small group
    assert _assert_nothing_follows(shown, true, _relations(true)) >= 1
    _assert_means_follow(files)

    page = _Page()
    page.feed(html(report))
    for section in report.sections[1:]:  # after the summary (its figures are in figures.csv)
        for fig in section.figures:
            assert page.figures[fig.label] == fig.value
            count = str(fig.count) if fig.count is not None else fig.value
            written = shown[("figure", f"{section.key}.{fig.key}")]
            if re.match(r"^\S+ of \d+$", count):  # "4 of 12": its numerator in figures.csv
                count = count.split(" ")[0]
            if fig.key.startswith("headline_") and written not in (count, HIDDEN, NONE):
                assert f"{float(written):+.2f}" in count  # a change: its mean as a number
                continue
            assert count == written
        drawn = {c.name: c.title for c in section.charts}
        for table in section.tables:
            words = {v: k for k, v in table.words.items()}
            title = drawn.get(table.name, table.title)
            got = [  # the page's "-" is an empty cell in the CSV files (the legend says so)
                [words.get(c, "" if c == NONE else c) for c in row]
                for row in page.tables[title]
                if row
            ]
            assert got == (files[table.name] or [[report.words["empty"]]]), table.name

    if period is None:
        text = bot.handle(Command(actor("admin"), "admin report")).plain()
        lines = dict(re.findall(r"^(.+?): (.+)$", text, re.M))
        for section in report.sections:
            for fig in section.figures:
                label = fig.label[:1].upper() + fig.label[1:]
                if label in lines:
                    assert lines[label] == fig.value, label


def _export(settings, tmp: Path, minimum: int) -> dict[str, list[list[str]]]:
    chosen = replace(settings, surveys=replace(settings.surveys, min_group_size=minimum))
    code = run_export(
        chosen, out_dir=tmp, fmt="csv", program_id=None, console=Console(file=io.StringIO())
    )
    assert code == 0
    return _csv(tmp)


@pytest.mark.parametrize(("people", "seed"), [(9, 5), (14, 1), (23, 2), (41, 3)])
def test_no_hidden_count_follows_from_the_export(bot, settings, tmp_path, people, seed):
    """feedback.csv and surveys.csv: the spread of ratings adds up to their number; a hidden
    count hides another (or the number), and the mean beside it hides (with n it would give
    the hidden counts away)."""
    truth = generate(bot.engine, people=people, weeks=2, seed=seed, workspace="console")
    _small_groups(bot.engine, truth)
    files = _export(settings, tmp_path / "shown", MINIMUM)
    true = _export(settings, tmp_path / "true", 1)
    hid = 0
    feedback, real = dict(map(tuple, files["feedback"])), dict(map(tuple, true["feedback"]))
    spread = [f"ratings of {k}" for k in range(1, 6)]
    relations = [("session ratings", spread)]
    hid += _assert_nothing_follows(feedback, real, relations)
    if any(feedback[k] == HIDDEN for k in spread):
        assert feedback["mean rating (1-5)"] == HIDDEN
    assert feedback["fit: poor"] == HIDDEN
    for row, real_row in zip(files["surveys"], true["surveys"], strict=True):
        cells = dict(zip(["n", "mean", "1", "2", "3", "4", "5"], row[2:], strict=True))
        real_cells = dict(zip(["n", "mean", "1", "2", "3", "4", "5"], real_row[2:], strict=True))
        if cells["n"].startswith("fewer"):
            continue
        hid += _assert_nothing_follows(cells, real_cells, [("n", ["1", "2", "3", "4", "5"])])
        if HIDDEN in row:
            assert cells["mean"] == HIDDEN
    assert hid >= 1
