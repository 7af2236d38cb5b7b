"""Who it worked for, a fair matching and over time: outcomes split by group, the fairness
table that finds a region planted to wait twice as long, and the rates per cycle, all
recovered from a generated program whose truth is known."""

from __future__ import annotations

import io
import statistics
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from rich.console import Console
from sqlmodel import select

from bot.app import load_prompts
from bot.cli.report import run_report
from bot.report.compare import parse_period
from bot.report.figures import Report, build
from bot.suppression import HIDDEN
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import MatchRun, Member, Pair, Program

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _report(bot, settings, **period) -> Report:  # type: ignore[no-untyped-def]
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        return build(s, program, settings, now=NOW, prompts=load_prompts(), **period)


def _rows(report: Report, table: str) -> dict[str, list[object]]:
    return {str(row[0]): row for row in report.table(table).rows}


def _waits_longer(report: Report) -> dict[str, str]:
    fairness = next(s for s in report.sections if s.key == "fairness")
    return {
        f"{f.key}_{f.group}": f.label for f in fairness.figures if f.key.startswith("waits_longer")
    }


def test_the_fairness_table_finds_the_region_that_waits_twice_as_long(bot, settings):
    """Asia's members were planted to wait twice as long for a first match: as of the first
    day (everyone matched or still waiting) its median wait is about twice the others', and
    the report names it, and only it, as waiting markedly longer."""
    truth = generate(bot.engine, people=200, weeks=4, workspace="console", waits={"Asia": 2})
    report = _report(bot, settings, end=truth.start.date())
    rows = _rows(report, "fairness_by_region")
    asia = float(rows["Asia"][3])  # type: ignore[arg-type]
    for other in ("America", "Australia", "Europe"):
        ratio = asia / float(rows[other][3])  # type: ignore[arg-type]
        assert 1.6 < ratio < 2.5, (other, ratio)
    truth_asia = statistics.median(truth.waits["Asia"])
    assert truth_asia <= asia < truth_asia + 1  # joined to the first day's end, not its start
    assert rows["Pacific"][1] == rows["Pacific"][3] == HIDDEN  # two people: no count, no wait
    longer = _waits_longer(report)  # the intake of July (only Asia's) waits longer too
    assert [k for k in longer if "_region_" in k] == ["waits_longer_region_Asia"]
    assert longer["waits_longer_region_Asia"].startswith("Asia (time-zone region) waits")


def test_without_a_planted_wait_no_region_is_named(bot, settings):
    """The generator's default has no slow region, and the report names none."""
    truth = generate(bot.engine, people=200, weeks=4, workspace="console")
    report = _report(bot, settings, end=truth.start.date())
    assert not [k for k in _waits_longer(report) if "_region_" in k]


def test_outcomes_by_group_add_up_to_the_truth_and_keep_small_groups_hidden(bot, settings):
    """Each split's "everyone" row equals the generated truth (meetings held, goals reached,
    mean rating); the two-person Pacific region is hidden with a complement beside it, so
    the shown groups never give its count by subtraction; reportable fields get a table."""
    truth = generate(bot.engine, people=200, weeks=4, workspace="console")
    fields = replace(settings.report, reportable_fields=("team", "seniority"))
    report = _report(bot, replace(settings, report=fields))
    held, planned = sum(truth.held.values()), sum(truth.planned.values())
    for split in ("role", "region", "intake", "team", "seniority"):
        everyone = _rows(report, f"outcomes_by_{split}")["all"]
        assert everyone[1] == 200
        assert everyone[2] == round(100 * held / planned, 1)
        assert everyone[3] == round(100 * truth.completed / truth.goals, 1)
        assert everyone[4] == round(statistics.fmean(truth.ratings), 2)
    regions = _rows(report, "outcomes_by_region")
    people = [row[1] for name, row in regions.items() if name != "all"]
    assert regions["Pacific"][1] == HIDDEN and people.count(HIDDEN) >= 2
    assert regions["Pacific"][2] == HIDDEN and regions["Pacific"][4] == HIDDEN
    assert list(_rows(report, "outcomes_by_team")) == ["not set", "all"]


