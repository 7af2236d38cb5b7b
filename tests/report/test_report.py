"""The program report: numbers equal a driven program's truth, privacy, the page, CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import statistics
import struct
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import select

from adapters.surfaces import surfaces
from bot.app import build_bot, load_prompts
from bot.config import load_settings
from bot.report.figures import BUCKETS, HIDDEN, build
from bot.report.page import html, write_csv
from bot.time.clock import FakeClock
from fakes.driven import SECRET, drive
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Program
from tests.conftest import START
from tests.report.test_arithmetic import exposed, page_relations, page_values

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def report_of(engine, settings, truth, **period):
    with transaction(engine) as s:
        program = s.get(Program, truth.program_id)
        prompts = load_prompts()
        return build(s, program, settings, now=NOW, zone="Europe/Berlin", prompts=prompts, **period)


def figures(report) -> dict[str, str]:
    return report.figures()


# one process runs this module (an xdist group): its driven program is built once
pytestmark = pytest.mark.xdist_group("driven_report")


@pytest.fixture(scope="module")
def driven(tmp_path_factory):
    """500 people over twelve weekly cycles, driven through the bot on the fake clock (about
    half a minute): joined, matched, nudged at their local hours, answering by button and form
    as a seeded plan says. Once per module, on SQLite."""
    base = load_settings(None, env={})
    data = tmp_path_factory.mktemp("driven")
    settings = replace(base, bot=replace(base.bot, data_dir=str(data)))
    bot = build_bot(settings, clock=FakeClock(START), surfaces=surfaces())
    truth = asyncio.run(drive(bot, people=500, weeks=12))
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        report = build(
            s, program, settings, now=bot.clock.now(), zone="Europe/Berlin", prompts=bot.prompts
        )
    asked = _asked(bot.engine, bot.clock.now())
    bot.engine.dispose()
    return truth, report, asked


def _asked(engine, now: datetime) -> dict[str, int]:
    """Check-in questions due by ``now`` and answered, survey invitations sent and answered,
    counted here straight from the tables."""
    from sqlalchemy import text

    with engine.connect() as conn:
        checkins = conn.execute(text("SELECT outcome, due_at FROM checkin")).all()
        keys = conn.execute(
            text("SELECT dedupe_key FROM outboxmessage WHERE status = 'sent'")
        ).all()
        answers = conn.execute(text("SELECT member_id, survey FROM surveyresponse")).all()
    due = [o for o, when in checkins if when is not None and _utc(when) <= now]
    invited = {(int(k.split(":")[2]), k.split(":")[3]) for (k,) in keys if k.startswith("survey:")}
    return {
        "checkins": len(due),
        "checkins_answered": sum(1 for o in due if o != "pending"),
        "surveys": len(invited),
        "surveys_answered": len(invited & {(m, sv) for m, sv in answers}),
    }


def _utc(when) -> datetime:
    when = when if isinstance(when, datetime) else datetime.fromisoformat(str(when))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _rate(count: int, total: int) -> str:
    return f"{100 * count / total:.0f}% ({count} of {total})"


@pytest.mark.slow
def test_the_report_equals_what_the_driven_program_did(driven):
    """Every number the report shows is what the plan did through the bot."""
    truth, report, _asked = driven
    got = report.figures()
    assert got["participation.joined"] == "500"
    for status in ("active", "paused", "left"):
        assert got[f"participation.{status}"] == str(truth.statuses[status])
    assert report.table("participation_by_role").rows == [
        ["mentee", truth.roles["mentee"]],
        ["mentor", truth.roles["mentor"]],
    ]
    zones = dict(map(tuple, report.table("participation_by_zone").rows))
    # The zone of two is hidden, and the smallest other zone with it: 500 minus the zones
    # shown gives only the two together.
    beside = min((n, z) for z, n in truth.zones.items() if z != "Pacific/Chatham")[1]
    assert zones == {
        z: HIDDEN if z in ("Pacific/Chatham", beside) else n for z, n in truth.zones.items()
    }
    assert truth.zones["Pacific/Chatham"] == 2 and truth.zones[beside] > 100
    assert got["matching.pairs"] == str(truth.pairs) and truth.pairs == 125
    assert got["matching.still_active"] == "0"  # the program ended
    assert report.table("matching_ended").rows == [
        [load_prompts().text(f"pairs.end_reason.{r}"), n] for r, n in sorted(truth.ended.items())
    ]
    assert got["matching.left_out"] == str(truth.left_out) == "250"
    assert report.table("matching_unmatched").rows == [["more mentees than mentor places", 250]]

    rows = report.table("meetings_per_cycle").rows
    assert rows == [
        [d.isoformat(), len(truth.planned[d]), len(truth.held.get(d, ()))]
        for d in sorted(truth.planned)
    ]
    assert len(rows) == 11  # the first Tuesday came too soon after the introductions
    held = sum(len(v) for v in truth.held.values())
    assert got["meetings.held"] == _rate(held, sum(len(v) for v in truth.planned.values()))
    assert got["meetings.not_yet"] == str(truth.not_yet)
    assert got["meetings.rescheduled"] == str(truth.rescheduled)
    assert got["meetings.first_meeting"] == f"{statistics.median(truth.first_met_days):.1f}"

    assert got["goals.goals"] == str(truth.goals) and truth.goals > 150
    assert got["goals.smart"] == str(truth.smart)
    assert got["goals.completed"] == _rate(truth.completed, truth.goals)
    assert got["goals.days_to_complete"] == f"{statistics.median(truth.complete_days):.1f}"
    assert all(n >= 3 for n in truth.progress.values())  # no small bucket: nothing hidden
    assert report.table("goals_progress").rows == [[b, truth.progress[b]] for b in BUCKETS]

    assert got["feedback.raters"] == str(len(truth.ratings))
    assert got["feedback.rating"] == str(round(statistics.fmean(truth.ratings), 2))
    assert report.table("feedback_fit").rows == sorted(map(list, truth.fits.items()))

    survey = {row[0]: row[1:] for row in report.table("surveys").rows}
    for (which, scale), values in truth.survey.items():  # one question per scale, its id
        k = 0 if which == "mid" else 2
        assert survey[scale][k : k + 2] == [len(values), round(statistics.fmean(values), 2)]
    assert survey["social"][0] > 100 and survey["academic"][2] > 100
    for which in ("mid", "end"):  # the drop-out question both times, never "keep in touch"
        values = truth.survey[(which, "continue")]
        risk = sum(1 for v in values if v <= 2)
        assert got[f"surveys.dropping_out_{which}"] == f"{risk} of {len(values)}"

    assert got["requests.opened"] == str(truth.requests) and truth.requests > 10
    assert got["requests.claimed"] == str(truth.claimed)
    assert got["requests.hours_to_claim"] == "3.0"
    page = html(report)
    assert SECRET not in page

    values = page_values(report)  # the zone of two and its cover: no sum of the page gives them
    assert HIDDEN in values.values() and not exposed(values, page_relations(values))


@pytest.mark.slow
def test_the_summary_gives_the_driven_programs_reach_and_rates(driven):
    """The summary, first on the page: people reached, matched and waiting (with why), and
    meetings, goals, check-ins and surveys as rates with their n, as the program went."""
    truth, report, asked = driven
    summary = report.sections[0]
    assert summary.key == "summary"
    got = {f.key: f for f in summary.figures}
    sentence = {k: f"{f.value} {f.label}" for k, f in got.items()}
    assert sentence["reached"] == "500 people reached (took part in the period)"
    assert 2 * truth.pairs == 500 - truth.left_out == 250  # one mentor and one mentee a pair
    mentees = truth.roles["mentee"]  # mentors are not counted into "matched"
    assert sentence["matched"] == (
        f"{100 * truth.pairs / mentees:.0f}% of mentees got a mentor ({truth.pairs} of {mentees})"
    )
    assert sentence["waiting"] == (
        f"{truth.left_out} waiting for a partner: more mentees than mentor places (250)"
    )
    held = sum(len(v) for v in truth.held.values())
    planned = sum(len(v) for v in truth.planned.values())
    assert (got["held"].count, got["held"].total) == (held, planned)
    assert sentence["held"] == (
        f"{100 * held / planned:.0f}% of planned meetings held ({held} of {planned})"
    )
    assert (got["goals"].count, got["goals"].total) == (truth.completed, truth.goals)
    assert sentence["goals"].startswith(f"{100 * truth.completed / truth.goals:.0f}% of goals")
    for key in ("checkins", "surveys"):
        count, total = asked[f"{key}_answered"], asked[key]
        assert total > 100 and 0 < count < total
        assert (got[key].count, got[key].total) == (count, total)
        assert got[key].value == f"{100 * count / total:.0f}%"
    page = html(report)
    assert page.index('id="summary"') < page.index('id="participation"')
    assert f"<strong>{got['held'].value}</strong> of planned meetings held" in page


def test_groups_of_two_are_hidden_and_of_three_shown(bot, settings):
    """Fourteen people: the zone of two is hidden, and one zone of three beside it (else 14
    minus the zones shown would give 2), the other three are shown; a period that leaves
    fewer than three people's ratings hides them."""
    truth = generate(bot.engine, people=14, weeks=2)
    report = report_of(bot.engine, settings, truth)
    zones = dict(map(tuple, report.table("participation_by_zone").rows))
    assert figures(report)["participation.joined"] == "14"
    assert zones.pop("Pacific/Chatham") == HIDDEN
    assert sorted(map(str, zones.values())) == ["3", "3", "3", HIDDEN]
    assert figures(report)["feedback.raters"] == str(len(truth.ratings))
    small = generate(bot.engine, people=3, weeks=1, seed=2)  # two mentees rate their sessions
    narrow = figures(report_of(bot.engine, settings, small))
    assert narrow["feedback.raters"] == HIDDEN
    assert narrow["feedback.rating"] == HIDDEN


