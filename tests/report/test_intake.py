"""Who it worked for, by intake: a roster import records the batch its new members came in
with (``mentorbot import --batch``, else the file's name and the day), and the report's
intake split tells two batches with known different outcomes apart, on the page and in the
CSV files, while a batch of two stays hidden and follows from no sum of the page."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from sqlmodel import select
from typer.testing import CliRunner

from bot.app import load_prompts
from bot.cli.main import app
from bot.cli.roster import ImportOptions, run_import
from bot.report.figures import Report, build
from bot.report.page import html, write_csv
from bot.suppression import HIDDEN
from storage.engine import transaction
from storage.models import CheckIn, Member, Pair, PairMember, Person, Program
from tests.report.test_arithmetic import exposed, page_relations, page_values


def _roster(folder: Path, name: str, prefix: str, pairs: int) -> Path:
    path = folder / name
    rows = [f"{prefix}{k},{prefix} {k},{'mentor' if k % 2 else 'mentee'}" for k in range(2 * pairs)]
    path.write_text("platform_id,name,role\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _batches(engine) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.exec(select(Person.platform_user_id, Member.intake_batch).join(Member)).all()
        return dict(rows)  # type: ignore[arg-type]


def _import(bot, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """Spring (6 pairs, `--batch "spring cohort"` through the command line), autumn (6 pairs,
    the default batch) and a late batch of 2; spring again, as "again": nobody moves."""
    spring = _roster(tmp_path, "spring.csv", "S", 6)
    env = {"DATABASE_URL": bot.settings.database_url}
    result = CliRunner().invoke(app, ["import", str(spring), "--batch", "spring cohort"], env=env)
    assert result.exit_code == 0, result.output
    console = Console(file=io.StringIO(), width=200)
    autumn = ImportOptions(_roster(tmp_path, "autumn.csv", "A", 6), platform="console")
    assert run_import(bot.settings, replace(autumn, workspace="console"), console=console) == 0
    late = ImportOptions(_roster(tmp_path, "late.csv", "L", 1), workspace="console", batch="late")
    assert run_import(bot.settings, replace(late, platform="console"), console=console) == 0
    again = ImportOptions(spring, platform="console", workspace="console", batch="again")
    assert run_import(bot.settings, again, console=console) == 0
    batches = _batches(bot.engine)
    label = batches["A0"]
    assert label is not None and re.fullmatch(r"autumn\.csv \d{4}-\d{2}-\d{2}", label)
    assert {p: b for p, b in batches.items() if p[0] == "S"} == {
        f"S{k}": "spring cohort" for k in range(12)
    }
    assert {batches[f"A{k}"] for k in range(12)} == {label}
    assert (batches["L0"], batches["L1"]) == ("late", "late")
    return label


def _meetings(engine, start: datetime) -> None:  # type: ignore[no-untyped-def]
    """Each batch's mentees with its mentors, four weekly check-ins: spring's and the late
    pair always met, autumn's never did."""
    with transaction(engine) as s:
        members = s.exec(select(Member, Person).join(Person)).all()
        by_batch: dict[str, list[Member]] = {}
        for member, person in sorted(members, key=lambda mp: int(mp[1].platform_user_id[1:])):
            by_batch.setdefault(person.platform_user_id[0], []).append(member)
        for batch, people in by_batch.items():
            for mentee, mentor in zip(people[0::2], people[1::2], strict=True):
                pair = Pair(
                    program_id=mentee.program_id,
                    status="active",
                    score=60.0,
                    created_at=start,
                    started_at=start,
                )
                s.add(pair)
                s.flush()
                assert pair.id is not None
                for member in (mentee, mentor):
                    s.add(PairMember(pair_id=pair.id, member_id=member.id, role=member.role))
                    for week in range(4):
                        s.add(
                            CheckIn(
                                pair_id=pair.id,
                                member_id=member.id,
                                cycle_on=(start + timedelta(weeks=week)).date(),
                                due_at=start + timedelta(weeks=week),
                                outcome="not_yet" if batch == "A" else "met",
                                recorded_at=start + timedelta(weeks=week, hours=1),
                            )
                        )


def _report(bot, now: datetime, minimum: int) -> Report:  # type: ignore[no-untyped-def]
    settings = bot.settings
    chosen = replace(settings, surveys=replace(settings.surveys, min_group_size=minimum))
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        return build(s, program, chosen, now=now, prompts=load_prompts())


def test_two_import_batches_are_told_apart_and_a_batch_of_two_stays_hidden(bot, tmp_path):
    label = _import(bot, tmp_path)
    start = datetime.now(UTC)
    _meetings(bot.engine, start)
    now = start + timedelta(days=30)
    report = _report(bot, now, 3)
    rows = {str(r[0]): r for r in report.table("outcomes_by_intake").rows}
    assert set(rows) == {"spring cohort", label, "late", "all"}
    assert rows["spring cohort"][2] == 100.0 and rows[label][2] == 0.0  # meetings held %
    assert rows["late"][1:3] == [HIDDEN, HIDDEN]  # two people: no count, no rate
    page = html(report)
    assert "spring cohort" in page and label in page
    write_csv(report, tmp_path / "csv")
    with (tmp_path / "csv" / "outcomes_by_intake.csv").open(encoding="utf-8", newline="") as f:
        written = {r["intake"]: r for r in csv.DictReader(f)}
    assert (written["spring cohort"]["meetings held %"], written[label]["meetings held %"]) == (
        "100.0",
        "0.0",
    )
    assert written["late"]["people"] == HIDDEN
    shown, true = page_values(report), page_values(_report(bot, now, 1))
    relations = page_relations(true)
    assert true[("outcomes_by_intake", "late", "people")] == 2
    assert exposed(true, relations) == set()  # the relations hold of the true numbers
    assert shown[("outcomes_by_intake", "late", "people")] == HIDDEN
    assert shown[("fairness_by_intake", "late", "people")] == HIDDEN
    assert exposed(shown, relations) == set()
