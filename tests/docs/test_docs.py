"""The documentation stays short where it should and true to the tree: the README's length and
quick start, every relative link and anchor, and the command reference against the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import build_registry
from tests.packaging.install import README_SESSION

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted([README, ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _links(path: Path) -> list[str]:
    """Markdown link targets outside code blocks."""
    return LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8")))


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces become hyphens."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", path.read_text(encoding="utf-8")), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_readme_stays_under_250_lines():
    """The README invites; the details live in docs/."""
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < 250, f"README.md has {lines} lines"


def test_readme_keeps_the_quick_start_commands_and_the_scripted_session():
    """The two quick-start commands CI and the packaging tests rely on, and the session
    tests/packaging runs from an installed wheel, are in the README as written."""
    readme = README.read_text(encoding="utf-8")
    run = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/mentorbot run"
    test = (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' "
        "&& .venv/bin/python -m pytest -q"
    )
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"```sh\n{run}\n```" in quick_start
    assert f"```sh\n{test}\n```" in quick_start
    piped = README_SESSION.replace("\n", "\\n")
    assert f"printf '{piped}' | .venv/bin/mentorbot run" in readme


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file_and_heading(path: Path):
    """Links between the docs (and to files of the tree) resolve, anchors included."""
    broken = []
    for target in _links(path):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in _anchors(dest)):
            broken.append(target)
    assert not broken, f"{path.relative_to(ROOT)}: broken links {broken}"


def test_the_docs_are_linked_from_the_readme():
    """Every page under docs/ is reachable: from the README, or from a page it links."""
    reachable: set[Path] = set()
    todo = [README]
    while todo:
        page = todo.pop()
        for target in _links(page):
            file = target.partition("#")[0]
            dest = (page.parent / file).resolve() if file else page
            if dest.suffix == ".md" and dest.exists() and dest not in reachable:
                reachable.add(dest)
                todo.append(dest)
    assert {p for p in DOCS if p != README} <= reachable


def test_command_reference_lists_every_visible_command():
    """docs/commands.md stays true to the code: every visible command has a row."""
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    reference = text.split("## Chat commands", 1)[1].split("\n## ", 1)[0]
    registry = build_registry()
    for prefix, router in (("", registry.commands), ("admin ", registry.admin)):
        for spec in router.specs():
            if spec.hidden or spec.name in ("help", "admin"):
                continue
            row = f"| `{prefix}{spec.name}" in reference or f"/ `{spec.name}`" in reference
            assert row, f"docs/commands.md has no row for {prefix}{spec.name}"