def test_a_period_counts_only_what_happened_in_it(bot, settings):
    """--from/--to: cycles outside the period are not counted."""
    truth = generate(bot.engine, people=40, weeks=6)
    cycles = sorted(truth.planned)
    report = report_of(bot.engine, settings, truth, start=cycles[0], end=cycles[2])
    assert [r[0] for r in report.table("meetings_per_cycle").rows] == [
        d.isoformat() for d in cycles[:3]
    ]


def test_the_page_is_self_contained_escaped_and_private(bot, settings):
    """No URL in any src or href, charts inline with text alternatives and tables, the
    program's name escaped, nobody's words, the generation time in the coordinator's zone."""
    truth = generate(bot.engine, people=60, weeks=4)
    page = html(report_of(bot.engine, settings, truth))
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert all(not re.match(r"\s*(https?:|//|data:)", link) for link in links)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert "Generated &lt;program&gt;" in page and "<program>" not in page
    assert page.count("<svg") == page.count("<figcaption>") >= 4
    assert page.count("The numbers behind this chart") == page.count("<svg")
    assert "secret words" not in page and "private words" not in page
    assert "2026-12-07 13:00 CET" in page


def _documented_csv_headers() -> dict[str, list[str]]:
    """The report's CSV files and headers as docs/coordinators.md lists them."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "coordinators.md").read_text("utf-8")
    section = guide.split("`--csv DIR` writes a file per table", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"`(\w+)\.csv` \(([^);]+)", section)
    return {name: [h.strip() for h in headers.split(",")] for name, headers in listed}


SPLITS = ("role", "region", "intake", "team")  # by default; more when marked reportable
OUTCOMES = [
    *["group", "people", "meetings held %", "goals reached %", "mean session rating"],
    *["raters", "dropping out %", "answered"],
]
FAIRNESS = [
    *["group", "people", "matched %", "median days waiting", "rounds left out"],
    *["mean fit score", "early endings"],
]
CHANGE = ["scale", "n", "mean change", "95% low", "95% high", "improved %"]
MONTHLY = [
    *["month", "meetings held %", "pair-cycles planned", "goals reached %", "goals set"],
    *["mean session rating", "raters"],
]
STAMP = ["program", "from", "to", "generated"]


def test_csv_files_have_stable_headers(bot, settings, tmp_path):
    """One file per table, with the headers docs/coordinators.md documents, each after the
    program, period and generation columns every file starts with."""
    truth = generate(bot.engine, people=40, weeks=2)
    written = write_csv(report_of(bot.engine, settings, truth), tmp_path)
    headers = {}
    for path in written:
        with path.open(encoding="utf-8") as handle:
            head = next(csv.reader(handle))
        assert head[:4] == STAMP, path.name
        headers[path.stem] = head[4:]
    assert headers == {
        "participation_by_role": ["role", "people"],
        "participation_by_zone": ["time zone", "people"],
        "matching_ended": ["reason", "pairs"],
        "matching_unmatched": ["why", "people"],
        "meetings_per_cycle": ["cycle", "planned", "held"],
        "goals_progress": ["progress", "goals"],
        "feedback_ratings": ["month", "people", "mean rating"],
        "feedback_fit": ["answer", "answers"],
        "surveys": ["scale", "mid n", "mid mean", "end n", "end mean"],
        "surveys_change": ["scale", "n", "mean change", "95% low", "95% high", "improved %"],
        "figures": [
            *["section", "figure", "group", "label", "value", "numerator", "denominator"],
            *["rate", "low", "high"],
        ],
        **{f"outcomes_by_{split}": [split, *OUTCOMES[1:]] for split in SPLITS},
        **{f"fairness_by_{split}": [split, *FAIRNESS[1:]] for split in SPLITS},
        **{f"surveys_change_by_{split}": [split, *CHANGE] for split in SPLITS},
        "rates_by_month": MONTHLY,
        "rates_by_cycle": ["cycle", "meetings held %", "pairs planned"],
    }
    assert headers == _documented_csv_headers()


def test_every_csv_row_says_its_program_period_and_date_and_figures_are_numbers(
    bot, settings, tmp_path
):
    """Every row of every file names the program, the period and when it was made;
    figures.csv holds numbers as numbers and a rate as numerator, denominator and rate."""
    truth = generate(bot.engine, people=40, weeks=6)
    cycles = sorted(truth.planned)
    report = report_of(bot.engine, settings, truth, start=cycles[0], end=cycles[-1])
    written = write_csv(report, tmp_path)
    stamped = set()
    for path in written:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        stamped |= {path.stem} if rows else set()
        for row in rows:
            assert row["program"] == "Generated <program>"
            assert (row["from"], row["to"]) == (cycles[0].isoformat(), cycles[-1].isoformat())
            assert row["generated"] == "2026-12-07T13:00:00+01:00"
    assert {"figures", "meetings_per_cycle", "goals_progress"} <= stamped
    with (tmp_path / "figures.csv").open(encoding="utf-8", newline="") as handle:
        figures = {r["figure"]: r for r in csv.DictReader(handle)}
    held = sum(truth.held.get(d, 0) for d in cycles)  # the generator counts per cycle
    planned = sum(truth.planned[d] for d in cycles)
    row = figures["held"]
    assert (row["value"], row["numerator"], row["denominator"]) == ("", str(held), str(planned))
    assert float(row["rate"]) == round(100 * held / planned, 1)  # percent, as in every table
    assert "/" not in "".join(r["value"] for r in figures.values())
    assert figures["pairs"]["value"].isdigit() and figures["pairs"]["rate"] == ""


def test_the_report_command_writes_the_page_and_the_files(bot, settings, tmp_path):
    """`mentorbot report --html FILE --csv DIR` prints the headline figures and writes both."""
    from bot.cli.report import run_report

    generate(bot.engine, people=40, weeks=2)
    out = io.StringIO()
    code = run_report(
        settings,
        program_id=None,
        start=None,
        end=None,
        html_path=tmp_path / "report.html",
        csv_dir=tmp_path / "csv",
        console=Console(file=out, width=200),
    )
    assert code == 0
    text = out.getvalue()
    assert "Generated <program>: program report" in text
    assert "  Participation\n    joined in the period: 40" in text
    assert "  Summary\n    40 people reached (took part in the period)\n" in text
    assert re.search(r"\n    \d+% of planned meetings held \(\d+ of \d+\)\n", text)
    assert (tmp_path / "report.html").read_text().startswith("<!doctype html>")
    assert (tmp_path / "csv" / "meetings_per_cycle.csv").exists()
    bad = run_report(
        settings,
        program_id=None,
        start=datetime(2026, 9, 9).date(),
        end=datetime(2026, 9, 1).date(),
        html_path=None,
        csv_dir=None,
        console=Console(file=io.StringIO()),
    )
    assert bad == 2


def test_admins_get_the_key_figures_the_page_and_the_chart_in_chat(bot):
    """`/mentor admin report`: key figures, the HTML page and the meetings chart as files;
    a period in words; a friendly error for a day it can't read or a period backwards."""
    from bot.events import Command
    from bot.replies import Message
    from tests.conftest import actor, run

    truth = generate(bot.engine, people=40, weeks=3, workspace="console")
    reply = bot.handle(Command(actor("admin"), "admin report"))
    assert isinstance(reply, Message)
    text = reply.plain()
    held, planned = sum(truth.held.values()), sum(truth.planned.values())
    assert "*Generated <program>*: program report" in text
    assert f"• {100 * held / planned:.0f}% of planned meetings held ({held} of {planned})" in text
    assert text.index("people reached") < text.index("Active: ")
    page, chart = reply.files()
    assert page.mime == "text/html" and page.content.startswith(b"<!doctype html>")
    assert chart.mime == "image/png" and chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    first = min(truth.planned)
    narrow = run(bot, f"admin report from {first.isoformat()} to {first.isoformat()}", who="admin")
    assert f"meetings held ({truth.held[first]} of {truth.planned[first]})" in narrow
    assert "couldn't read `someday`" in run(bot, "admin report from someday", who="admin")
    assert "before the `from` day" in run(
        bot, "admin report from 2026-10-01 to 2026-09-01", who="admin"
    )
    assert "optionally with `from DAY`" in run(bot, "admin report lately", who="admin")
    assert "admins" in run(bot, "admin report", who="mallory").lower()


