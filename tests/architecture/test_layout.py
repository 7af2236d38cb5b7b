"""The codebase's walls, checked: the core builds no SQL and names no platform, storage never
imports the core, platform libraries stay in adapters, and functions stay short.

The import walls are ruff's banned-API rule (TID251) in ``bot/ruff.toml``, ``storage/ruff.toml``
and ``adapters/ruff.toml``; the tests here prove those bans bite and the tree keeps them, and
check by hand only what ruff cannot see.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION = {"bot/config.py", "bot/app.py", "bot/cli/main.py"}  # may name platforms


def sources(*dirs: str) -> list[tuple[str, str]]:
    out = []
    for d in dirs:
        for path in sorted((ROOT / d).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                out.append((rel, path.read_text()))
    return out


def ruff(*args: str, source: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise", *args],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("path", "source", "code"),
    [
        ("bot/probe.py", "from sqlmodel import select\n", "TID251"),
        ("bot/probe.py", "from sqlalchemy import select as sa_select\n", "TID251"),
        ("bot/probe.py", "import sqlalchemy\n\nsqlalchemy.text('SELECT 1')\n", "TID251"),
        ("bot/probe.py", "from sqlmodel import col\n", "TID251"),
        ("bot/feature/probe.py", "from slack_sdk import WebClient\n", "TID251"),
        ("bot/probe.py", "import discord.ext\n", "TID251"),
        ("bot/probe.py", "from adapters.surfaces import surfaces\n", "TID251"),
        ("bot/probe.py", "import csv\n", "TID251"),
        ("adapters/probe.py", "import csv\n", "TID251"),
        ("storage/probe.py", "from bot.config import Settings\n", "TID251"),
        ("storage/probe.py", "import adapters.runtime\n", "TID251"),
        ("storage/probe.py", "import slack_bolt\n", "TID251"),
        ("storage/probe.py", "import csv\n", "TID251"),
        ("bot/probe.py", "print('stray')\n", "T201"),
        ("storage/probe.py", "from datetime import datetime\n\ndatetime.now()\n", "DTZ005"),
        ("adapters/probe.py", "from datetime import datetime\n\ndatetime(2026, 1, 1)\n", "DTZ001"),
        # ... and what each wall lets through:
        ("storage/probe.py", "from sqlmodel import select\n", None),
        ("adapters/probe.py", "from slack_sdk import WebClient\n", None),
        ("bot/spreadsheet.py", "import csv\n", None),
        ("bot/cli/main.py", "from adapters.surfaces import surfaces\n", None),
        ("bot/cli/start.py", "from adapters.surfaces import surfaces\n", "TID251"),
        ("bot/probe.py", "from sqlmodel import Session\n", None),
    ],
)
def test_ruff_walls_bite(path, source, code):
    """A file under bot/, storage/ or adapters/ that crosses a wall fails the project's ruff."""
    found = ruff("--stdin-filename", path, "-", source=source)
    assert found.stderr == ""
    if code is None:
        assert " TID251 " not in found.stdout, found.stdout
    else:
        assert found.returncode == 1 and f" {code} " in found.stdout, found.stdout


def test_the_tree_keeps_its_walls():
    """The core, storage and the adapters pass the banned-API, naive-datetime and print rules."""
    found = ruff("--select=TID251,T20,DTZ", "bot", "storage", "adapters")
    assert found.returncode == 0, found.stdout + found.stderr


def test_the_core_runs_no_query_through_a_session():
    """Ruff bans building statements in bot/; running one (``.exec``, ``.execute``) too."""
    offenders = [
        (rel, node.lineno)
        for rel, text in sources("bot")
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"exec", "execute"}
    ]
    assert offenders == []


def test_the_core_names_no_platform_outside_configuration_and_the_composition_root():
    offenders = [
        (rel, m.group(0))
        for rel, text in sources("bot")
        if rel not in COMPOSITION
        for m in re.finditer(r'"(slack|discord|console)"', text)
    ]
    assert offenders == []


def test_the_shell_is_on_top():
    """Terminal commands live in bot/cli/ and nothing below it imports it (the entry points
    ``python -m bot`` and the console script are the only ways in)."""
    offenders = [
        rel
        for rel, text in sources("bot", "adapters", "storage")
        if not rel.startswith("bot/cli/") and rel != "bot/__main__.py"
        for name in imports_full(text)
        if name == "bot.cli" or name.startswith("bot.cli.")
    ]
    assert offenders == []
    stray = [rel for rel, _ in sources("bot") if rel.endswith(("cli.py", "terminal.py"))]
    assert stray == []


def imports_full(text: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_function_is_longer_than_sixty_lines():
    long = [
        (rel, node.name, node.end_lineno - node.lineno + 1)
        for rel, text in sources("bot", "adapters", "storage")
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []


def test_a_running_bot_does_not_load_the_matching_solvers(tmp_path):
    """NumPy, SciPy and rustworkx (about 60 MB of a process) load when a round is matched,
    not when the bot starts: a bot that only chats and sends keeps its memory small."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bot.app import build_bot\n"
        "from bot.config import load_settings\n"
        "from adapters.surfaces import surfaces\n"
        f"s = load_settings(None, env={{'DATABASE_URL': 'sqlite:///{tmp_path}/x.db'}})\n"
        "b = build_bot(s, surfaces=surfaces())\n"
        "import adapters.runtime, adapters.slack, adapters.discord, bot.pulse\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'rustworkx') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