def test_rates_per_cycle_and_spread_of_mentees(bot, settings):
    """Each cycle's meeting rate is the truth's held over planned; every mentor has one
    mentee in the generated program."""
    truth = generate(bot.engine, people=200, weeks=6, workspace="console")
    report = _report(bot, settings)
    cycles = _rows(report, "rates_by_cycle")
    assert len(cycles) == 6
    for day, planned in truth.planned.items():
        row = cycles[day.isoformat()]
        assert row[1:] == [round(100 * truth.held[day] / planned, 1), planned]
    got = report.figures()
    assert [got[f"fairness.mentees_per_mentor_{k}"] for k in ("fewest", "median", "most")] == [
        "1",
        "1",
        "1",
    ]
    months = _rows(report, "rates_by_month")
    october = [d for d in truth.planned if d.month == 10]
    held = sum(truth.held[d] for d in october)
    assert months["2026-10"][1:3] == [round(100 * held / (50 * len(october)), 1), 100]


def test_the_report_against_an_earlier_period_shows_each_rate_s_change(bot, settings):
    """`mentorbot report --from .. --to .. --compare-to FROM:TO`: each summary rate now, then
    and the change (October's meetings held against September's, as generated); each
    headline figure beside its earlier value."""
    truth = generate(bot.engine, people=200, weeks=8, workspace="console")
    out = io.StringIO()
    code = run_report(
        settings,
        program_id=None,
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        html_path=None,
        csv_dir=None,
        console=Console(file=out, width=300),
        compare=(date(2026, 9, 1), date(2026, 9, 30)),
    )
    assert code == 0
    text = out.getvalue()

    def held(month: int) -> float:
        days = [d for d in truth.planned if d.month == month]
        return round(100 * sum(truth.held[d] for d in days) / (50 * len(days)), 1)

    now, before = held(10), held(9)
    assert "  Against 2026-09-01 to 2026-09-30\n" in text
    assert f"    meetings held %: {now:g} (before: {before:g}, change {now - before:+.1f})" in text
    assert "    goals set: 0 (before: 150)" in text  # every goal was set in September


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-06-01:2026-08-31", None),
        ("2026-06-01", "FROM:TO"),
        ("june:august", "days like"),
        ("2026-08-31:2026-06-01", "TO is before FROM"),
    ],
)
def test_compare_to_reads_a_period_or_says_what_is_wrong(text, problem):
    """--compare-to takes FROM:TO as days, and says what is wrong otherwise."""
    if problem is None:
        assert parse_period(text) == (date(2026, 6, 1), date(2026, 8, 31))
    else:
        with pytest.raises(ValueError, match=problem):
            parse_period(text)


def test_rounds_left_out_and_early_endings_are_counted_per_group(bot, settings):
    """A published round that left out five mentees counts five rounds left out among
    mentees; pairs that ended early (left, removed, inactive) count for each person in them,
    pairs that finished or ran to the program's end do not."""
    truth = generate(bot.engine, people=200, weeks=2, workspace="console")
    with transaction(bot.engine) as s:
        mentees = s.exec(
            select(Member.id).where(Member.program_id == truth.program_id, Member.role == "mentee")
        ).all()
        s.add(
            MatchRun(
                program_id=truth.program_id,
                status="published",
                summary={"unmatched": [[m, "capacity"] for m in mentees[-5:]]},
                created_at=truth.start,
                published_at=truth.start,
            )
        )
        pairs = s.exec(select(Pair).where(Pair.program_id == truth.program_id)).all()
        reasons = ["left", "removed", "inactive", "finished", "program_ended"]
        for pair, reason in zip(pairs, reasons, strict=False):
            pair.status, pair.end_reason, pair.ended_at = "ended", reason, truth.start
    rows = _rows(_report(bot, settings), "fairness_by_role")
    assert (rows["mentee"][4], rows["mentor"][4], rows["all"][4]) == (5, 0, 5)
    assert (rows["mentee"][6], rows["mentor"][6], rows["all"][6]) == (3, 3, 6)