def _week_counts(engine, since, until) -> int:
    """Check-ins answered "met" in [since, until), straight from the table."""
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT outcome, due_at FROM checkin")).all()
    out = 0
    for outcome, due in rows:
        due = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
        due = due if due.tzinfo else due.replace(tzinfo=UTC)
        out += outcome == "met" and since <= due < until
    return out


def test_the_digest_compares_with_last_week_and_carries_the_chart(bot):
    """`admin digest`: meetings with the change since the week before (counted here from the
    table), and the meetings-per-cycle chart as a PNG at twice its size's pixels; the
    console saves it and prints the path."""
    from datetime import timedelta

    from adapters.console import render
    from bot.events import Command
    from tests.conftest import actor

    generate(bot.engine, people=40, weeks=12, workspace="console")
    now = bot.clock.now()
    week = timedelta(days=7)
    this_week = _week_counts(bot.engine, now - week, now)
    last_week = _week_counts(bot.engine, now - 2 * week, now - week)
    reply = bot.handle(Command(actor("admin"), "admin digest"))
    text = reply.plain()
    assert f"{this_week} of " in text
    assert f"({this_week - last_week:+d} vs last week)" in text
    (chart,) = reply.files()
    assert chart.mime == "image/png" and chart.content.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", chart.content[16:24])  # the IHDR chunk
    assert (width, height) == (880, 680)  # 2x its 440 x 340 px: sharp on high-density screens
    files = Path(bot.settings.bot.data_dir) / "files"
    shown = render(reply, files_dir=files)
    assert f"saved to {files / chart.name}" in shown
    assert (files / chart.name).read_bytes() == chart.content


