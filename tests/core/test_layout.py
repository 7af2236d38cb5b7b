"""The codebase's walls, checked: the core builds no SQL and names no platform, storage never
imports the core, platform libraries stay in adapters, and functions stay short.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

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


def imports(text: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_asks_storage_functions_and_builds_no_queries():
    offenders = [
        rel
        for rel, text in sources("bot")
        if re.search(r"\bselect\(|session\.exec\(|session\.execute\(|sa_select", text)
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


def test_imports_respect_the_walls():
    platform = {"slack_bolt", "slack_sdk", "discord", "aiohttp"}
    for rel, text in sources("bot", "storage"):
        used = imports(text)
        assert not used & platform, rel
        if rel.startswith("storage/"):
            assert "bot" not in used and "adapters" not in used, rel
        assert "adapters" not in used or rel in COMPOSITION, rel


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
