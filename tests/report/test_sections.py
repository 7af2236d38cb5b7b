"""The report holds what the capabilities register: its own sections (who joined, matching),
then each registered section in help order; and ``bot/report`` reads no capability itself."""

from __future__ import annotations

import ast
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

import bot as bot_package
from bot.app import build_bot, load_prompts
from bot.events import Command
from bot.registry import Registry, ReportSection, capabilities
from bot.replies import Message
from bot.report.figures import build
from bot.report_parts import Figure, ReportScope, Section, Table
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Program
from tests.conftest import actor

BOT = Path(bot_package.__file__).parent
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
CAPABILITY_SECTIONS = [
    *["meetings", "goals", "feedback", "surveys", "requests"],
    *["groups", "fairness", "over_time"],
]

PROBE = '''
"""A capability written for the test: it adds a section to the program report."""

from bot.registry import ReportSection
from bot.report_parts import Figure, Section, Table

HELP_POSITION = 45  # after check-ins, before goals


def register(registry):
    """Add the probe's report section."""

    def section(scope):
        """How many pairs the probe was given."""
        seen = str(len(scope.pairs))
        table = Table("probe_seen", "What the probe saw", ["what", "n"], [["pairs", seen]])
        return Section("probe", "Probe <section>", [Figure("seen", "pairs seen", seen)], [table])

    registry.report_section(ReportSection("probe", section))
'''


def test_a_capability_s_section_reaches_the_report_in_help_order(
    settings, clock, engine, tmp_path, monkeypatch
):
    """A capability folder that registers a report section (and edits nothing else) has its
    section in ``admin report``'s page, between check-ins' and goals' as help orders them,
    built from the same period's pairs as the report's own."""
    folder = tmp_path / "extra" / "probereport"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(PROBE, encoding="utf-8")
    monkeypatch.setattr(bot_package, "__path__", [*bot_package.__path__, str(folder.parent)])
    monkeypatch.delitem(sys.modules, "bot.probereport", raising=False)
    try:
        probe_bot = build_bot(settings, clock=clock, engine=engine)
        generate(engine, people=16, weeks=2, workspace="console")
        reply = probe_bot.handle(Command(actor("admin"), "admin report"))
        assert isinstance(reply, Message)
        page = reply.files()[0].content.decode()
        ids = [s.split('"')[0] for s in page.split('<section id="')[1:]]
        assert ids == [
            "summary",
            "participation",
            "matching",
            "meetings",
            "probe",
            *CAPABILITY_SECTIONS[1:],
        ]
        assert "<h2>Probe &lt;section&gt;</h2>" in page
        with transaction(engine) as s:
            (program,) = _programs(s)
            report = build(s, program, settings, now=NOW, prompts=load_prompts())
        figures = report.figures()
        assert figures["probe.seen"] == figures["matching.pairs"] != "0"
        assert report.table("probe_seen").rows == [["pairs", figures["matching.pairs"]]]
    finally:
        sys.modules.pop("bot.probereport", None)


def _programs(session):  # type: ignore[no-untyped-def]
    return session.exec(select(Program)).all()


def test_the_report_holds_exactly_the_registered_sections(bot, settings):
    """Given a registry, the report is its summary, its own two sections and what the registry
    holds: nothing of goals, feedback or surveys unless they registered it."""
    generate(bot.engine, people=16, weeks=2, workspace="console")
    seen: list[ReportScope] = []

    def probe(scope: ReportScope) -> Section:
        seen.append(scope)
        return Section("probe", "Probe", [Figure("n", "n", "1")], [Table("p", "P", ["a"], [])])

    only_probe = Registry()
    only_probe.report_section(ReportSection("probe", probe))
    with transaction(bot.engine) as s:
        (program,) = _programs(s)
        bare = build(s, program, settings, now=NOW, prompts=load_prompts(), registry=Registry())
        probed = build(s, program, settings, now=NOW, prompts=load_prompts(), registry=only_probe)
        everyone = build(s, program, settings, now=NOW, prompts=load_prompts())
    assert [x.key for x in bare.sections] == ["summary", "participation", "matching"]
    assert [x.key for x in probed.sections] == ["summary", "participation", "matching", "probe"]
    assert seen[0].program.id == program.id and seen[0].minimum == settings.surveys.min_group_size
    assert [x.key for x in everyone.sections] == [
        "summary",
        "participation",
        "matching",
        *CAPABILITY_SECTIONS,
    ]


def _imports(text: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_report_imports_no_capability():
    """``bot/report`` and the parts its sections are made of read no capability's code: each
    capability's numbers come through the section it registered."""
    others = {m.__name__ for m in capabilities()} - {"bot.report"}
    files = [*sorted((BOT / "report").rglob("*.py")), BOT / "report_parts.py"]
    offenders = [
        (path.relative_to(BOT).as_posix(), name)
        for path in files
        for name in _imports(path.read_text(encoding="utf-8"))
        if any(name == o or name.startswith(f"{o}.") for o in others)
    ]
    assert offenders == []