def test_who_was_left_out_of_the_latest_round_and_why(bot, settings):
    """The latest published round's left-out people by reason, in the prompts' words; a
    reason with two people is hidden, and so the other one beside the total (6 - 4 = 2); an
    older round doesn't count."""
    from storage.models import MatchRun

    truth = generate(bot.engine, people=20, weeks=1)
    with transaction(bot.engine) as s:
        old = [[k, "language"] for k in range(9)]
        latest = [[k, "capacity"] for k in range(4)] + [[10, "language"], [11, "language"]]
        for day, unmatched in ((1, old), (2, latest)):
            s.add(
                MatchRun(
                    program_id=truth.program_id,
                    status="published",
                    summary={"unmatched": unmatched},
                    created_at=datetime(2026, 10, day, tzinfo=UTC),
                    published_at=datetime(2026, 10, day, tzinfo=UTC),
                )
            )
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        report = build(s, program, settings, now=NOW, prompts=bot.prompts)
    assert report.table("matching_unmatched").rows == [
        ["more mentees than mentor places", HIDDEN],
        ["no one shares a language with them", HIDDEN],
    ]
    assert figures(report)["matching.left_out"] == "6"


def test_the_report_command_refuses_bad_days_with_a_clear_message(tmp_path):
    """`mentorbot report --from someday` is a usage error with an example, not a traceback."""
    from typer.testing import CliRunner

    from bot.cli.main import app

    result = CliRunner().invoke(app, ["report", "--from", "someday"])
    assert result.exit_code == 2
    assert "--from and --to are dates like 2026-09-01" in result.output
    assert "Traceback" not in result.output


