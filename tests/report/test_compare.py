"""A report against another: an earlier period of the program or another program of the
workspace, on the page, in figures.csv, comparison.csv and chat, through the page's ledger;
friendly errors for an unknown program, another workspace's and an empty period."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from bot.cli.main import app
from bot.cli.report import run_report
from bot.events import Command
from bot.replies import Message
from bot.report.compare import BEFORE, Against, compared, parse_compare, register, table
from bot.report_parts import Figure, Section
from bot.suppression import HIDDEN, Cells
from fakes.outcomes import Truth, generate
from tests.conftest import actor, run

PERIOD = (date(2026, 9, 1), date(2026, 10, 31))  # every generated cycle (from 7 September)
FEWER = ("met", "not_yet", "not_yet", "pending", "rescheduled")  # fewer meetings held


def _held(truth: Truth, *months: int) -> tuple[int, int]:
    days = [d for d in truth.planned if d.month in months]
    return sum(truth.held[d] for d in days), sum(truth.planned[d] for d in days)


def _two_programs(bot) -> tuple[Truth, Truth]:  # type: ignore[no-untyped-def]
    """Two programs of the console workspace; the second's pairs meet markedly less."""
    spring = generate(bot.engine, people=120, weeks=8, workspace="console")
    autumn = generate(
        bot.engine, people=120, weeks=8, seed=2, workspace="console", slug="autumn", outcomes=FEWER
    )
    return spring, autumn


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_page_and_the_csv_files_compare_two_programs_meeting_rates(bot, settings, tmp_path):
    """`mentorbot report --compare-to autumn`: each summary rate beside the other program's,
    with its n and the difference in points, on the page, in comparison.csv and figures.csv;
    the two meeting rates are the generated ones."""
    spring, autumn = _two_programs(bot)
    (mine, planned), (theirs, their_planned) = _held(spring, 9, 10), _held(autumn, 9, 10)
    assert mine / planned - theirs / their_planned > 0.15  # planted: markedly different
    page, folder = tmp_path / "page.html", tmp_path / "csv"
    args = ["report", "--program", str(spring.program_id), "--from", "2026-09-01"]
    args += ["--to", "2026-10-31", "--html", str(page), "--csv", str(folder)]
    env = {"DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(app, [*args, "--compare-to", "autumn"], env=env)
    assert result.exit_code == 0, result.output
    points = round(100 * (mine / planned - theirs / their_planned), 1)
    text = page.read_text(encoding="utf-8")
    their = f"{100 * theirs / their_planned:.0f}%"
    assert f"(other program: {their} (n {their_planned}), {points:+.1f} points)" in text
    assert "Each rate now and against Generated &lt;program&gt;, with its n" in text
    rows = {r["rate"]: r for r in _csv(folder / "comparison.csv")}
    held = rows["held"]
    assert float(held["now %"]) == round(100 * mine / planned, 1)
    assert (held["now n"], held["other program n"]) == (str(planned), str(their_planned))
    assert float(held["other program %"]) == round(100 * theirs / their_planned, 1)
    assert float(held["difference (points)"]) == points
    figures = {r["figure"]: r for r in _csv(folder / "figures.csv") if r["section"] == "summary"}
    row = figures["held"]
    assert (row["compared_numerator"], row["compared_denominator"]) == (
        str(theirs),
        str(their_planned),
    )
    assert float(row["compared_rate"]) == round(100 * theirs / their_planned, 1)  # percent
    assert float(row["difference_points"]) == points
    assert row["compared_to"] == "Generated <program>"
    assert "  Against Generated <program>\n" in result.output
    for wanted, problem in [
        ("nosuch", "There is no program `nosuch` in this workspace to compare with."),
        ("2026-09-01", "--compare-to is FROM:TO"),
    ]:
        result = CliRunner().invoke(app, [*args, "--compare-to", wanted], env=env)
        assert result.exit_code in (1, 2) and problem in result.output, result.output
        assert "Traceback" not in result.output


def test_an_earlier_period_is_compared_on_the_page_and_an_empty_one_refused(
    bot, settings, tmp_path
):
    """`--compare-to 2026-09-01:2026-09-30` against September and October: September's
    meetings in a "before" column with their n; `--compare-to previous` of a first week
    compares with the 7 days before, and says when they hold nothing to compare with."""
    spring = generate(bot.engine, people=120, weeks=8, workspace="console")
    page, folder = tmp_path / "page.html", tmp_path / "csv"

    def report(compare: str, start: date, end: date) -> tuple[int, str]:
        out = io.StringIO()
        code = run_report(
            settings,
            program_id=None,
            start=start,
            end=end,
            html_path=page,
            csv_dir=folder,
            console=Console(file=out, width=300),
            compare=parse_compare(compare),
        )
        return code, out.getvalue()

    assert report("2026-09-01:2026-09-30", *PERIOD)[0] == 0
    (held, planned), (now, now_planned) = _held(spring, 9), _held(spring, 9, 10)
    points = round(100 * (now / now_planned - held / planned), 1)
    shown = f"(before: {100 * held / planned:.0f}% (n {planned}), {points:+.1f} points)"
    assert shown in page.read_text("utf-8")
    rows = {r["rate"]: r for r in _csv(folder / "comparison.csv")}
    assert (rows["held"]["before n"], rows["held"]["now n"]) == (str(planned), str(now_planned))
    held_row = next(r for r in _csv(folder / "figures.csv") if r["figure"] == "held")
    assert held_row["compared_to"] == "2026-09-01 to 2026-09-30"
    code, said = report("previous", date(2026, 9, 7), date(2026, 9, 13))
    assert code == 0 and "  Against 2026-08-31 to 2026-09-06\n" in said  # people joined then
    code, said = report("previous", date(2026, 8, 17), date(2026, 8, 23))
    assert code == 1
    assert "nothing to compare with in 2026-08-10 to 2026-08-16" in said


def test_the_chat_command_compares_and_says_what_is_wrong(bot):
    """`/mentor admin report ... compare autumn`: the summary lines carry the other program's
    rates, the page too; an unknown program, another workspace's, an empty period, `previous`
    without a period and an unreadable period get friendly answers."""
    _, autumn = _two_programs(bot)
    generate(bot.engine, people=20, weeks=2, seed=3, workspace="elsewhere", slug="far")
    (theirs, their_planned) = _held(autumn, 9, 10)
    reply = bot.handle(
        Command(actor("admin"), "admin report gen from 2026-09-01 to 2026-10-31 compare autumn")
    )
    assert isinstance(reply, Message)
    text = reply.plain()
    assert "Against Generated <program>" in text
    line = next(ln for ln in text.splitlines() if "of planned meetings held" in ln)
    assert f"(other program: {100 * theirs / their_planned:.0f}% (n {their_planned})," in line
    assert re.search(r"[+-]\d+\.\d points\)$", line)
    page = reply.files()[0].content.decode()
    assert f"other program: {100 * theirs / their_planned:.0f}%" in page

    def answer(words: str) -> str:
        return run(bot, f"admin report gen from 2026-09-01 to 2026-10-31 {words}", who="admin")

    assert "no program `nosuch` in this workspace" in answer("compare nosuch")
    assert "`far` belongs to another workspace" in answer("compare far")
    assert "`gen` is this program" in answer("compare gen")
    assert "nothing to compare with in 2026-01-01 to 2026-01-31" in answer(
        "compare 2026-01-01:2026-01-31"
    )
    assert "couldn't read `2026-13`" in answer("compare 2026-13")
    assert "needs the period" in run(bot, "admin report gen compare previous", who="admin")
    before = run(
        bot, "admin report gen from 2026-09-01 to 2026-10-31 compare previous", who="admin"
    )
    assert "(before: " in before


def test_a_compared_count_under_the_minimum_is_hidden_through_the_page_ledger():
    """The other report's rate counts go through this page's ledger: 2 of 40 answered is
    hidden there (and no difference shown), 30 of 40 is shown beside the rate."""
    cells = Cells(5, drafting=True)
    theirs = (Figure("surveys", "answered", "5%", 2, 40), Figure("held", "held", "75%", 30, 40))
    against = Against(BEFORE, "September", theirs)
    register(cells, against)
    cells.settle()
    summary = Section("summary", "Summary")
    summary.figures = [
        Figure("surveys", "answered", "50%", 20, 40),
        Figure("held", "h", "50%", 20, 40),
    ]
    from bot.app import load_prompts
    from bot.report_parts import Words

    words = Words(load_prompts())
    found = compared(summary, against, cells, words)
    assert (found["surveys"].value, found["surveys"].difference) == (HIDDEN, None)
    assert found["surveys"].text == "before: hidden"
    assert (found["held"].value, found["held"].difference) == ("75%", -25.0)
    rows = {r[0]: r for r in table(summary, against, found, words).rows}
    assert rows["surveys"][3:] == [HIDDEN, HIDDEN, ""]
    assert rows["held"][1:] == [50.0, 40, 75.0, 40, -25.0]
