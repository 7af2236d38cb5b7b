"""A fair matching, counted the way a statistician would accept: a finished program's waits
stop at its last day, waiting is compared among mentees, and "waits markedly longer" needs a
real difference among people who waited, not a median flipping from 0 on a few people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.app import load_prompts
from bot.outcomes.facts import Facts
from bot.outcomes.fairness import markedly_longer
from bot.report.figures import Report, build
from bot.report.page import html
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Program

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _report(bot, settings, now: datetime = NOW) -> Report:  # type: ignore[no-untyped-def]
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        return build(s, program, settings, now=now, prompts=load_prompts())


def _rows(report: Report, table: str) -> dict[str, list[object]]:
    return {str(row[0]): row for row in report.table(table).rows}


def test_a_finished_program_s_waits_stop_at_its_last_day(bot, settings):
    """150 mentees and 50 mentors: 100 mentees are never matched. The program ended two weeks
    after its start: the report made a week later and one made 100 days later give the same
    waits, none longer than from the earliest joining to the last day."""
    truth = generate(bot.engine, people=200, weeks=2, workspace="console")
    last = (truth.start + timedelta(days=14)).date()
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        program.ends_on = last
    soon = _report(bot, settings, now=NOW)
    later = _report(bot, settings, now=NOW + timedelta(days=100))
    for split in ("role", "region", "intake"):
        assert _rows(soon, f"fairness_by_{split}") == _rows(later, f"fairness_by_{split}")
    longest = (last + timedelta(days=1) - (truth.start - timedelta(days=20)).date()).days
    mentee = _rows(soon, "fairness_by_role")["mentee"]
    assert isinstance(mentee[3], float) and mentee[3] <= longest


def test_waiting_compares_mentees_with_mentees(bot, settings):
    """Mentors don't wait for a partner: their row's wait and matched share are empty, and
    the everyone row's equal the mentees' (the program has no peers); the page says so."""
    generate(bot.engine, people=200, weeks=2, workspace="console")
    report = _report(bot, settings)
    rows = _rows(report, "fairness_by_role")
    assert rows["mentor"][2] == rows["mentor"][3] == ""
    assert rows["all"][2:4] == rows["mentee"][2:4]
    assert rows["mentee"][2] == round(100 * 50 / 150, 1)
    assert "mentees and peers only" in html(report)


def _facts(member: int, wait: float) -> Facts:
    return Facts(member, {"role": "mentee"}, matched=wait == 0, wait_days=wait)


def test_a_few_more_people_waiting_does_not_make_a_group_wait_markedly_longer():
    """Region A: 51 of 100 still waiting (11 days), so its median over everyone is 11; region
    B: 46 of 100, median 0. Among those who waited both wait 11 days: not markedly longer."""
    a = [_facts(k, 11.0 if k < 51 else 0.0) for k in range(100)]
    b = [_facts(100 + k, 11.0 if k < 46 else 0.0) for k in range(100)]
    assert markedly_longer({"A": a, "B": b}, 10) == []


def test_a_group_waiting_twice_as_long_is_named_and_a_tiny_one_is_not():
    """Region A's 30 waiters wait 20 days, B's 30 wait 10: A waits markedly longer. With
    only 5 waiters in A (fewer than the minimum of 10) nothing is said."""
    a = [_facts(k, 20.0) for k in range(30)]
    b = [_facts(100 + k, 10.0) for k in range(30)]
    assert markedly_longer({"A": a, "B": b}, 10) == [("A", 20.0, 10.0)]
    assert markedly_longer({"A": a[:5], "B": b}, 10) == []