def test_charts_read_true_long_names_wrap_and_scales_keep_their_top():
    """A 1-5 scale's chart runs from 0 to 5 (a difference is never magnified), and long bar
    names turn the bars sideways, each name in short lines at the left, each word whole."""
    from bot.report.charts import svg
    from bot.report.figures import Chart

    name = "academic integration (on top of work or studies)"
    chart = Chart("s", "Survey means", "bar", ["confidence", name], {"mid": [3.0, 3.5]}, "", top=5)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg(chart))
    ticks = [t for t in texts if t.isdigit()]
    assert ticks == ["0", "1", "2", "3", "4", "5"]
    lines = texts[texts.index("confidence") + 1 :]
    lines = lines[: len(name.split())]
    assert " ".join(lines).startswith(name.split("(")[0].strip())
    assert all(len(line) <= 22 for line in lines)


def test_the_report_command_picks_a_program_by_id_or_name(bot, settings):
    """With several programs `mentorbot report` lists them; --program takes the id or the
    name (any case)."""
    from bot.cli.report import run_report

    first = generate(bot.engine, people=12, weeks=1, seed=3)
    generate(bot.engine, people=20, weeks=1, seed=4)
    with transaction(bot.engine) as s:
        program = s.get(Program, first.program_id)
        program.name = "Spring cohort"
        s.add(program)

    def report(which: str | None) -> tuple[int, str]:
        out = io.StringIO()
        code = run_report(
            settings,
            program_id=which,
            start=None,
            end=None,
            html_path=None,
            csv_dir=None,
            console=Console(file=out, width=200),
        )
        return code, out.getvalue()

    code, text = report(None)
    assert code == 1 and "Several programs" in text and "Spring cohort" in text
    for which in ("spring COHORT", str(first.program_id)):
        code, text = report(which)
        assert code == 0 and "Spring cohort: program report" in text
        assert "joined in the period: 12" in text
    assert report("autumn")[1].startswith("No such program")


