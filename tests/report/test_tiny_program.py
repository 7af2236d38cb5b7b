"""A tiny program's report (the coordinators' trial): every count on the page, in chat and in
the CSV files goes through the page's one ledger, so no hidden count shows as a rate's n, as
"pairs formed", or follows from the numbers shown; hidden and empty summary lines read as
sentences ("Mentees who got a mentor: hidden")."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from sqlmodel import Session, select

from bot.app import load_prompts
from bot.cli.report import run_report
from bot.config import Settings
from bot.events import Command
from bot.report.figures import Report, build
from bot.report.page import html, write_csv
from storage.engine import transaction
from storage.models import Member, Pair, PairMember, PairStatus, Person, Program, ProgramKind
from tests.conftest import actor, text_of

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
START = datetime(2026, 9, 7, 9, tzinfo=UTC)


def _member(s: Session, program: Program, name: str, role: str) -> Member:
    person = Person(
        platform="console",
        platform_user_id=name,
        display_name=name,
        created_at=START,
        updated_at=START,
    )
    s.add(person)
    s.flush()
    assert program.id is not None and person.id is not None
    member = Member(program_id=program.id, person_id=person.id, role=role, joined_at=START)
    s.add(member)
    s.flush()
    return member


def _pair(s: Session, program: Program, *members: Member) -> None:
    assert program.id is not None
    pair = Pair(
        program_id=program.id,
        status=PairStatus.ACTIVE,
        score=50.0,
        started_at=START,
        created_at=START,
    )
    s.add(pair)
    s.flush()
    assert pair.id is not None
    for m in members:
        assert m.id is not None
        s.add(PairMember(pair_id=pair.id, member_id=m.id, role=m.role))


def _program(s: Session, slug: str, kind: str) -> Program:
    program = Program(slug=slug, name=slug, platform="console", workspace_id="console", kind=kind)
    program.created_at = START - timedelta(days=1)
    s.add(program)
    s.flush()
    return program


def _mentoring(engine) -> None:  # type: ignore[no-untyped-def]
    """The trial's ``default``: 2 mentors and 3 mentees, 2 pairs (one mentee waits)."""
    with transaction(engine) as s:
        program = _program(s, "default", ProgramKind.MENTORING)
        mentors = [_member(s, program, f"mentor{k}", "mentor") for k in range(2)]
        mentees = [_member(s, program, f"mentee{k}", "mentee") for k in range(3)]
        for mentor, mentee in zip(mentors, mentees, strict=False):
            _pair(s, program, mentor, mentee)


def _peers(engine) -> None:  # type: ignore[no-untyped-def]
    """The trial's ``coffee``: 7 peers in 3 pairs and a trio-less seventh also paired."""
    with transaction(engine) as s:
        program = _program(s, "coffee", ProgramKind.PEER)
        peers = [_member(s, program, f"peer{k}", "peer") for k in range(6)]
        for k in range(0, 6, 2):
            _pair(s, program, peers[k], peers[k + 1])


def _report(engine, settings: Settings, slug: str) -> Report:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        program = s.exec(select(Program).where(Program.slug == slug)).one()
        return build(s, program, settings, now=NOW, prompts=load_prompts())


def _summary(report: Report) -> dict[str, object]:
    return {f.key: f for s in report.sections if s.key == "summary" for f in s.figures}


def _everything(report: Report, tmp: Path) -> str:
    """The page's text and every CSV cell, as one string to search."""
    written = write_csv(report, tmp)
    cells = [cell for path in written for row in csv.reader(path.open()) for cell in row]
    page = html(report).split("<main>", 1)[1]
    return re.sub(r"<[^>]+>", " ", page) + "\n" + "\n".join(cells)


def _minimum(settings: Settings, n: int) -> Settings:
    return replace(settings, surveys=replace(settings.surveys, min_group_size=n))