def test_csv_files_run_no_formulas_from_the_prompts(bot, settings, tmp_path):
    """A label an operator's prompts start with =, +, - or @ is written with a leading ' in
    figures.csv; numbers stay numbers and no cell of any report file starts a formula."""
    words = tmp_path / "prompts"
    words.mkdir()
    (words / "report.toml").write_text(
        "[report.figure]\n"
        'joined = "=HYPERLINK(\\"http://evil\\",\\"x\\")"\n'
        'active = "@SUM(A1)"\n'
        'paused = "-paused"\n'
        'left = "+left"\n',
        encoding="utf-8",
    )
    truth = generate(bot.engine, people=40, weeks=2)
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        prompts = load_prompts([words])
        report = build(s, program, settings, now=NOW, zone="Europe/Berlin", prompts=prompts)
    written = write_csv(report, tmp_path / "csv")
    cells = {}
    for path in written:
        with path.open(encoding="utf-8", newline="") as handle:
            cells[path.stem] = list(csv.reader(handle))
    labels = {row[5]: row[7] for row in cells["figures"][1:]}  # past program, from, to, generated
    assert labels["joined"] == '\'=HYPERLINK("http://evil","x")'
    assert (labels["active"], labels["paused"], labels["left"]) == (
        "'@SUM(A1)",
        "'-paused",
        "'+left",
    )
    for name, rows in cells.items():
        for row in rows:
            starts = [
                c
                for c in row
                if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                and not re.fullmatch(r"-(\d+(\.\d+)?)?", c)  # a number (or "-": none) stays one
            ]
            assert not starts, (name, row)
    assert cells["meetings_per_cycle"][1][5].isdigit()  # numbers are written as numbers


def test_no_ratings_show_a_dash_in_chat_terminal_and_figures_csv(bot, settings, tmp_path):
    """With no session rated yet the mean rating reads "-", as other empty figures do, in
    chat, in the terminal and in figures.csv (never a blank)."""
    from bot.cli.report import run_report
    from tests.conftest import run

    run(bot, "join mentee", who="ann")
    run(bot, "join mentor", who="mia")
    assert "Mean session rating (1-5): -\n" in run(bot, "admin report", who="admin")
    out = io.StringIO()
    code = run_report(
        settings,
        program_id=None,
        start=None,
        end=None,
        html_path=None,
        csv_dir=tmp_path,
        console=Console(file=out, width=200),
    )
    assert code == 0 and "mean session rating (1-5): -\n" in out.getvalue()
    with (tmp_path / "figures.csv").open(encoding="utf-8") as handle:
        values = {r["figure"]: r["value"] for r in csv.DictReader(handle)}
    assert values["rating"] == "-"


def test_a_break_that_has_run_out_counts_as_active(bot, settings, clock):
    """Three people pause for two weeks: the report counts them paused, and active again
    once their breaks are over (before any of them has written to the bot since)."""
    from datetime import timedelta

    from tests.conftest import run

    for who in ("ann", "bob", "cat", "dan", "eve", "fay"):
        run(bot, "join mentee", who=who)
    for who in ("ann", "bob", "cat"):
        assert "break" in run(bot, "pause 2 weeks", who=who).lower()

    def statuses() -> list[str]:
        with transaction(bot.engine) as s:
            (program,) = s.exec(select(Program)).all()
            got = build(s, program, settings, now=clock.now(), prompts=load_prompts()).figures()
        return [got[f"participation.{k}"] for k in ("active", "paused", "left")]

    assert statuses() == ["3", "3", "0"]
    clock.advance(timedelta(days=15))
    assert statuses() == ["6", "0", "0"]