def test_a_tiny_mentoring_program_shows_no_hidden_count_nor_its_complement(bot, settings, tmp_path):
    """2 mentors and 3 mentees, 2 pairs, groups under 3 hidden: the role counts are hidden,
    so the summary's n (3 mentees) is too (else 5 - 3 gives the 2 mentors); "pairs formed"
    equals the hidden mentees matched, so it is hidden; the rate is hidden whole."""
    _mentoring(bot.engine)
    report = _report(bot.engine, settings, "default")
    roles = dict(map(tuple, report.table("participation_by_role").rows))
    assert roles == {"mentee": "hidden", "mentor": "hidden"}
    figures = report.figures()
    assert figures["participation.joined"] == "5"
    assert figures["matching.pairs"] == "hidden"
    matched = _summary(report)["matched"]
    assert matched.value == "hidden"  # type: ignore[attr-defined]
    assert matched.label == "Mentees who got a mentor"  # type: ignore[attr-defined]
    assert matched.count is None and matched.total is None  # type: ignore[attr-defined]
    text = _everything(report, tmp_path)
    assert "of 3" not in text and "(3)" not in text
    assert not re.search(r"\b3\b", text.split("Participation")[0])  # nothing in the summary
    rows = list(csv.DictReader((tmp_path / "figures.csv").open()))
    (row,) = [r for r in rows if (r["section"], r["figure"]) == ("summary", "matched")]
    assert (row["value"], row["numerator"], row["denominator"]) == ("hidden", "", "")
    pairs = [r for r in rows if (r["section"], r["figure"]) == ("matching", "pairs")]
    assert pairs[0]["value"] == "hidden"


def test_a_tiny_peer_program_hides_the_rate_with_its_people(bot, settings, tmp_path):
    """6 peers in 3 pairs with groups under 10 hidden: people reached and active are hidden,
    so "peers got a partner" is hidden whole (not "100% (6 of 6)"), and so are pairs formed
    (twice them is the matched count)."""
    _peers(bot.engine)
    report = _report(bot.engine, _minimum(settings, 10), "coffee")
    summary = _summary(report)
    assert summary["reached"].value == "hidden"  # type: ignore[attr-defined]
    matched = summary["matched"]
    assert (matched.value, matched.label) == ("hidden", "Peers who got a partner")  # type: ignore[attr-defined]
    assert report.figures()["matching.pairs"] == "hidden"
    text = _everything(report, tmp_path)
    assert "of 6" not in text and "100% (" not in text
    assert not re.search(r"\b[36]\b", text)


def test_pairs_formed_is_hidden_with_the_matched_peers_it_halves(bot, settings, tmp_path):
    """6 peers in 3 pairs with groups under 7: the 6 peers (and people reached) are hidden;
    pairs formed would give them away as twice 3, so it is hidden too."""
    _peers(bot.engine)
    report = _report(bot.engine, _minimum(settings, 7), "coffee")
    assert report.figures()["matching.pairs"] == "hidden"
    assert _summary(report)["matched"].value == "hidden"  # type: ignore[attr-defined]


def test_hidden_and_empty_summary_lines_read_as_sentences(bot, settings):
    """`/mentor admin report` (the trial's `default`): no line starts with a bare "of"; the
    hidden rate reads "Mentees who got a mentor: hidden", an empty one "Goals reached:
    nothing to count yet"; pairs formed are hidden with the mentees matched."""
    _mentoring(bot.engine)
    said = text_of(bot.handle(Command(actor("admin"), "admin report")))
    lines = [line.removeprefix("• ") for line in said.splitlines() if line.startswith("• ")]
    assert lines, said
    assert not any(line.startswith(("of ", "hidden of", "(hidden")) for line in lines), lines
    assert "Mentees who got a mentor: hidden" in said
    assert "Goals reached: nothing to count yet" in said
    assert "of 3" not in said
    assert re.search(r"Pairs formed\W+hidden", said), said


def test_the_terminal_report_of_a_tiny_peer_program_hides_its_rate(bot, settings, tmp_path):
    """`mentorbot report --program coffee` beside the mentoring program: people reached and
    active are hidden, and so is "Peers who got a partner" (never "100% (6 of 6)"); its
    figures.csv gives no numerator or denominator for it."""
    _mentoring(bot.engine)
    _peers(bot.engine)
    out = io.StringIO()
    code = run_report(
        _minimum(settings, 10),
        program_id="coffee",
        start=None,
        end=None,
        html_path=None,
        csv_dir=tmp_path,
        console=Console(file=out, width=300),
    )
    said = out.getvalue()
    assert code == 0, said
    assert "People reached (took part in the period): hidden" in said
    assert "Peers who got a partner: hidden" in said
    assert "Goals reached: nothing to count yet" in said
    assert not re.search(r"\b[36]\b", said) and "of 6" not in said
    rows = list(csv.DictReader((tmp_path / "figures.csv").open()))
    assert not any(re.fullmatch(r"[36]", v or "") for r in rows for v in r.values())
